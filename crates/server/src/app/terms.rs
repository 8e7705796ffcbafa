//! Use cases of terms: creation, membership, leadership, carrying forward.

use thidua_domain::{
    Error,
    carry_forward::{self, LeaderChoice},
    cluster::Cluster,
    covenant::CovenantStatus,
    membership::{self, Joiners},
    names::TermName,
    stage::Stage,
    term::{self, Leadership, Member, Period, Term},
    time::{Date, Timestamp},
    unit::UnitRef,
};
use thidua_storage::{Page, PageRequest, Store, Tx};

use super::{Idempotency, now, succession};

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
    organiser: &UnitRef,
    year: i32,
    period: Period,
    units: &[UnitRef],
    field: impl Fn(usize) -> String,
) -> Result<(), Error> {
    let found = tx.units_by_id(units)?;
    let elsewhere = tx.conflicting_memberships(units, year, cluster, organiser)?;
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
        let organiser = succession::organiser_of_year(tx, &cluster, period)?;
        admit_joiners(tx, &cluster, &organiser, year, period, &new.members, |i| {
            format!("term.members[{i}].unit")
        })?;
        tx.insert_term(&cluster, &organiser, year, period, &new.members, now)?;
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
            &term.organiser,
            year,
            term.period,
            std::slice::from_ref(unit),
            |_| "unit".into(),
        )?;
        tx.touch_term(name, etag, now)?;
        tx.add_member(&cluster, &term.organiser, year, unit)?;
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

/// How to carry a term forward.
#[derive(Debug, Clone)]
pub struct CarryOptions {
    /// The new year; `None` for the next.
    pub year: Option<i32>,
    /// Who leads the new term.
    pub leader: LeaderChoice,
    /// Only plan: store nothing.
    pub validate_only: bool,
}

/// The outcome of carrying a term forward.
#[derive(Debug, Clone)]
pub struct CarriedForward {
    /// The new term (as it would be, when only planned).
    pub term: Term,
    /// Members that ceased and have no successor.
    pub dropped: Vec<UnitRef>,
    /// Members that ceased, and their successors.
    pub successions: Vec<(UnitRef, UnitRef)>,
}

/// What a replay of a carry-forward needs: the year, and what became of the members (unit
/// keys).
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    year: i32,
    dropped: Vec<String>,
    successions: Vec<(String, String)>,
}

impl Stored {
    fn of(year: i32, dropped: &[UnitRef], successions: &[(UnitRef, UnitRef)]) -> Self {
        Self {
            year,
            dropped: dropped.iter().map(UnitRef::key).collect(),
            successions: successions
                .iter()
                .map(|(a, b)| (a.key(), b.key()))
                .collect(),
        }
    }

    fn replay(self, tx: &mut Tx<'_>, cluster_id: &str) -> Result<CarriedForward, Error> {
        let unit = |k: &str| UnitRef::parse_key("stored", k).map_err(|v| Error::Invalid(vec![v]));
        Ok(CarriedForward {
            term: tx.existing_term(&TermName::new(cluster_id, self.year))?,
            dropped: self
                .dropped
                .iter()
                .map(|k| unit(k))
                .collect::<Result<_, _>>()?,
            successions: self
                .successions
                .iter()
                .map(|(a, b)| Ok((unit(a)?, unit(b)?)))
                .collect::<Result<_, Error>>()?,
        })
    }
}

/// Starts a later year's term from this one, each member as it is in that year (itself or its
/// successor), or with `validate_only` shows what it would be.
pub fn carry_forward(
    store: &Store,
    name: &TermName,
    options: CarryOptions,
    key: Option<Idempotency>,
) -> Result<CarriedForward, Error> {
    let cluster_id = name.cluster_id.as_str();
    let now = now();
    store.write(|tx| {
        if let Some(done) = Idempotency::replay_outcome::<Stored>(key.as_ref(), tx)? {
            return done.replay(tx, cluster_id);
        }
        let term = tx.existing_term(name)?;
        let year = options.year.unwrap_or(term.year + 1);
        let next = TermName::new(cluster_id, year);
        let taken = tx.term(&next)?.is_some();
        let members: Vec<UnitRef> = term.members.iter().map(|m| m.unit.clone()).collect();
        let (units, links) = succession::lineage_closure(tx, &members)?;
        let plan = carry_forward::plan(
            &term,
            year,
            taken,
            carry_forward::Lineage {
                units: &units,
                links: &links,
            },
            &options.leader,
        )?;
        let cluster = tx.existing_cluster(cluster_id)?;
        let organiser = succession::organiser_of_year(tx, &cluster, plan.period)?;
        admit_joiners(
            tx,
            &cluster,
            &organiser,
            plan.year,
            plan.period,
            &plan.carried,
            |i| format!("members[{i}]"),
        )?;
        let leadership = plan.leadership(now);
        if options.validate_only {
            return Ok(CarriedForward {
                term: planned_term(
                    &term,
                    &plan.carried,
                    &units,
                    organiser,
                    plan.period,
                    year,
                    leadership,
                ),
                dropped: plan.dropped,
                successions: plan.successions,
            });
        }
        tx.insert_term(
            &cluster,
            &organiser,
            plan.year,
            plan.period,
            &plan.carried,
            now,
        )?;
        // The criteria carry forward with the members; targets are the new year's to set.
        if let Some((table_id, number)) = &term.table {
            tx.bind_table(&next, table_id, *number)?;
        }
        if let Some(leadership) = leadership {
            tx.insert_leadership(&next, &leadership)?;
        }
        let stored = Stored::of(plan.year, &plan.dropped, &plan.successions);
        Idempotency::remember_outcome(key.as_ref(), tx, &stored, now)?;
        Ok(CarriedForward {
            term: tx.existing_term(&next)?,
            dropped: plan.dropped,
            successions: plan.successions,
        })
    })
}

/// The term a carry-forward would create, for a plan that stores nothing.
fn planned_term(
    from: &Term,
    members: &[UnitRef],
    units: &std::collections::HashMap<UnitRef, thidua_domain::unit::Unit>,
    organiser: UnitRef,
    period: Period,
    year: i32,
    leadership: Option<Leadership>,
) -> Term {
    Term {
        cluster_id: from.cluster_id.clone(),
        year,
        organiser,
        period,
        members: members
            .iter()
            .zip(1..)
            .map(|(u, position)| Member {
                unit: u.clone(),
                name: units.get(u).map(|x| x.name.clone()).unwrap_or_default(),
                position,
            })
            .collect(),
        leadership_history: leadership.into_iter().collect(),
        covenant_status: CovenantStatus::Draft,
        table: from.table.clone(),
        stage: Stage::Setup,
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
        version: 0,
    }
}
