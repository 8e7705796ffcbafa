//! Carrying a term into a later year (kết chuyển): who the members become, who leads.
//!
//! Members that still exist in the new year stay. A member that ceased is replaced by its
//! successor from the lineage (a whole merger or renaming: the unit it went into; a division:
//! the `main` part), the same rule by which a successor carries a predecessor's record
//! ([`crate::lineage::record::successor`]). Members that became the same unit are one member,
//! at the first one's place in the rotation. A member with no successor is dropped.
//!
//! The leadership rotates to the next member, as each year; deputies stay (as their
//! successors). When the leader itself ceased, nobody can rotate from it: the organiser names
//! the new leader, or takes the leader's successor from the lineage.

use std::collections::HashMap;

use crate::{
    error::{Error, FieldViolation, Reason},
    lineage::{LineageLink, record},
    names::TermName,
    term::{self, Leadership, LeadershipMethod, Period, Term},
    time::Timestamp,
    unit::{Unit, UnitRef},
    words,
};

/// Who leads the new term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaderChoice {
    /// The next member after the current leader in rotation order.
    Rotate,
    /// This unit, which must be a member of the new term.
    Named(UnitRef),
    /// The current leader, or its successor when it ceased.
    FromLineage,
}

/// What the store says about the term's members and their successors.
#[derive(Debug, Clone, Copy)]
pub struct Lineage<'a> {
    /// The members and every unit their links lead to, by reference.
    pub units: &'a HashMap<UnitRef, Unit>,
    /// The links from those units.
    pub links: &'a [LineageLink],
}

/// A later year's term, as carried forward from this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarryForward {
    /// The new year.
    pub year: i32,
    /// Its period: the whole year.
    pub period: Period,
    /// The new term's members, in rotation order.
    pub carried: Vec<UnitRef>,
    /// Members that ceased, each with the successor that takes its place.
    pub successions: Vec<(UnitRef, UnitRef)>,
    /// Members that ceased and have no successor.
    pub dropped: Vec<UnitRef>,
    /// The new leader, if there was a leader.
    pub leader: Option<UnitRef>,
    /// The deputies, as carried.
    pub deputies: Vec<UnitRef>,
    /// How the leader was chosen, and the record's act.
    pub method: (LeadershipMethod, String),
}

impl CarryForward {
    /// The new term's leadership record, if it has a leader.
    pub fn leadership(&self, recorded_at: Timestamp) -> Option<Leadership> {
        let leader = self.leader.clone()?;
        Some(Leadership {
            leader: Some(leader),
            deputies: self.deputies.clone(),
            method: self.method.0,
            deciding_act: self.method.1.clone(),
            decided_on: None,
            recorded_at,
        })
    }
}

