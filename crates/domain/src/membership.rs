//! Who may join a term (thành viên): a unit that exists, existed during the term's period, and
//! sits in no other term of the same kind, year and organiser; and when a member may cease.

use std::collections::HashMap;

use crate::{
    cluster::ClusterKind,
    error::{Error, Reason, Violations},
    term::Period,
    unit::{Unit, UnitRef},
    words,
    words::Words,
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
            v.add(field(i), words!("unit-does-not-exist", unit = u));
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
            Words::List(
                absent
                    .iter()
                    .map(|u| {
                        words!(
                            "unit-absent-in-period",
                            unit = u.id,
                            name = u.name,
                            start => period.start.words(),
                            end => period.end.words()
                        )
                    })
                    .collect(),
            ),
        ));
    }
    if let Some((first, _)) = joiners.elsewhere.first() {
        let members = Words::List(
            joiners
                .elsewhere
                .iter()
                .map(|(u, t)| words!("already-a-member", unit = u, term = t))
                .collect(),
        );
        return Err(Error::precondition(
            Reason::UnitInAnotherTerm,
            first.to_string(),
            words!("one-term-per-year", members => members, kind => kind.words()),
        ));
    }
    Ok(())
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
    let blocked: Vec<(String, Words)> = terms
        .iter()
        .filter(|(_, period)| to <= period.start)
        .map(|(name, period)| {
            (
                name.to_string(),
                words!(
                    "member-of-later-term",
                    unit = unit,
                    term = name,
                    start => period.start.words()
                ),
            )
        })
        .collect();
    if blocked.is_empty() {
        return Ok(());
    }
    Err(Error::Preconditions {
        reason: Reason::UnitNotValidInTerm,
        description: words!(
            "unit-cannot-cease",
            unit = unit,
            to => to.words(),
            terms = blocked.len()
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
        fixtures::{stored_unit, unit},
        time::Date,
    };

    #[test]
    fn joiners_exist_in_the_period_and_nowhere_else() {
        let reform = Date::new(2025, 7, 1);
        let found: HashMap<UnitRef, Unit> = [
            stored_unit(unit("01843"), "Phùng Chí Kiên", None, reform),
            stored_unit(unit("01840"), "Đức Xuân", None, reform),
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
}
