//! Request ids: a create or import retried with the same `request_id` has exactly one effect.
//! The first call stores a digest of its request and its response, in the same transaction as
//! its effect; a retry gets the stored response back.

use diesel::prelude::*;
use thidua_domain::{Error, Reason, time::Timestamp};

use crate::{Tx, errors::db, schema::request_ids};

/// The response recorded for a request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// What the caller stored as the response (a resource name or a JSON summary).
    pub response: String,
}

impl Tx<'_> {
    /// The stored response of `request_id` for `method`, if the request was seen before.
    /// `InvalidArgument` when the id was used for another method or another request.
    pub fn replay(
        &mut self,
        request_id: &str,
        method: &str,
        digest: &str,
    ) -> Result<Option<StoredResponse>, Error> {
        // Two concurrent calls with one request id: on PostgreSQL the second waits here until
        // the first commits, then replays its response (SQLite write transactions are serial
        // already).
        if let crate::connection::AnyConnection::Postgresql(c) = self.conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<diesel::sql_types::Text, _>(request_id)
                .execute(c)
                .map_err(db)?;
        }
        let row: Option<(String, String, String)> = request_ids::table
            .find(request_id)
            .select((
                request_ids::method,
                request_ids::digest,
                request_ids::response,
            ))
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        match row {
            None => Ok(None),
            Some((m, d, response)) if m == method && d == digest => {
                Ok(Some(StoredResponse { response }))
            }
            Some(_) => Err(Error::precondition(
                Reason::RequestIdReused,
                format!("request_id {request_id}"),
                format!(
                    "request_id `{request_id}` was already used for a different request; use a new one"
                ),
            )),
        }
    }

    /// Records the response of `request_id`.
    pub fn remember(
        &mut self,
        request_id: &str,
        method: &str,
        digest: &str,
        response: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        diesel::insert_into(request_ids::table)
            .values((
                request_ids::request_id.eq(request_id),
                request_ids::method.eq(method),
                request_ids::digest.eq(digest),
                request_ids::response.eq(response),
                request_ids::created_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }
}
