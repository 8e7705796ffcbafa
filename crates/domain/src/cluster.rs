//! Clusters and blocks (cụm thi đua, khối thi đua), organised by a unit's emulation council.

use std::{fmt, str::FromStr};

use crate::{error::FieldViolation, time::Timestamp, unit::UnitRef};

/// Longest cluster name accepted.
pub const MAX_NAME_CHARS: usize = 300;

/// Territorial cluster or functional block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterKind {
    /// Cụm: grouped by territory.
    Territorial,
    /// Khối: grouped by function.
    FunctionalBlock,
}

impl ClusterKind {
    /// The kind, as people read it.
    pub fn words(self) -> crate::words::Words {
        match self {
            ClusterKind::Territorial => crate::words!("cluster-territorial"),
            ClusterKind::FunctionalBlock => crate::words!("cluster-functional-block"),
        }
    }

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterKind::Territorial => "territorial",
            ClusterKind::FunctionalBlock => "functional_block",
        }
    }
}

impl FromStr for ClusterKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "territorial" => Ok(ClusterKind::Territorial),
            "functional_block" => Ok(ClusterKind::FunctionalBlock),
            _ => Err(()),
        }
    }
}

impl fmt::Display for ClusterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cluster as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Id, the last segment of `clusters/{id}`.
    pub id: String,
    /// Name, NFC.
    pub name: String,
    /// Kind.
    pub kind: ClusterKind,
    /// Organising unit.
    pub organiser: UnitRef,
    /// Description.
    pub description: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Version, the etag.
    pub version: i64,
}

/// Checks a client-chosen cluster id: 1–63 of a-z, 0-9 and '-', starting with a letter, not
/// ending with '-' (AIP-122).
pub fn check_cluster_id(field: &str, id: &str) -> Result<(), FieldViolation> {
    let ok = (1..=63).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldViolation::new(
            field,
            crate::words!("cluster-id-form", id = id),
        ))
    }
}

impl Cluster {
    /// The resource name, `clusters/{id}`.
    pub fn resource(&self) -> String {
        crate::names::ClusterName {
            cluster_id: self.id.clone(),
        }
        .to_string()
    }

    /// Checks a deletion: the caller's etag, if sent, is current, and the cluster has no terms
    /// (`terms`): a cluster with history is kept.
    pub fn check_deletable(&self, etag: Option<i64>, terms: i64) -> Result<(), crate::Error> {
        if etag.is_some_and(|v| v != self.version) {
            return Err(crate::Error::Aborted {
                resource: self.resource(),
            });
        }
        if terms > 0 {
            return Err(crate::Error::precondition(
                crate::Reason::ClusterHasTerms,
                self.resource(),
                crate::words!(
                    "cluster-has-terms",
                    cluster = self.resource(),
                    terms = terms
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_are_aip_ids() {
        assert!(check_cluster_id("id", "bac-kan-city").is_ok());
        assert!(check_cluster_id("id", "Bac-Kan").is_err());
        assert!(check_cluster_id("id", "1-cum").is_err());
        assert!(check_cluster_id("id", "cum-").is_err());
        assert!(check_cluster_id("id", "").is_err());
        assert!(check_cluster_id("id", &"a".repeat(64)).is_err());
    }
}