/// Plans carrying `term` into `year` (after the term's; none yet there: `year_taken`): each
/// member as it is in that year (itself, its successor, or dropped), the leader as `choice`
/// says, the deputies kept. Refused when nobody is left, when the year is not later, or when
/// the leader ceased and `choice` is [`LeaderChoice::Rotate`] (FAILED_PRECONDITION
/// `LEADER_CEASED`, naming the successor the lineage offers).
pub fn plan(
    term: &Term,
    year: i32,
    year_taken: bool,
    lineage: Lineage<'_>,
    choice: &LeaderChoice,
) -> Result<CarryForward, Error> {
    let year = term::check_year("year", year).map_err(|v| Error::Invalid(vec![v]))?;
    if year <= term.year {
        return Err(Error::invalid(
            "year",
            words!("carry-not-forward", year = year, from = term.year),
        ));
    }
    if year_taken {
        let resource = TermName::new(&term.cluster_id, year).to_string();
        return Err(Error::AlreadyExists {
            description: words!("already-exists", resource = resource),
            resource,
            reason: Reason::TermExists,
        });
    }
    let period = Period::of_year(year, None, None)?;
    let exists = |u: &UnitRef| {
        lineage
            .units
            .get(u)
            .is_some_and(|x| period.admits(&x.validity))
    };
    // Each member as it is in the new year.
    let becomes: Vec<Option<UnitRef>> = term
        .members
        .iter()
        .map(|m| {
            if exists(&m.unit) {
                Some(m.unit.clone())
            } else {
                record::successor(&m.unit, lineage.links, exists)
            }
        })
        .collect();
    let mut carried: Vec<UnitRef> = Vec::new();
    let mut successions = Vec::new();
    let mut dropped = Vec::new();
    for (member, now) in term.members.iter().zip(&becomes) {
        match now {
            Some(u) => {
                if u != &member.unit {
                    successions.push((member.unit.clone(), u.clone()));
                }
                if !carried.contains(u) {
                    carried.push(u.clone());
                }
            }
            None => dropped.push(member.unit.clone()),
        }
    }
    if carried.is_empty() {
        return Err(Error::precondition(
            Reason::UnitNotValidInTerm,
            term.resource(),
            words!("carry-no-member", term = term.resource(), year = year),
        ));
    }
    let as_carried = |u: &UnitRef| {
        term.members
            .iter()
            .position(|m| &m.unit == u)
            .and_then(|i| becomes[i].clone())
    };
    let current = term.leadership().and_then(|l| l.leader.as_ref());
    let leader = match (choice, current) {
        (LeaderChoice::Named(u), _) => {
            if !carried.contains(u) {
                return Err(Error::Invalid(vec![FieldViolation::new(
                    "leader",
                    words!("carry-leader-not-member", unit = u, year = year),
                )]));
            }
            Some(u.clone())
        }
        (_, None) => None,
        (LeaderChoice::Rotate, Some(l)) if exists(l) => {
            next_after(term, l, &becomes).or_else(|| Some(l.clone()))
        }
        (LeaderChoice::FromLineage, Some(l)) => match as_carried(l) {
            Some(u) => Some(u),
            None => return Err(leader_ceased(term, l, None, year)),
        },
        (LeaderChoice::Rotate, Some(l)) => {
            return Err(leader_ceased(term, l, as_carried(l).as_ref(), year));
        }
    };
    let mut deputies = Vec::new();
    for d in term.leadership().map_or(&[][..], |l| l.deputies.as_slice()) {
        if let Some(u) = as_carried(d)
            && Some(&u) != leader.as_ref()
            && !deputies.contains(&u)
        {
            deputies.push(u);
        }
    }
    let method = match choice {
        LeaderChoice::Rotate => (
            LeadershipMethod::Rotated,
            format!("Luân phiên theo thứ tự từ {}", term.resource()),
        ),
        LeaderChoice::Named(_) => (
            LeadershipMethod::Appointed,
            format!("Ban tổ chức chỉ định khi kết chuyển từ {}", term.resource()),
        ),
        LeaderChoice::FromLineage => (
            LeadershipMethod::Appointed,
            format!(
                "Đơn vị kế thừa trưởng cụm của {} theo lịch sử hình thành",
                term.resource()
            ),
        ),
    };
    Ok(CarryForward {
        year,
        period,
        carried,
        successions,
        dropped,
        leader,
        deputies,
        method,
    })
}

/// The member after `leader` in rotation order that is carried (as itself or its successor),
/// wrapping around.
fn next_after(term: &Term, leader: &UnitRef, becomes: &[Option<UnitRef>]) -> Option<UnitRef> {
    let n = term.members.len();
    let start = term.members.iter().position(|m| &m.unit == leader)?;
    (1..n)
        .map(|step| (start + step) % n)
        .find_map(|i| becomes[i].clone().filter(|u| u != leader))
}

