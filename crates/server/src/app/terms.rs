//! Use cases of terms: creation, membership, leadership, carrying forward.

use thidua_domain::{
    Error,
    cluster::Cluster,
    membership::{self, Joiners},
    names::TermName,
    term::{self, Leadership, LeadershipMethod, Period, Term},
    time::Date,
    unit::UnitRef,
};
use thidua_storage::{Page, PageRequest, Store, Tx};

use super::{Idempotency, now};

/// A term to create.
#[derive(Debug, Clone)]
pub struct NewTerm {
    /// The cluster.
    pub cluster_id: String,
    /// The year.
    pub year: i32,
    /// First day, default 1 January.
    pub start: Option<Date>,
    /// Last day, default 31 December.
    pub end: Option<Date>,
    /// Members in rotation order.
    pub members: Vec<UnitRef>,
}

/// Loads what the domain needs to admit `units` into a term of `cluster` in `year` and asks it
/// ([`membership::check_joiners`]). `field(i)` names the i-th unit in violations.
fn admit_joiners(
    tx: &mut Tx<'_>,
    cluster: &Cluster,
    year: i32,
    period: Period,
    units: &[UnitRef],
    field: impl Fn(usize) -> String,
) -> Result<(), Error> {
    let found = tx.units_by_id(units)?;
    let elsewhere = tx.conflicting_memberships(units, year, cluster)?;
    membership::check_joiners(
        Joiners {
            units,
            found: &found,
            elsewhere: &elsewhere,
        },
        period,
        cluster.kind,
        field,
    )
}

/// Creates a term with its members and a draft covenant.
pub fn create(store: &Store, new: NewTerm, key: Option<Idempotency>) -> Result<Term, Error> {
    let now = now();
    let year = term::check_year("term.year", new.year).map_err(|v| Error::Invalid(vec![v]))?;
    let period = Period::of_year(year, new.start, new.end)?;
    term::check_members("term.members", &new.members)?;
    store.write(|tx| {
        if let Some(name) = Idempotency::replay(key.as_ref(), tx)? {
            let stored = name
                .rsplit_once('/')
                .and_then(|(c, y)| Some(TermName::new(c, y.parse().ok()?)))
                .ok_or_else(|| Error::Internal(format!("stored term key {name}")))?;
            return tx.existing_term(&stored);
        }
        let cluster = tx.existing_cluster(&new.cluster_id)?;
        admit_joiners(tx, &cluster, year, period, &new.members, |i| {
            format!("term.members[{i}].unit")
        })?;
        tx.insert_term(&cluster, year, period, &new.members, now)?;
        Idempotency::remember(key.as_ref(), tx, &format!("{}/{year}", cluster.id), now)?;
        tx.existing_term(&TermName::new(&cluster.id, year))
    })
}

/// Gets a term.
pub fn get(store: &Store, name: &TermName) -> Result<Term, Error> {
    store.read(|tx| tx.existing_term(name))
}

/// Lists a cluster's terms.
pub fn list(store: &Store, cluster_id: &str, page: &PageRequest) -> Result<Page<Term>, Error> {
    store.read(|tx| {
        tx.existing_cluster(cluster_id)?;
        tx.list_terms(cluster_id, page)
    })
}

/// Adds a member before the covenant is signed.
pub fn add_member(
    store: &Store,
    name: &TermName,
    unit: &UnitRef,
    etag: Option<i64>,
) -> Result<Term, Error> {
    let (cluster_id, year) = (name.cluster_id.as_str(), name.year);
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        term.check_joining(unit)?;
        let cluster = tx.existing_cluster(cluster_id)?;
        admit_joiners(
            tx,
            &cluster,
            year,
            term.period,
            std::slice::from_ref(unit),
            |_| "unit".into(),
        )?;
        tx.touch_term(name, etag, now)?;
        tx.add_member(&cluster, year, unit)?;
        tx.existing_term(name)
    })
}

/// Removes a member before the covenant is signed; a leader or deputy must be replaced first.
pub fn remove_member(
    store: &Store,
    name: &TermName,
    unit: &UnitRef,
    etag: Option<i64>,
) -> Result<Term, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        term.check_leaving(unit)?;
        tx.touch_term(name, etag, now)?;
        tx.drop_member_targets(name, unit)?;
        tx.remove_member(name, unit)?;
        tx.existing_term(name)
    })
}

/// Records a new leadership; earlier records stay.
pub fn set_leadership(
    store: &Store,
    name: &TermName,
    leadership: Leadership,
    etag: Option<i64>,
) -> Result<Term, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        term::check_leadership(&term, &leadership)?;
        tx.touch_term(name, etag, now)?;
        tx.insert_leadership(
            name,
            &Leadership {
                recorded_at: now,
                ..leadership
            },
        )?;
        tx.existing_term(name)
    })
}

/// The outcome of carrying a term forward.
#[derive(Debug, Clone)]
pub struct CarriedForward {
    /// The new term.
    pub term: Term,
    /// Members that no longer exist in the new year.
    pub dropped: Vec<UnitRef>,
}

/// Starts next year's term from this one.
pub fn carry_forward(
    store: &Store,
    name: &TermName,
    key: Option<Idempotency>,
) -> Result<CarriedForward, Error> {
    let cluster_id = name.cluster_id.as_str();
    let next = TermName::new(cluster_id, name.year + 1);
    let now = now();
    store.write(|tx| {
        if let Some(dropped) = Idempotency::replay_outcome::<Vec<String>>(key.as_ref(), tx)? {
            let dropped = dropped
                .iter()
                .map(|k| UnitRef::parse_key("dropped", k).map_err(|v| Error::Invalid(vec![v])))
                .collect::<Result<_, _>>()?;
            return Ok(CarriedForward {
                term: tx.existing_term(&next)?,
                dropped,
            });
        }
        let term = tx.existing_term(name)?;
        let next_exists = tx.term(&next)?.is_some();
        let members: Vec<UnitRef> = term.members.iter().map(|m| m.unit.clone()).collect();
        let units = tx.units_by_id(&members)?;
        let plan = membership::plan_carry_forward(&term, next_exists, &units)?;
        let cluster = tx.existing_cluster(cluster_id)?;
        admit_joiners(tx, &cluster, plan.year, plan.period, &plan.carried, |i| {
            format!("members[{i}]")
        })?;
        tx.insert_term(&cluster, plan.year, plan.period, &plan.carried, now)?;
        // The criteria carry forward with the members; targets are the new year's to set.
        if let Some((table_id, number)) = &term.table {
            tx.bind_table(&next, table_id, *number)?;
        }
        if let Some(leader) = plan.leader {
            tx.insert_leadership(
                &next,
                &Leadership {
                    leader: Some(leader),
                    deputies: vec![],
                    method: LeadershipMethod::Rotated,
                    deciding_act: format!("Luân phiên theo thứ tự từ {}", term.resource()),
                    decided_on: None,
                    recorded_at: now,
                },
            )?;
        }
        let dropped = plan.dropped;
        let stored: Vec<String> = dropped.iter().map(UnitRef::key).collect();
        Idempotency::remember_outcome(key.as_ref(), tx, &stored, now)?;
        Ok(CarriedForward {
            term: tx.existing_term(&next)?,
            dropped,
        })
    })
}
