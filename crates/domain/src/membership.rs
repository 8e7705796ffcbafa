//! Who may join a term (thành viên): a unit that exists, existed during the term's period, and
//! sits in no other term of the same kind, year and organiser; and what carrying a term into
//! the next year takes along (kết chuyển).

use std::collections::HashMap;

use crate::{
    cluster::ClusterKind,
    error::{Error, Reason, Violations},
    term::{self, Period, Term},
    unit::{Unit, UnitRef},
};

/// What the store says about units about to join a term.
#[derive(Debug, Clone, Copy)]
pub struct Joiners<'a> {
    /// The units, in the order given.
    pub units: &'a [UnitRef],
    /// Those of them that exist, by reference.
    pub found: &'a HashMap<UnitRef, Unit>,
    /// Those already in another term of the same kind, year and organiser, with that term.
    pub elsewhere: &'a [(UnitRef, String)],
}

/// Checks units joining a term of `period` in a cluster of `kind`: every one exists (bad input
/// in `field(i)` otherwise), existed during the period, and is in no other term of the same
/// kind, year and organiser.
pub fn check_joiners(
    joiners: Joiners<'_>,
    period: Period,
    kind: ClusterKind,
    field: impl Fn(usize) -> String,
) -> Result<(), Error> {
    let mut v = Violations::default();
    for (i, u) in joiners.units.iter().enumerate() {
        if !joiners.found.contains_key(u) {
            v.add(field(i), format!("{u} does not exist"));
        }
    }
    v.finish(())?;
    let absent: Vec<&Unit> = joiners
        .units
        .iter()
        .filter_map(|u| joiners.found.get(u))
        .filter(|u| !period.admits(&u.validity))
        .collect();
    if let Some(first) = absent.first() {
        return Err(Error::precondition(
            Reason::UnitNotValidInTerm,
            first.id.to_string(),
            absent
                .iter()
                .map(|u| {
                    format!(
                        "{} ({}) did not exist between {} and {}",
                        u.id, u.name, period.start, period.end
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    if let Some((first, _)) = joiners.elsewhere.first() {
        let description = joiners
            .elsewhere
            .iter()
            .map(|(u, t)| format!("{u} is already a member of {t}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::precondition(
            Reason::UnitInAnotherTerm,
            first.to_string(),
            format!("{description}: a unit joins one {kind} term per year and organiser"),
        ));
    }
    Ok(())
}

/// Next year's term, as carried forward from this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarryForward {
    /// The next year.
    pub year: i32,
    /// Its period: the whole year.
    pub period: Period,
    /// The members that still exist in it, in rotation order.
    pub carried: Vec<UnitRef>,
    /// The members that no longer exist in it.
    pub dropped: Vec<UnitRef>,
    /// The next leader in rotation, if there was a leader and a member follows.
    pub leader: Option<UnitRef>,
}

/// Plans carrying `term` into the next year: the year is within range and has no term yet
/// (`next_exists`), and at least one member still exists then (`units`: the members as
/// stored). The leadership rotates to the next member carried.
pub fn plan_carry_forward(
    term: &Term,
    next_exists: bool,
    units: &HashMap<UnitRef, Unit>,
) -> Result<CarryForward, Error> {
    let year = term.year + 1;
    term::check_year("term", year).map_err(|v| Error::Invalid(vec![v]))?;
    if next_exists {
        let resource = crate::names::TermName::new(&term.cluster_id, year).to_string();
        return Err(Error::AlreadyExists {
            description: format!("{resource} already exists"),
            resource,
            reason: Reason::TermExists,
        });
    }
    let period = Period::of_year(year, None, None)?;
    let (carried, dropped): (Vec<UnitRef>, Vec<UnitRef>) = term
        .members
        .iter()
        .map(|m| m.unit.clone())
        .partition(|u| units.get(u).is_some_and(|x| period.admits(&x.validity)));
    if carried.is_empty() {
        return Err(Error::precondition(
            Reason::UnitNotValidInTerm,
            term.resource(),
            format!("no member of {} exists in {year}", term.resource()),
        ));
    }
    let current = term.leadership().and_then(|l| l.leader.as_ref());
    let leader = term::next_in_rotation(&term.members, current, &carried);
    Ok(CarryForward {
        year,
        period,
        carried,
        dropped,
        leader,
    })
}

/// Checks a unit's new validity end `to` (exclusive) against the terms it is a member of
/// (`terms`: each term's name and period): a unit cannot cease before a term in which it is
/// scored has begun. Refused FAILED_PRECONDITION, naming every such term.
pub fn check_unit_end(
    unit: &UnitRef,
    to: Option<crate::time::Date>,
    terms: &[(crate::names::TermName, Period)],
) -> Result<(), Error> {
    let Some(to) = to else {
        return Ok(());
    };
    let blocked: Vec<(String, String)> = terms
        .iter()
        .filter(|(_, period)| to <= period.start)
        .map(|(name, period)| {
            (
                name.to_string(),
                format!(
                    "{unit} is a member of {name}, which begins on {}",
                    period.start
                ),
            )
        })
        .collect();
    if blocked.is_empty() {
        return Ok(());
    }
    Err(Error::Preconditions {
        reason: Reason::UnitNotValidInTerm,
        description: format!(
            "{unit} cannot cease on {to}: it is a member of {} term(s) that begin later; \
             remove it from them first",
            blocked.len()
        ),
        violations: blocked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_cannot_cease_before_a_term_it_is_scored_in() {
        let kien = UnitRef::new(crate::unit::Scheme::Qd124_2004, "01843");
        let date = |s: &str| s.parse().unwrap_or_else(|e| panic!("{e}"));
        let terms = [
            (
                crate::names::TermName::new("bac-kan-city", 2022),
                Period {
                    start: date("2022-01-01"),
                    end: date("2022-12-31"),
                },
            ),
            (
                crate::names::TermName::new("bac-kan-city", 2025),
                Period {
                    start: date("2025-01-01"),
                    end: date("2025-12-31"),
                },
            ),
        ];
        assert!(check_unit_end(&kien, Some(date("2025-07-01")), &terms).is_ok());
        assert!(check_unit_end(&kien, None, &terms).is_ok());
        match check_unit_end(&kien, Some(date("2021-06-30")), &terms) {
            Err(Error::Preconditions { violations, .. }) => assert_eq!(
                violations
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>(),
                [
                    "clusters/bac-kan-city/terms/2022",
                    "clusters/bac-kan-city/terms/2025"
                ]
            ),
            other => panic!("{other:?}"),
        }
    }
    use crate::{
        fixtures::{term, unit},
        term::{Leadership, LeadershipMethod},
        time::{Date, Timestamp, Validity},
        unit::UnitKind,
    };

    fn stored(code: &str, name: &str, until: Option<Date>) -> (UnitRef, Unit) {
        let id = unit(code);
        (
            id.clone(),
            Unit {
                id,
                name: name.into(),
                kind: UnitKind::Ward,
                parent: Some(unit("058")),
                validity: Validity {
                    from: None,
                    to: until,
                },
                created_at: Timestamp(0),
                updated_at: Timestamp(0),
                version: 1,
            },
        )
    }

    #[test]
    fn joiners_exist_in_the_period_and_nowhere_else() {
        let reform = Date::new(2025, 7, 1);
        let found: HashMap<UnitRef, Unit> = [
            stored("01843", "Phùng Chí Kiên", reform),
            stored("01840", "Đức Xuân", reform),
        ]
        .into_iter()
        .collect();
        let period = |year| Period::of_year(year, None, None).unwrap_or_else(|e| panic!("{e}"));
        let field = |i: usize| format!("members[{i}]");
        let units = [unit("01843"), unit("01840")];
        let ok = Joiners {
            units: &units,
            found: &found,
            elsewhere: &[],
        };
        assert!(check_joiners(ok, period(2024), ClusterKind::Territorial, field).is_ok());
        assert_eq!(
            check_joiners(ok, period(2026), ClusterKind::Territorial, field)
                .map_err(|e| e.reason()),
            Err(Reason::UnitNotValidInTerm),
            "merged on 1 July 2025, gone in 2026"
        );
        let missing = [unit("01855")];
        let Err(Error::Invalid(v)) = check_joiners(
            Joiners {
                units: &missing,
                ..ok
            },
            period(2024),
            ClusterKind::Territorial,
            field,
        ) else {
            panic!("a unit that does not exist must be refused");
        };
        assert_eq!(v[0].field, "members[0]");
        let elsewhere = [(unit("01840"), "clusters/cum-duc-xuan/terms/2024".to_owned())];
        assert_eq!(
            check_joiners(
                Joiners {
                    elsewhere: &elsewhere,
                    ..ok
                },
                period(2024),
                ClusterKind::Territorial,
                field
            )
            .map_err(|e| e.reason()),
            Err(Reason::UnitInAnotherTerm)
        );
    }

    #[test]
    fn carrying_forward_keeps_who_still_exists_and_rotates_the_leader() {
        let mut t = term(&["01834", "01843", "01840"]);
        t.year = 2024;
        t.leadership_history.push(Leadership {
            leader: Some(unit("01834")),
            deputies: vec![],
            method: LeadershipMethod::Elected,
            deciding_act: "Hội nghị tổng kết năm 2023".into(),
            decided_on: None,
            recorded_at: Timestamp(0),
        });
        let reform = Date::new(2025, 7, 1);
        let units: HashMap<UnitRef, Unit> = [
            stored("01834", "Nguyễn Thị Minh Khai", reform),
            stored("01843", "Phùng Chí Kiên", None),
            stored("01840", "Đức Xuân", None),
        ]
        .into_iter()
        .collect();
        let plan = plan_carry_forward(&t, false, &units).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.year, 2025);
        assert_eq!(
            plan.carried.len(),
            3,
            "Nguyễn Thị Minh Khai still exists in 2025"
        );
        assert!(plan.dropped.is_empty());
        assert_eq!(plan.leader, Some(unit("01843")));
        assert_eq!(
            plan_carry_forward(&t, true, &units).map_err(|e| e.reason()),
            Err(Reason::TermExists)
        );
        t.year = 2025;
        let plan = plan_carry_forward(&t, false, &units).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.dropped, [unit("01834")], "merged on 1 July 2025");
        assert_eq!(plan.carried, [unit("01843"), unit("01840")]);
        assert_eq!(
            plan.leader,
            Some(unit("01843")),
            "the leader gone, the next carried member leads"
        );
        let none: HashMap<UnitRef, Unit> = HashMap::new();
        assert_eq!(
            plan_carry_forward(&t, false, &none).map_err(|e| e.reason()),
            Err(Reason::UnitNotValidInTerm)
        );
    }
}
