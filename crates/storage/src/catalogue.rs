//! Stored versions of the catalogue of titles and forms (version 1 is built in). A version's
//! entries are kept as the rows of the sheet administrators edit, so what is stored reads back
//! through the same checks as what was sent.

use diesel::prelude::*;
use thidua_domain::{
    Error,
    award::{
        catalogue::Catalogue,
        catalogue_sheet::{self, COLUMNS},
    },
    time::Timestamp,
};

use crate::{
    Tx,
    errors::{corrupt, db},
    schema::catalogue_versions,
};

impl Tx<'_> {
    /// The stored versions, oldest first.
    pub fn catalogue_versions(&mut self) -> Result<Vec<(Catalogue, Timestamp)>, Error> {
        let rows: Vec<(i32, i32, String, String, i64)> = catalogue_versions::table
            .order(catalogue_versions::version)
            .select((
                catalogue_versions::version,
                catalogue_versions::from_year,
                catalogue_versions::note,
                catalogue_versions::entries,
                catalogue_versions::created_at,
            ))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|(version, from_year, note, entries, created_at)| {
                let cells: Vec<Vec<String>> =
                    serde_json::from_str(&entries).map_err(|_| corrupt("catalogue", &entries))?;
                let header = COLUMNS.map(str::to_owned).to_vec();
                let lines: Vec<(u32, Vec<String>)> = (1..).zip(cells).collect();
                let entries = catalogue_sheet::read(&header, &lines).map_err(|e| {
                    Error::Internal(format!("stored catalogue version {version}: {e}"))
                })?;
                Ok((
                    Catalogue {
                        version: u32::try_from(version)
                            .map_err(|_| corrupt("catalogue version", &version.to_string()))?,
                        from_year,
                        note,
                        entries,
                    },
                    Timestamp(created_at),
                ))
            })
            .collect()
    }

    /// Stores a new version; its number must be the next one (a concurrent writer of the same
    /// number fails on the key, and the caller's transaction rolls back).
    pub fn insert_catalogue_version(
        &mut self,
        catalogue: &Catalogue,
        at: Timestamp,
    ) -> Result<(), Error> {
        let entries = serde_json::to_string(&catalogue_sheet::rows(catalogue))
            .map_err(|e| Error::Internal(e.to_string()))?;
        diesel::insert_into(catalogue_versions::table)
            .values((
                catalogue_versions::version
                    .eq(i32::try_from(catalogue.version).unwrap_or(i32::MAX)),
                catalogue_versions::from_year.eq(catalogue.from_year),
                catalogue_versions::note.eq(&catalogue.note),
                catalogue_versions::entries.eq(entries),
                catalogue_versions::created_at.eq(at.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use diesel::{Connection, RunQueryDsl, SqliteConnection, sql_query};
    use diesel_migrations::MigrationHarness;

    use crate::connection::SQLITE_MIGRATIONS;

    #[derive(diesel::QueryableByName)]
    struct Asked {
        #[diesel(sql_type = diesel::sql_types::Text)]
        kind: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        entry: String,
    }

    /// The proposals stored before the catalogue existed are kept, each naming the entry its
    /// kind maps to in the built-in version.
    #[test]
    fn the_catalogue_migration_keeps_stored_proposals() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("trước-danh-mục.db");
        let mut conn = SqliteConnection::establish(&path.display().to_string())?;
        loop {
            let applied = conn
                .run_next_migration(SQLITE_MIGRATIONS)
                .map_err(|e| e.to_string())?;
            if applied.to_string().ends_with("000014") {
                break;
            }
        }
        // The proposals need no terms here.
        sql_query("PRAGMA foreign_keys = OFF").execute(&mut conn)?;
        for (id, kind) in [
            ("a1", "provincial_flag"),
            ("a2", "government_flag"),
            ("a3", "certificate_of_merit"),
            ("a4", "certificate_of_commendation"),
        ] {
            sql_query(format!(
                "INSERT INTO awards (id, cluster_id, year, unit_id, kind, state, \
                 submission_letter, minutes, achievement_report, override_reason, created_at, \
                 updated_at) VALUES ('{id}', 'bac-kan-city', 2022, 'qd124-2004~01843', '{kind}', \
                 'submitted', '', '', '', '', 0, 0)"
            ))
            .execute(&mut conn)?;
        }
        conn.run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| e.to_string())?;
        let asked: Vec<Asked> =
            sql_query("SELECT kind, entry FROM awards ORDER BY id").load(&mut conn)?;
        let pairs: Vec<(&str, &str)> = asked
            .iter()
            .map(|a| (a.kind.as_str(), a.entry.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("provincial_flag", "CTD_TINH"),
                ("government_flag", "CTD_CP"),
                ("certificate_of_merit", "BK_UBND_TINH"),
                ("certificate_of_commendation", "GK"),
            ]
        );
        for (kind, entry) in pairs {
            let mapped = kind
                .parse()
                .ok()
                .and_then(|k| thidua_domain::award::catalogue::Catalogue::builtin().for_kind(k));
            assert_eq!(mapped.map(|e| e.code.as_str()), Some(entry), "{kind}");
        }
        Ok(())
    }
}
