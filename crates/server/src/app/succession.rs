//! Use cases across the 2025 reform: a cluster handed to a successor organiser, and who an
//! organiser or member of the past became (from the recorded lineage).

use std::collections::{HashMap, HashSet};

use thidua_domain::{
    Error,
    cluster::Cluster,
    lineage::{LineageLink, record},
    succession::{self, OrganiserTransfer},
    term::Period,
    time::Date,
    unit::{Unit, UnitRef},
};
use thidua_storage::{Store, Tx};

use super::{Idempotency, now};

/// How many links a chain of successions may have: the 2025 reform is one; renamings before
/// and after add a few.
const MAX_CHAIN: usize = 16;

/// Which way to follow lineage links from a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Along {
    /// To what the units became (links from them).
    Forward,
    /// To what they came from (links into them).
    Backward,
    /// Both ways.
    Both,
}

/// The links reachable from `start` along `along`, transitively (each once).
pub fn links_along(
    tx: &mut Tx<'_>,
    start: &[UnitRef],
    along: Along,
) -> Result<Vec<LineageLink>, Error> {
    let mut seen: HashSet<UnitRef> = start.iter().cloned().collect();
    let mut ids: HashSet<String> = HashSet::new();
    let mut links: Vec<LineageLink> = Vec::new();
    let mut frontier: Vec<UnitRef> = start.to_vec();
    for _ in 0..MAX_CHAIN {
        if frontier.is_empty() {
            break;
        }
        let mut found = Vec::new();
        if along != Along::Backward {
            found.extend(tx.links_from(&frontier)?);
        }
        if along != Along::Forward {
            found.extend(tx.links_to(&frontier)?);
        }
        frontier = Vec::new();
        for l in found {
            for u in [&l.unit, &l.related] {
                if seen.insert(u.clone()) {
                    frontier.push(u.clone());
                }
            }
            if ids.insert(l.id.clone()) {
                links.push(l);
            }
        }
    }
    Ok(links)
}

/// The units `start` lead to through the lineage, with the links between them: `start`
/// themselves, and every unit their links name, transitively.
pub fn lineage_closure(
    tx: &mut Tx<'_>,
    start: &[UnitRef],
) -> Result<(HashMap<UnitRef, Unit>, Vec<LineageLink>), Error> {
    let links = links_along(tx, start, Along::Forward)?;
    let mut named: Vec<UnitRef> = start.to_vec();
    named.extend(links.iter().map(|l| l.related.clone()));
    Ok((tx.units_by_id(&named)?, links))
}

/// The organiser of `cluster` for a term of `period`, which must have existed then (refused
/// with `ORGANISER_NOT_VALID`, naming the recorded successor or the one the lineage suggests).
pub fn organiser_of_year(
    tx: &mut Tx<'_>,
    cluster: &Cluster,
    period: Period,
) -> Result<UnitRef, Error> {
    let transfers = tx.transfers(&cluster.id)?;
    let organiser = succession::organiser_for(cluster, &transfers, period).clone();
    let unit = tx.existing_unit(&organiser)?;
    if period.admits(&unit.validity) {
        return Ok(organiser);
    }
    let recorded = transfers
        .iter()
        .find(|t| t.from == organiser && t.date > period.start);
    let suggested = match recorded {
        Some(_) => None,
        None => suggested_successor(tx, &unit, period)?,
    };
    succession::check_organiser(cluster, &unit, period, recorded, suggested.as_ref())?;
    Ok(organiser)
}

/// The successor the lineage suggests for an organiser that did not exist in `period`: its own,
/// or its nearest ancestor's (a district had none; its province did).
fn suggested_successor(
    tx: &mut Tx<'_>,
    organiser: &Unit,
    period: Period,
) -> Result<Option<Unit>, Error> {
    let mut line = vec![organiser.id.clone()];
    let mut parent = organiser.parent.clone();
    while let Some(p) = parent.filter(|p| !line.contains(p) && line.len() < MAX_CHAIN) {
        parent = tx.unit(&p)?.and_then(|u| u.parent);
        line.push(p);
    }
    let (units, links) = lineage_closure(tx, &line)?;
    let exists = |u: &UnitRef| units.get(u).is_some_and(|x| period.admits(&x.validity));
    Ok(line
        .iter()
        .find_map(|u| record::successor(u, &links, exists))
        .and_then(|u| units.get(&u).cloned()))
}

/// A cluster with its transfers, oldest first.
pub fn cluster_with_transfers(
    store: &Store,
    id: &str,
) -> Result<(Cluster, Vec<OrganiserTransfer>), Error> {
    store.read(|tx| Ok((tx.existing_cluster(id)?, tx.transfers(id)?)))
}

/// A transfer to record.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    /// The cluster.
    pub cluster_id: String,
    /// The successor organiser.
    pub to: UnitRef,
    /// The day it took over.
    pub date: Date,
    /// The act.
    pub legal_act: String,
    /// The cluster's etag, if sent.
    pub etag: Option<i64>,
}

/// Hands a cluster to a successor organiser; its terms stay.
pub fn transfer(
    store: &Store,
    new: NewTransfer,
    key: Option<Idempotency>,
) -> Result<(Cluster, Vec<OrganiserTransfer>), Error> {
    let now = now();
    store.write(|tx| {
        if Idempotency::replay(key.as_ref(), tx)?.is_some() {
            return Ok((
                tx.existing_cluster(&new.cluster_id)?,
                tx.transfers(&new.cluster_id)?,
            ));
        }
        let cluster = tx.existing_cluster(&new.cluster_id)?;
        if new.etag.is_some_and(|v| v != cluster.version) {
            return Err(Error::Aborted {
                resource: cluster.resource(),
            });
        }
        let to = tx.unit(&new.to)?;
        let last = tx.last_term(&cluster.id)?;
        succession::check_transfer(
            &cluster,
            &new.to,
            to.as_ref(),
            new.date,
            &new.legal_act,
            last.as_ref().map(|(t, p)| (t, *p)),
        )?;
        let transfer = OrganiserTransfer {
            cluster_id: cluster.id.clone(),
            from: cluster.organiser.clone(),
            to: new.to.clone(),
            date: new.date,
            legal_act: new.legal_act.clone(),
            recorded_at: now,
        };
        let cluster = tx.transfer_cluster(&cluster, cluster.version, &transfer)?;
        Idempotency::remember(key.as_ref(), tx, &cluster.id, now)?;
        let transfers = tx.transfers(&cluster.id)?;
        Ok((cluster, transfers))
    })
}
