//! The audit log: appended in the transaction of the change it records, hash-chained, never
//! updated (the migration's triggers refuse UPDATE and DELETE on both backends).

use diesel::prelude::*;
use thidua_domain::{
    Error,
    audit::{Event, GENESIS, Outcome, link},
    time::Timestamp,
};

use crate::{Page, PageRequest, Tx, connection::AnyConnection, errors::db, schema::audit_events};

/// Key of the PostgreSQL advisory lock that serialises appends, so each event chains to the
/// one committed before it. SQLite write transactions are already serial (`BEGIN IMMEDIATE`).
const CHAIN_LOCK: i64 = 0x7468_6964_7561_0001;

/// What a new event says; its position and hash are assigned when appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// When.
    pub time: Timestamp,
    /// Who: `keys/{id}`.
    pub principal: String,
    /// `Service/Method`.
    pub method: String,
    /// The resource touched.
    pub resource: String,
    /// How the call ended; stored as [`Outcome::as_str`].
    pub outcome: Outcome,
    /// The client's request id, or empty.
    pub request_id: String,
    /// SHA-256 of the request.
    pub digest: String,
}

/// Filters of an audit listing; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this principal, `keys/{id}`.
    pub principal: String,
    /// Only this method, `Service/Method`.
    pub method: String,
    /// Only this resource, or resources under it when it ends with `/`.
    pub resource: String,
    /// Only events at or after this instant.
    pub since: Option<Timestamp>,
    /// Only refusals (outcome other than `OK`).
    pub refusals_only: bool,
    /// Only events with this outcome (stored under either of its spellings).
    pub outcome: Option<Outcome>,
}

type EventRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn event_from_row(row: EventRow) -> (Event, String) {
    let (seq, time, principal, method, resource, outcome, request_id, digest, hash) = row;
    (
        Event {
            seq,
            time: Timestamp(time),
            principal,
            method,
            resource,
            outcome,
            request_id,
            digest,
        },
        hash,
    )
}

macro_rules! event_columns {
    () => {
        (
            audit_events::seq,
            audit_events::time,
            audit_events::principal,
            audit_events::method,
            audit_events::resource,
            audit_events::outcome,
            audit_events::request_id,
            audit_events::digest,
            audit_events::hash,
        )
    };
}

impl Tx<'_> {
    /// Appends `new` to the chain and returns it with its position.
    pub fn append_audit(&mut self, new: NewEvent) -> Result<Event, Error> {
        if let AnyConnection::Postgresql(c) = self.conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(CHAIN_LOCK)
                .execute(c)
                .map_err(db)?;
        }
        let (previous_seq, previous_hash) = self.audit_head()?.unwrap_or((0, GENESIS.to_owned()));
        let event = Event {
            seq: previous_seq + 1,
            time: new.time,
            principal: new.principal,
            method: new.method,
            resource: new.resource,
            outcome: new.outcome.as_str().to_owned(),
            request_id: new.request_id,
            digest: new.digest,
        };
        let hash = link(&previous_hash, &event);
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::seq.eq(event.seq),
                audit_events::time.eq(event.time.0),
                audit_events::principal.eq(&event.principal),
                audit_events::method.eq(&event.method),
                audit_events::resource.eq(&event.resource),
                audit_events::outcome.eq(&event.outcome),
                audit_events::request_id.eq(&event.request_id),
                audit_events::digest.eq(&event.digest),
                audit_events::hash.eq(&hash),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(event)
    }

    /// Events matching `filter`, newest first, by keyset on `seq`.
    pub fn list_audit(
        &mut self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<Event>, Error> {
        let mut q = audit_events::table
            .select(event_columns!())
            .order(audit_events::seq.desc())
            .limit(page.limit + 1)
            .into_boxed();
        if !filter.principal.is_empty() {
            q = q.filter(audit_events::principal.eq(filter.principal.clone()));
        }
        if !filter.method.is_empty() {
            q = q.filter(audit_events::method.eq(filter.method.clone()));
        }
        if filter.resource.ends_with('/') {
            q = q.filter(
                audit_events::resource
                    .like(format!(
                        "{}%",
                        filter.resource.replace('%', "\\%").replace('_', "\\_")
                    ))
                    .escape('\\'),
            );
        } else if !filter.resource.is_empty() {
            q = q.filter(audit_events::resource.eq(filter.resource.clone()));
        }
        if let Some(since) = filter.since {
            q = q.filter(audit_events::time.ge(since.0));
        }
        if filter.refusals_only {
            q = q.filter(audit_events::outcome.ne_all(Outcome::Ok.stored_spellings()));
        }
        if let Some(outcome) = filter.outcome {
            q = q.filter(audit_events::outcome.eq_any(outcome.stored_spellings()));
        }
        if let Some(after) = &page.after {
            let after: i64 = after
                .parse()
                .map_err(|_| Error::invalid("page_token", "not a token of this listing"))?;
            q = q.filter(audit_events::seq.lt(after));
        }
        let rows: Vec<EventRow> = q.load(self.conn).map_err(db)?;
        let mut items: Vec<Event> = rows.into_iter().map(|r| event_from_row(r).0).collect();
        let next = if items.len() as i64 > page.limit {
            items.truncate(usize::try_from(page.limit).unwrap_or(0));
            items.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// The chain's head: the last event's position and hash, if there is an event.
    pub fn audit_head(&mut self) -> Result<Option<(i64, String)>, Error> {
        audit_events::table
            .order(audit_events::seq.desc())
            .select((audit_events::seq, audit_events::hash))
            .first(self.conn)
            .optional()
            .map_err(db)
    }

    /// Up to `limit` events after `after_seq`, oldest first, each with its stored hash: the
    /// chain as `verify` walks it.
    pub fn audit_chain(
        &mut self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<(Event, String)>, Error> {
        let rows: Vec<EventRow> = audit_events::table
            .select(event_columns!())
            .filter(audit_events::seq.gt(after_seq))
            .order(audit_events::seq.asc())
            .limit(limit)
            .load(self.conn)
            .map_err(db)?;
        Ok(rows.into_iter().map(event_from_row).collect())
    }
}
