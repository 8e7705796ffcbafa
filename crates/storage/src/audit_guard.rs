//! The audit table's append-only guard: the triggers that refuse UPDATE and DELETE (and, on
//! PostgreSQL, TRUNCATE) of audit events, found missing or disabled and put back.
//!
//! Someone with the database owner's rights can drop or disable them; the chain (and a
//! checkpoint) then still shows what was changed, but nothing stops further edits. The server
//! checks at start ([`Tx::restore_audit_guard`]) and puts them back rather than refusing to
//! start: the officers' work goes on under a restored guard, and the restoration is logged as
//! an error and recorded in the audit log itself for the operator to investigate.

use diesel::{QueryableByName, RunQueryDsl, sql_types::Text};
use thidua_domain::Error;

use crate::{Tx, connection::AnyConnection, errors::db};

/// SQLite's guard: each trigger's name and its definition (as the migration created it).
const SQLITE_TRIGGERS: [(&str, &str); 2] = [
    (
        "audit_events_append_only_update",
        "CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events \
         BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ),
    (
        "audit_events_append_only_delete",
        "CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events \
         BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ),
];

/// PostgreSQL's guard function, as the migration created it.
const PG_FUNCTION: &str = "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger \
     LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$";

/// PostgreSQL's guard triggers and their definitions.
const PG_TRIGGERS: [(&str, &str); 2] = [
    (
        "audit_events_append_only_rows",
        "CREATE TRIGGER audit_events_append_only_rows BEFORE UPDATE OR DELETE ON audit_events \
         FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ),
    (
        "audit_events_append_only_truncate",
        "CREATE TRIGGER audit_events_append_only_truncate BEFORE TRUNCATE ON audit_events \
         FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ),
];

#[derive(QueryableByName)]
struct Trigger {
    #[diesel(sql_type = Text)]
    name: String,
    /// PostgreSQL's `tgenabled`: `D` when disabled.
    #[diesel(sql_type = Text)]
    enabled: String,
}

impl Tx<'_> {
    /// Puts back every guard trigger that is missing or disabled; returns their names (empty
    /// when the guard was whole).
    pub fn restore_audit_guard(&mut self) -> Result<Vec<&'static str>, Error> {
        let mut restored = Vec::new();
        match self.conn {
            AnyConnection::Sqlite(c) => {
                let present: Vec<Trigger> = diesel::sql_query(
                    "SELECT name, 'O' AS enabled FROM sqlite_master \
                     WHERE type = 'trigger' AND tbl_name = 'audit_events'",
                )
                .load(c)
                .map_err(db)?;
                for (name, ddl) in SQLITE_TRIGGERS {
                    if !present.iter().any(|t| t.name == name) {
                        diesel::sql_query(ddl).execute(c).map_err(db)?;
                        restored.push(name);
                    }
                }
            }
            AnyConnection::Postgresql(c) => {
                let present: Vec<Trigger> = diesel::sql_query(
                    "SELECT tgname::text AS name, tgenabled::text AS enabled FROM pg_trigger \
                     WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal",
                )
                .load(c)
                .map_err(db)?;
                for (name, ddl) in PG_TRIGGERS {
                    match present.iter().find(|t| t.name == name) {
                        Some(t) if t.enabled != "D" => continue,
                        Some(_) => {
                            diesel::sql_query(format!(
                                "ALTER TABLE audit_events ENABLE TRIGGER {name}"
                            ))
                            .execute(c)
                            .map_err(db)?;
                        }
                        None => {
                            diesel::sql_query(PG_FUNCTION).execute(c).map_err(db)?;
                            diesel::sql_query(ddl).execute(c).map_err(db)?;
                        }
                    }
                    restored.push(name);
                }
            }
        }
        Ok(restored)
    }
}
