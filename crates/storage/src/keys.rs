//! API keys, and the facts that authorization decides on (a cluster's organiser and that
//! unit's ancestors, a term's members and leader).

use diesel::prelude::*;
use thidua_domain::{
    Error,
    access::{ApiKey, Role},
    names::TermName,
    time::Timestamp,
};

use crate::{
    Page, PageRequest, Tx,
    errors::{corrupt, db},
    schema::{api_keys, clusters, criteria_tables, leadership_records, term_members, terms, units},
};

/// Ancestors followed at most when resolving a unit's line: the hierarchy has four levels
/// (nation, province, district, commune); the bound stops a parent cycle from looping.
const MAX_ANCESTORS: usize = 8;

type KeyRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    String,
    Option<i64>,
    Option<i64>,
);

fn key_from_row(row: KeyRow) -> Result<ApiKey, Error> {
    let (id, label, role, scope, display_prefix, created_at, created_by, expires_at, revoked_at) =
        row;
    Ok(ApiKey {
        role: Role::parse("role", &role).map_err(|_| corrupt("api_keys.role", &role))?,
        id,
        label,
        scope,
        display_prefix,
        created_at: Timestamp(created_at),
        created_by,
        expires_at: expires_at.map(Timestamp),
        revoked_at: revoked_at.map(Timestamp),
    })
}

macro_rules! key_columns {
    () => {
        (
            api_keys::id,
            api_keys::label,
            api_keys::role,
            api_keys::scope_unit_id,
            api_keys::display_prefix,
            api_keys::created_at,
            api_keys::created_by,
            api_keys::expires_at,
            api_keys::revoked_at,
        )
    };
}

/// Who is in a term: its members' and current leader's unit keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermPeople {
    /// The members.
    pub members: Vec<String>,
    /// The current leader, if one is recorded.
    pub leader: Option<String>,
    /// The unit that organised the term (the cluster's organiser then).
    pub organiser: String,
}

impl Tx<'_> {
    /// Stores a new key with the digest of its token.
    pub fn insert_key(&mut self, key: &ApiKey, token_digest: &str) -> Result<(), Error> {
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::id.eq(&key.id),
                api_keys::label.eq(&key.label),
                api_keys::role.eq(key.role.as_str()),
                api_keys::scope_unit_id.eq(key.scope.as_deref()),
                api_keys::token_digest.eq(token_digest),
                api_keys::display_prefix.eq(&key.display_prefix),
                api_keys::created_at.eq(key.created_at.0),
                api_keys::created_by.eq(&key.created_by),
                api_keys::expires_at.eq(key.expires_at.map(|t| t.0)),
                api_keys::revoked_at.eq(key.revoked_at.map(|t| t.0)),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// The key whose token has `token_digest`.
    pub fn key_by_digest(&mut self, token_digest: &str) -> Result<Option<ApiKey>, Error> {
        api_keys::table
            .filter(api_keys::token_digest.eq(token_digest))
            .select(key_columns!())
            .first::<KeyRow>(self.conn)
            .optional()
            .map_err(db)?
            .map(key_from_row)
            .transpose()
    }

    /// The key `id`.
    pub fn key(&mut self, id: &str) -> Result<ApiKey, Error> {
        api_keys::table
            .find(id)
            .select(key_columns!())
            .first::<KeyRow>(self.conn)
            .optional()
            .map_err(db)?
            .map(key_from_row)
            .transpose()?
            .ok_or_else(|| Error::NotFound {
                resource: format!("keys/{id}"),
            })
    }

    /// Keys in creation order (ids are time-ordered).
    pub fn list_keys(&mut self, page: &PageRequest) -> Result<Page<ApiKey>, Error> {
        let mut q = api_keys::table
            .select(key_columns!())
            .order(api_keys::id)
            .limit(page.limit + 1)
            .into_boxed();
        if let Some(after) = &page.after {
            q = q.filter(api_keys::id.gt(after.clone()));
        }
        let rows: Vec<KeyRow> = q.load(self.conn).map_err(db)?;
        let mut items = rows
            .into_iter()
            .map(key_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() as i64 > page.limit {
            items.truncate(usize::try_from(page.limit).unwrap_or(0));
            items.last().map(|k| k.id.clone())
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Revokes key `id` at `now`; revoking twice keeps the first instant.
    pub fn revoke_key(&mut self, id: &str, now: Timestamp) -> Result<ApiKey, Error> {
        diesel::update(
            api_keys::table
                .find(id)
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(now.0))
        .execute(self.conn)
        .map_err(db)?;
        self.key(id)
    }

    /// How many keys exist (revoked ones included).
    pub fn count_keys(&mut self) -> Result<i64, Error> {
        api_keys::table.count().get_result(self.conn).map_err(db)
    }

    /// `unit_id` then its ancestors, nearest first; empty when the unit does not exist.
    pub fn unit_line(&mut self, unit_id: &str) -> Result<Vec<String>, Error> {
        let mut line = Vec::new();
        let mut next = Some(unit_id.to_owned());
        while let Some(id) = next.take() {
            if line.len() >= MAX_ANCESTORS || line.contains(&id) {
                break;
            }
            let parent: Option<Option<String>> = units::table
                .find(&id)
                .select(units::parent_id)
                .get_result(self.conn)
                .optional()
                .map_err(db)?;
            let Some(parent) = parent else { break };
            line.push(id);
            next = parent;
        }
        Ok(line)
    }

    /// The organiser unit a criteria table belongs to; `None` when the table does not exist or
    /// an administrator created it.
    pub fn table_owner(&mut self, table_id: &str) -> Result<Option<String>, Error> {
        Ok(criteria_tables::table
            .find(table_id)
            .select(criteria_tables::owner_id)
            .first::<Option<String>>(self.conn)
            .optional()
            .map_err(db)?
            .flatten())
    }

    /// Records the organiser unit a new criteria table belongs to.
    pub fn set_table_owner(&mut self, table_id: &str, owner: &str) -> Result<(), Error> {
        diesel::update(criteria_tables::table.find(table_id))
            .set(criteria_tables::owner_id.eq(owner))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// The organiser unit of cluster `cluster_id`, if the cluster exists.
    pub fn cluster_organiser(&mut self, cluster_id: &str) -> Result<Option<String>, Error> {
        clusters::table
            .find(cluster_id)
            .select(clusters::organiser_id)
            .get_result(self.conn)
            .optional()
            .map_err(db)
    }

    /// The members and current leader of a term, if the term exists.
    pub fn term_people(&mut self, term: &TermName) -> Result<Option<TermPeople>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let organiser: Option<String> = terms::table
            .find((cluster_id, year))
            .select(terms::organiser_id)
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        let Some(organiser) = organiser else {
            return Ok(None);
        };
        let members: Vec<String> = term_members::table
            .filter(term_members::cluster_id.eq(cluster_id))
            .filter(term_members::year.eq(year))
            .select(term_members::unit_id)
            .load(self.conn)
            .map_err(db)?;
        let leader: Option<Option<String>> = leadership_records::table
            .filter(leadership_records::cluster_id.eq(cluster_id))
            .filter(leadership_records::year.eq(year))
            .order(leadership_records::seq.desc())
            .select(leadership_records::leader_id)
            .first(self.conn)
            .optional()
            .map_err(db)?;
        Ok(Some(TermPeople {
            members,
            leader: leader.flatten(),
            organiser,
        }))
    }
}
