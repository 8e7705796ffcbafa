//! Use cases of clusters.

use thidua_domain::{
    Error,
    cluster::{Cluster, ClusterKind},
    unit::UnitRef,
};
use thidua_storage::{ClusterFilter, Page, PageRequest, Store};

use super::{Idempotency, now};

/// A cluster to create, validated.
#[derive(Debug, Clone)]
pub struct NewCluster {
    /// Chosen id, or `None` to generate one.
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ClusterKind,
    /// Organiser.
    pub organiser: UnitRef,
    /// Description.
    pub description: String,
}

/// Creates a cluster; the organiser must exist.
pub fn create(store: &Store, new: NewCluster, key: Option<Idempotency>) -> Result<Cluster, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(id) = Idempotency::replay(key.as_ref(), tx)? {
            return tx.existing_cluster(&id);
        }
        let organiser = tx.unit(&new.organiser)?;
        thidua_domain::unit::referenced("cluster.organiser", &new.organiser, organiser)?;
        let id = new
            .id
            .unwrap_or_else(|| format!("c-{}", uuid::Uuid::now_v7().simple()));
        let cluster = Cluster {
            id,
            name: new.name,
            kind: new.kind,
            organiser: new.organiser,
            description: new.description,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        tx.insert_cluster(&cluster)?;
        Idempotency::remember(key.as_ref(), tx, &cluster.id, now)?;
        Ok(cluster)
    })
}

/// Lists clusters.
pub fn list(
    store: &Store,
    filter: &ClusterFilter,
    page: &PageRequest,
) -> Result<Page<Cluster>, Error> {
    store.read(|tx| tx.list_clusters(filter, page))
}

/// Changes a cluster's name and description if `etag` is current.
pub fn update(
    store: &Store,
    id: &str,
    etag: Option<i64>,
    name: Option<String>,
    description: Option<String>,
) -> Result<Cluster, Error> {
    let now = now();
    store.write(|tx| {
        let mut cluster = tx.existing_cluster(id)?;
        let version = etag.unwrap_or(cluster.version);
        if let Some(name) = name {
            cluster.name = name;
        }
        if let Some(description) = description {
            cluster.description = description;
        }
        tx.update_cluster(&cluster, version, now)
    })
}

/// Deletes a cluster that has no terms.
pub fn delete(store: &Store, id: &str, etag: Option<i64>) -> Result<(), Error> {
    store.write(|tx| {
        let cluster = tx.existing_cluster(id)?;
        let terms = tx.term_count(id)?;
        cluster.check_deletable(etag, terms)?;
        tx.delete_cluster(id)
    })
}
