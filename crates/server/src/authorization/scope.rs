//! What a call touches (a [`Scope`]), and the facts the policy table decides on for it.

use thidua_domain::{Error, access::Facts, names::TermName, results::Layer};
use thidua_storage::{TermPeople, Tx};

/// What a call touches, as far as authorization is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Nothing in particular: a collection (`units`, `keys`, `criteriaTables`, `auditEvents`).
    Collection(&'static str),
    /// One resource whose access does not depend on a cluster (a unit, a table, a key).
    Resource(String),
    /// A cluster, `clusters/{id}`.
    Cluster(String),
    /// The clusters of one organiser (unit key), as a listing filter.
    Organiser(String),
    /// An award proposal, `awards/{id}`: the scope of its term.
    Award(String),
    /// A criteria table, `criteriaTables/{id}`: managed by the organiser it belongs to.
    Table(String),
    /// A cluster to be created by `organiser` (unit key).
    NewCluster {
        /// The organiser unit's key.
        organiser: String,
    },
    /// A term.
    Term(TermName),
    /// Writes for members of a term (unit keys).
    Members(TermName, Vec<String>),
    /// One score layer of one member.
    Score(TermName, String, Layer),
}

impl Scope {
    /// The resource name recorded in the audit log.
    pub fn resource(&self) -> String {
        match self {
            Scope::Collection(c) => (*c).to_owned(),
            Scope::Resource(r) => r.clone(),
            Scope::Cluster(id) => format!("clusters/{id}"),
            Scope::NewCluster { organiser } | Scope::Organiser(organiser) => {
                format!("clusters?organiser=units/{organiser}")
            }
            Scope::Award(id) => format!("awards/{id}"),
            Scope::Table(id) => format!("criteriaTables/{id}"),
            Scope::Members(t, units) if units.len() == 1 => format!("{t}/members/{}", units[0]),
            Scope::Term(t) | Scope::Members(t, _) => t.to_string(),
            Scope::Score(t, unit, _) => format!("{t}/members/{unit}"),
        }
    }

    /// The facts of this scope as `tx` sees them. A missing cluster or term gives empty facts,
    /// so only an administrator gets as far as learning that it does not exist.
    pub(super) fn facts(&self, tx: &mut Tx<'_>) -> Result<Vec<Facts>, Error> {
        let organiser_line = |tx: &mut Tx<'_>, cluster: &str| -> Result<Vec<String>, Error> {
            match tx.cluster_organiser(cluster)? {
                Some(organiser) => tx.unit_line(&organiser),
                None => Ok(Vec::new()),
            }
        };
        let term = |tx: &mut Tx<'_>, term: &TermName| -> Result<Facts, Error> {
            let Some(TermPeople {
                members,
                leader,
                organiser,
            }) = tx.term_people(term)?
            else {
                return Ok(Facts::default());
            };
            let organiser_line = organiser_line(tx, &term.cluster_id)?;
            // Before a transfer, the term's own organiser keeps reading it.
            let former_organiser_line = if organiser_line.first() == Some(&organiser) {
                Vec::new()
            } else {
                tx.unit_line(&organiser)?
            };
            Ok(Facts {
                organiser_line,
                former_organiser_line,
                members,
                leader,
                unit: None,
                layer: None,
            })
        };
        Ok(match self {
            Scope::Collection(_) | Scope::Resource(_) => vec![Facts::default()],
            Scope::Cluster(id) => vec![Facts {
                organiser_line: organiser_line(tx, id)?,
                ..Facts::default()
            }],
            Scope::Table(id) => vec![Facts {
                organiser_line: match tx.table_owner(id)? {
                    Some(owner) => tx.unit_line(&owner)?,
                    None => Vec::new(),
                },
                ..Facts::default()
            }],
            Scope::Award(id) => match tx.award(id)? {
                Some(a) => vec![term(tx, &a.term())?],
                None => vec![Facts::default()],
            },
            Scope::NewCluster { organiser } | Scope::Organiser(organiser) => vec![Facts {
                organiser_line: tx.unit_line(organiser)?,
                ..Facts::default()
            }],
            Scope::Term(t) => vec![term(tx, t)?],
            Scope::Members(t, units) => {
                let base = term(tx, t)?;
                if units.is_empty() {
                    vec![base]
                } else {
                    units
                        .iter()
                        .map(|u| Facts {
                            unit: Some(u.clone()),
                            ..base.clone()
                        })
                        .collect()
                }
            }
            Scope::Score(t, unit, layer) => vec![Facts {
                unit: Some(unit.clone()),
                layer: Some(*layer),
                ..term(tx, t)?
            }],
        })
    }
}
