//! Clusters and blocks.

use diesel::prelude::*;
use thidua_domain::{
    Error, Reason,
    cluster::{Cluster, ClusterKind},
    text::search_key,
    time::Timestamp,
    unit::UnitRef,
};

use crate::{
    Page, PageRequest, Tx,
    errors::{corrupt, db, is_unique_violation},
    schema::{clusters, terms},
    units::{page_of, parse_key},
};

/// Separates the two parts of a cluster page key (name key, id); it occurs in neither.
const KEY_SEPARATOR: char = '\u{1f}';

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = clusters)]
struct ClusterRow {
    id: String,
    name: String,
    name_key: String,
    kind: String,
    organiser_id: String,
    description: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

impl ClusterRow {
    fn into_domain(self) -> Result<Cluster, Error> {
        Ok(Cluster {
            kind: self
                .kind
                .parse()
                .map_err(|()| corrupt("cluster kind", &self.kind))?,
            organiser: parse_key(&self.organiser_id)?,
            id: self.id,
            name: self.name,
            description: self.description,
            created_at: Timestamp(self.created_at),
            updated_at: Timestamp(self.updated_at),
            version: self.version,
        })
    }
}

/// Filters of a cluster listing.
#[derive(Debug, Clone, Default)]
pub struct ClusterFilter {
    /// Only clusters of this organiser.
    pub organiser: Option<UnitRef>,
    /// Only this kind.
    pub kind: Option<ClusterKind>,
    /// Folded search text.
    pub search: Option<String>,
}

impl Tx<'_> {
    /// Creates a cluster; `AlreadyExists` when the id is taken.
    pub fn insert_cluster(&mut self, c: &Cluster) -> Result<(), Error> {
        let row = ClusterRow {
            id: c.id.clone(),
            name: c.name.clone(),
            name_key: search_key(&c.name),
            kind: c.kind.as_str().to_owned(),
            organiser_id: c.organiser.key(),
            description: c.description.clone(),
            created_at: c.created_at.0,
            updated_at: c.updated_at.0,
            version: c.version,
        };
        diesel::insert_into(clusters::table)
            .values(row)
            .execute(self.conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    Error::AlreadyExists {
                        resource: format!("clusters/{}", c.id),
                        reason: Reason::AlreadyExists,
                        description: thidua_domain::words!(
                            "already-exists",
                            resource = format!("clusters/{}", c.id)
                        ),
                    }
                } else {
                    db(e)
                }
            })?;
        Ok(())
    }

    /// One cluster.
    pub fn cluster(&mut self, id: &str) -> Result<Option<Cluster>, Error> {
        clusters::table
            .find(id)
            .select(ClusterRow::as_select())
            .get_result(self.conn)
            .optional()
            .map_err(db)?
            .map(ClusterRow::into_domain)
            .transpose()
    }

    /// One cluster, or `NotFound`.
    pub fn existing_cluster(&mut self, id: &str) -> Result<Cluster, Error> {
        self.cluster(id)?.ok_or_else(|| Error::NotFound {
            resource: format!("clusters/{id}"),
        })
    }

    /// Saves a cluster's name and description if its version is still `expected_version`.
    pub fn update_cluster(
        &mut self,
        c: &Cluster,
        expected_version: i64,
        now: Timestamp,
    ) -> Result<Cluster, Error> {
        let updated = diesel::update(
            clusters::table
                .filter(clusters::id.eq(&c.id))
                .filter(clusters::version.eq(expected_version)),
        )
        .set((
            clusters::name.eq(&c.name),
            clusters::name_key.eq(search_key(&c.name)),
            clusters::description.eq(&c.description),
            clusters::updated_at.eq(now.0),
            clusters::version.eq(expected_version + 1),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: format!("clusters/{}", c.id),
            });
        }
        self.existing_cluster(&c.id)
    }

    /// Number of terms of a cluster.
    pub fn term_count(&mut self, cluster_id: &str) -> Result<i64, Error> {
        terms::table
            .filter(terms::cluster_id.eq(cluster_id))
            .count()
            .get_result(self.conn)
            .map_err(db)
    }

    /// Deletes a cluster that has no terms.
    pub fn delete_cluster(&mut self, id: &str) -> Result<(), Error> {
        diesel::delete(clusters::table.find(id))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// A page of clusters in name order.
    pub fn list_clusters(
        &mut self,
        filter: &ClusterFilter,
        page: &PageRequest,
    ) -> Result<Page<Cluster>, Error> {
        let mut query = clusters::table.select(ClusterRow::as_select()).into_boxed();
        if let Some(org) = &filter.organiser {
            query = query.filter(clusters::organiser_id.eq(org.key()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(clusters::kind.eq(kind.as_str()));
        }
        if let Some(search) = &filter.search {
            let key = search_key(search).replace(['%', '_', '\\'], "");
            query = query.filter(clusters::name_key.like(format!("%{key}%")));
        }
        if let Some(after) = &page.after {
            let (name_key, id) = after
                .split_once(KEY_SEPARATOR)
                .unwrap_or((after.as_str(), ""));
            query = query.filter(
                clusters::name_key
                    .gt(name_key.to_owned())
                    .or(clusters::name_key
                        .eq(name_key.to_owned())
                        .and(clusters::id.gt(id.to_owned()))),
            );
        }
        let rows: Vec<ClusterRow> = query
            .order((clusters::name_key, clusters::id))
            .limit(page.limit + 1)
            .load(self.conn)
            .map_err(db)?;
        page_of(
            rows,
            page.limit,
            |r| format!("{}{KEY_SEPARATOR}{}", r.name_key, r.id),
            ClusterRow::into_domain,
        )
    }
}
