//! Whose record a unit carries across lineage (kế thừa thành tích): the rule by which "n years
//! in a row" and "held the title last year" count a predecessor's years for its successor.
//!
//! A successor carries a predecessor's record when it is the predecessor's only successor (a
//! whole merger or a renaming) or its `main` one (the part that took most of a divided unit).
//! Another part of a divided unit does not, and neither does a unit split off from one that
//! goes on (the old unit keeps its own record). Records pass along chains of such links.

use std::collections::HashSet;

use super::{LineageKind, LineageLink, Share};
use crate::unit::UnitRef;

/// Whether `link` passes its subject's record to its related unit.
fn passes_record(link: &LineageLink) -> bool {
    match link.kind {
        LineageKind::MergedInto | LineageKind::RenamedTo => true,
        LineageKind::SplitInto => link.share == Share::Main,
        LineageKind::SplitFrom => false,
    }
}

/// Whether `successor` carries the record of `predecessor`, directly, by `links`.
pub fn carries_record(predecessor: &UnitRef, successor: &UnitRef, links: &[LineageLink]) -> bool {
    links
        .iter()
        .any(|l| &l.unit == predecessor && &l.related == successor && passes_record(l))
}

/// The unit that continues `unit` where `is_current` holds (e.g. exists in a term's year): the
/// first along the chain of record-passing links, the same rule as the record's (a whole
/// merger, a renaming, the `main` part of a division). `None` when the chain ends first: a
/// district had no successor, the reform abolished the level.
pub fn successor(
    unit: &UnitRef,
    links: &[LineageLink],
    is_current: impl Fn(&UnitRef) -> bool,
) -> Option<UnitRef> {
    let mut seen: HashSet<&UnitRef> = HashSet::from([unit]);
    let mut at = unit;
    loop {
        let next = links
            .iter()
            .find(|l| &l.unit == at && passes_record(l))
            .map(|l| &l.related)?;
        if !seen.insert(next) {
            return None;
        }
        if is_current(next) {
            return Some(next.clone());
        }
        at = next;
    }
}

/// The units whose records `unit` carries, through any chain of `links`, nearest first (each
/// once; `unit` itself not included).
pub fn record_predecessors(unit: &UnitRef, links: &[LineageLink]) -> Vec<UnitRef> {
    let mut found = Vec::new();
    let mut seen: HashSet<&UnitRef> = HashSet::from([unit]);
    let mut frontier = vec![unit];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for successor in frontier {
            let mut direct: Vec<&UnitRef> = links
                .iter()
                .filter(|l| &l.related == successor && passes_record(l))
                .map(|l| &l.unit)
                .collect();
            direct.sort_by_key(|u| u.key());
            for predecessor in direct {
                if seen.insert(predecessor) {
                    found.push(predecessor.clone());
                    next.push(predecessor);
                }
            }
        }
        frontier = next;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{time::Timestamp, unit::Scheme};

    fn legacy(code: &str) -> UnitRef {
        UnitRef::new(Scheme::Qd124_2004, code)
    }

    fn new(code: &str) -> UnitRef {
        UnitRef::new(Scheme::Qd19_2025, code)
    }

    fn link(unit: UnitRef, kind: LineageKind, related: UnitRef, share: Share) -> LineageLink {
        LineageLink {
            id: unit.key(),
            kind,
            unit,
            related,
            share,
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            effective_date: "2025-07-01".parse().unwrap_or_else(|e| panic!("{e}")),
            note: String::new(),
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn bac_kan_ward_carries_the_records_of_the_four_it_merged() {
        let merged = |code: &str| {
            link(
                legacy(code),
                LineageKind::MergedInto,
                new("01843"),
                Share::Whole,
            )
        };
        let links = [
            merged("01837"),
            merged("01843"),
            merged("01852"),
            merged("01855"),
            link(
                legacy("01840"),
                LineageKind::MergedInto,
                new("01840"),
                Share::Whole,
            ),
        ];
        let carried = record_predecessors(&new("01843"), &links);
        assert_eq!(
            carried,
            ["01837", "01843", "01852", "01855"].map(legacy).to_vec()
        );
        assert!(carries_record(&legacy("01852"), &new("01843"), &links));
        assert!(!carries_record(&legacy("01840"), &new("01843"), &links));
    }

    #[test]
    fn only_the_main_part_of_a_divided_unit_carries_its_record() {
        let links = [
            link(
                legacy("00007"),
                LineageKind::SplitInto,
                new("00008"),
                Share::Main,
            ),
            link(
                legacy("00007"),
                LineageKind::SplitInto,
                new("00004"),
                Share::Part,
            ),
            link(
                legacy("00100"),
                LineageKind::SplitFrom,
                new("00004"),
                Share::Whole,
            ),
        ];
        assert!(carries_record(&legacy("00007"), &new("00008"), &links));
        assert!(!carries_record(&legacy("00007"), &new("00004"), &links));
        assert!(record_predecessors(&new("00004"), &links).is_empty());
    }

    #[test]
    fn records_pass_along_a_chain_and_a_cycle_ends() {
        let (a, b, c) = (legacy("01834"), legacy("01846"), new("01840"));
        let links = [
            link(a.clone(), LineageKind::RenamedTo, b.clone(), Share::Whole),
            link(b.clone(), LineageKind::MergedInto, c.clone(), Share::Whole),
            link(c.clone(), LineageKind::RenamedTo, a.clone(), Share::Whole),
        ];
        assert_eq!(record_predecessors(&c, &links), vec![b.clone(), a.clone()]);
        assert_eq!(successor(&a, &links, |u| u == &c), Some(c.clone()));
        assert_eq!(successor(&a, &links, |_| false), None);
    }

    #[test]
    fn the_successor_of_a_divided_unit_is_its_main_part_and_a_district_has_none() {
        let links = [
            link(
                legacy("00007"),
                LineageKind::SplitInto,
                new("00004"),
                Share::Part,
            ),
            link(
                legacy("00007"),
                LineageKind::SplitInto,
                new("00008"),
                Share::Main,
            ),
            link(
                legacy("01852"),
                LineageKind::MergedInto,
                new("01843"),
                Share::Whole,
            ),
        ];
        let all = |_: &UnitRef| true;
        assert_eq!(successor(&legacy("00007"), &links, all), Some(new("00008")));
        assert_eq!(successor(&legacy("01852"), &links, all), Some(new("01843")));
        assert_eq!(successor(&legacy("058"), &links, all), None);
    }
}