/// The refusal when the leader ceased and nobody said who leads now.
fn leader_ceased(term: &Term, leader: &UnitRef, successor: Option<&UnitRef>, year: i32) -> Error {
    Error::precondition(
        Reason::LeaderCeased,
        term.resource(),
        match successor {
            Some(s) => words!(
                "leader-ceased-successor",
                leader = leader,
                year = year,
                successor = s
            ),
            None => words!("leader-ceased", leader = leader, year = year),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{stored_unit, term, unit},
        lineage::{LineageKind, Share},
        time::Date,
        unit::Scheme,
    };

    fn led(mut t: Term, leader: &str, deputies: &[&str]) -> Term {
        t.leadership_history.push(Leadership {
            leader: Some(unit(leader)),
            deputies: deputies.iter().map(|d| unit(d)).collect(),
            method: LeadershipMethod::Elected,
            deciding_act: "Hội nghị tổng kết năm 2021".into(),
            decided_on: None,
            recorded_at: Timestamp(0),
        });
        t
    }

    fn new(code: &str) -> UnitRef {
        UnitRef::new(Scheme::Qd19_2025, code)
    }

    /// The seed's eight units, ceased on 1 July 2025, and the three they became.
    fn bac_kan_2025() -> (HashMap<UnitRef, Unit>, Vec<LineageLink>) {
        let reform = Date::new(2025, 7, 1);
        let mut units: HashMap<UnitRef, Unit> = [
            ("01834", "Nguyễn Thị Minh Khai"),
            ("01837", "Sông Cầu"),
            ("01840", "Đức Xuân"),
            ("01843", "Phùng Chí Kiên"),
            ("01846", "Huyền Tụng"),
            ("01849", "Dương Quang"),
            ("01852", "Nông Thượng"),
            ("01855", "Xuất Hóa"),
        ]
        .into_iter()
        .map(|(c, n)| stored_unit(unit(c), n, None, reform))
        .collect();
        for (c, n) in [
            ("01840", "Đức Xuân"),
            ("01843", "Bắc Kạn"),
            ("01849", "Phong Quang"),
        ] {
            let (k, u) = stored_unit(new(c), n, reform, None);
            units.insert(k, u);
        }
        let links = [
            ("01834", "01840"),
            ("01837", "01843"),
            ("01840", "01840"),
            ("01843", "01843"),
            ("01846", "01840"),
            ("01849", "01849"),
            ("01852", "01843"),
            ("01855", "01843"),
        ]
        .into_iter()
        .map(|(from, to)| LineageLink {
            id: from.into(),
            kind: LineageKind::MergedInto,
            unit: unit(from),
            related: new(to),
            share: Share::Whole,
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            effective_date: "2025-07-01".parse().unwrap_or_else(|e| panic!("{e}")),
            note: String::new(),
            created_at: Timestamp(0),
        })
        .collect();
        (units, links)
    }

    const SEED: [&str; 8] = [
        "01834", "01837", "01840", "01843", "01846", "01849", "01852", "01855",
    ];

    #[test]
    fn the_seed_s_eight_members_become_the_three_successors_in_2026() {
        let (units, links) = bac_kan_2025();
        let t = led(term(&SEED), "01843", &["01840", "01852"]);
        let lineage = Lineage {
            units: &units,
            links: &links,
        };
        let p = plan(&t, 2026, false, lineage, &LeaderChoice::FromLineage)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.carried, [new("01840"), new("01843"), new("01849")]);
        assert_eq!(p.successions.len(), 8);
        assert!(p.dropped.is_empty());
        assert_eq!(p.leader, Some(new("01843")), "Phùng Chí Kiên → Bắc Kạn");
        assert_eq!(
            p.deputies,
            [new("01840")],
            "Đức Xuân stays deputy; Nông Thượng became the leader's own ward"
        );
        let refused = plan_or_reason(&t, 2026, lineage, &LeaderChoice::Rotate);
        assert_eq!(refused, Err(Reason::LeaderCeased), "the leader ceased");
        let named = plan(&t, 2026, false, lineage, &LeaderChoice::Named(new("01849")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(named.leader, Some(new("01849")));
        assert_eq!(named.deputies, [new("01840"), new("01843")]);
        assert_eq!(
            plan_or_reason(&t, 2026, lineage, &LeaderChoice::Named(unit("01849"))),
            Err(Reason::InvalidArgument),
            "Dương Quang itself is not a member in 2026"
        );
    }

    fn plan_or_reason(
        t: &Term,
        year: i32,
        lineage: Lineage<'_>,
        choice: &LeaderChoice,
    ) -> Result<Vec<UnitRef>, Reason> {
        plan(t, year, false, lineage, choice)
            .map(|p| p.carried)
            .map_err(|e| e.reason())
    }

    #[test]
    fn before_the_reform_members_stay_and_the_leader_rotates() {
        let (units, links) = bac_kan_2025();
        let lineage = Lineage {
            units: &units,
            links: &links,
        };
        let t = led(term(&["01834", "01843", "01840"]), "01834", &[]);
        let p =
            plan(&t, 2025, false, lineage, &LeaderChoice::Rotate).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.carried, [unit("01834"), unit("01843"), unit("01840")]);
        assert!(p.successions.is_empty());
        assert_eq!(p.leader, Some(unit("01843")));
        assert_eq!(
            plan(&t, 2023, true, lineage, &LeaderChoice::Rotate).map_err(|e| e.reason()),
            Err(Reason::TermExists)
        );
        assert_eq!(
            plan_or_reason(&t, 2022, lineage, &LeaderChoice::Rotate),
            Err(Reason::InvalidArgument),
            "not a later year"
        );
    }

    #[test]
    fn a_member_without_successor_is_dropped_and_nobody_left_is_refused() {
        let (units, _) = bac_kan_2025();
        let lineage = Lineage {
            units: &units,
            links: &[],
        };
        let t = term(&["01834", "01843"]);
        assert_eq!(
            plan_or_reason(&t, 2026, lineage, &LeaderChoice::Rotate),
            Err(Reason::UnitNotValidInTerm)
        );
        let mut with_new = t.clone();
        with_new.members.push(crate::term::Member {
            unit: new("01849"),
            name: "Phong Quang".into(),
            position: 3,
        });
        let p = plan(&with_new, 2026, false, lineage, &LeaderChoice::Rotate)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.carried, [new("01849")]);
        assert_eq!(p.dropped, [unit("01834"), unit("01843")]);
        assert_eq!(p.leader, None);
    }
}
