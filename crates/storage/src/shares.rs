//! Share links of a term's scoreboard, stored with their token's digest.

use diesel::prelude::*;
use thidua_domain::{
    Error,
    access::share::{ScoreboardShare, ShareName},
    names::TermName,
    time::Timestamp,
};

use crate::{Tx, errors::db, schema::scoreboard_shares as s};

type ShareRow = (String, String, i32, String, i64, String, i64, Option<i64>);

fn share_from_row(row: ShareRow) -> ScoreboardShare {
    let (id, cluster_id, year, label, created_at, created_by, expires_at, revoked_at) = row;
    ScoreboardShare {
        name: ShareName {
            term: TermName::new(&cluster_id, year),
            id,
        },
        label,
        created_at: Timestamp(created_at),
        created_by,
        expires_at: Timestamp(expires_at),
        revoked_at: revoked_at.map(Timestamp),
    }
}

macro_rules! share_columns {
    () => {
        (
            s::id,
            s::cluster_id,
            s::year,
            s::label,
            s::created_at,
            s::created_by,
            s::expires_at,
            s::revoked_at,
        )
    };
}

impl Tx<'_> {
    /// Stores a new share link with the digest of its token.
    pub fn insert_share(
        &mut self,
        share: &ScoreboardShare,
        token_digest: &str,
    ) -> Result<(), Error> {
        diesel::insert_into(s::table)
            .values((
                s::id.eq(&share.name.id),
                s::cluster_id.eq(&share.name.term.cluster_id),
                s::year.eq(share.name.term.year),
                s::label.eq(&share.label),
                s::token_digest.eq(token_digest),
                s::created_at.eq(share.created_at.0),
                s::created_by.eq(&share.created_by),
                s::expires_at.eq(share.expires_at.0),
                s::revoked_at.eq(share.revoked_at.map(|t| t.0)),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// The share link whose token has `token_digest`.
    pub fn share_by_digest(
        &mut self,
        token_digest: &str,
    ) -> Result<Option<ScoreboardShare>, Error> {
        s::table
            .filter(s::token_digest.eq(token_digest))
            .select(share_columns!())
            .first::<ShareRow>(self.conn)
            .optional()
            .map_err(db)
            .map(|row| row.map(share_from_row))
    }

    /// The term's share links, newest first.
    pub fn shares_of(&mut self, term: &TermName) -> Result<Vec<ScoreboardShare>, Error> {
        s::table
            .filter(s::cluster_id.eq(&term.cluster_id))
            .filter(s::year.eq(term.year))
            .order((s::created_at.desc(), s::id.desc()))
            .select(share_columns!())
            .load::<ShareRow>(self.conn)
            .map_err(db)
            .map(|rows| rows.into_iter().map(share_from_row).collect())
    }

    /// Revokes the share link `name` at `at` (kept revoked at its first time); returns it, or
    /// NOT_FOUND.
    pub fn revoke_share(
        &mut self,
        name: &ShareName,
        at: Timestamp,
    ) -> Result<ScoreboardShare, Error> {
        let of_name = s::id
            .eq(&name.id)
            .and(s::cluster_id.eq(&name.term.cluster_id))
            .and(s::year.eq(name.term.year));
        diesel::update(s::table.filter(of_name).filter(s::revoked_at.is_null()))
            .set(s::revoked_at.eq(at.0))
            .execute(self.conn)
            .map_err(db)?;
        s::table
            .filter(of_name)
            .select(share_columns!())
            .first::<ShareRow>(self.conn)
            .optional()
            .map_err(db)?
            .map(share_from_row)
            .ok_or_else(|| Error::NotFound {
                resource: name.to_string(),
            })
    }
}
