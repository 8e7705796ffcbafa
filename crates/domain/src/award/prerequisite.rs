//! The prerequisites of a catalogue entry (điều kiện xét tặng), checked when a unit is
//! proposed: the titles it must hold this year or in each of the years before — itself or
//! through the predecessors whose record it carries across the 2025 reform (`lineage::record`),
//! by decisions not revoked — and the classification it must reach this year.

use super::{
    catalogue::{Catalogue, Entry, Prerequisite},
    decision::{self, Registered},
};
use crate::{
    error::{Error, Reason},
    lineage::{LineageLink, record},
    scoring::ClassLevel,
    unit::UnitRef,
    words,
};

/// What checking a unit's prerequisites reads.
#[derive(Debug, Clone, Copy)]
pub struct PrerequisiteFacts<'a> {
    /// The catalogue version in force, for the names of the entries required.
    pub catalogue: &'a Catalogue,
    /// The proposal's emulation year.
    pub year: i32,
    /// The term's classification levels, best first.
    pub levels: &'a [ClassLevel],
    /// The level the unit reached this year, if any.
    pub classification: Option<&'a str>,
    /// Register lines of the unit and its predecessors (any years, revoked ones included).
    pub register: &'a [Registered],
    /// Lineage links into the unit, for the records it carries.
    pub links: &'a [LineageLink],
}

/// Checks every prerequisite of `entry` for `unit`; the refusal names each one missing, with
/// the title and the years.
pub fn check_prerequisites(
    entry: &Entry,
    unit: &UnitRef,
    facts: &PrerequisiteFacts<'_>,
) -> Result<(), Error> {
    let mut carried = vec![unit.clone()];
    carried.extend(record::record_predecessors(unit, facts.links));
    let holds =
        |code: &str, year: i32| decision::held(facts.register, &carried, code, year).is_some();
    let title = |code: &str| format!("{} ({code})", facts.catalogue.name_of(code));
    let mut missing = Vec::new();
    for p in &entry.prerequisites {
        match p {
            Prerequisite::HoldsThisYear(code) => {
                if !holds(code, facts.year) {
                    missing.push(words!(
                        "prerequisite-this-year",
                        title = title(code),
                        year = facts.year
                    ));
                }
            }
            Prerequisite::HoldsPreviousYears { entry: code, years } => {
                let from = facts.year - i32::try_from(*years).unwrap_or(i32::MAX);
                let lacking: Vec<String> = (from..facts.year)
                    .filter(|y| !holds(code, *y))
                    .map(|y| y.to_string())
                    .collect();
                if !lacking.is_empty() {
                    missing.push(words!(
                        "prerequisite-previous-years",
                        title = title(code),
                        years = years,
                        from = from,
                        to = facts.year - 1,
                        missing = lacking.join(", ")
                    ));
                }
            }
            Prerequisite::ClassifiedAtLeast(rank) => {
                let reached = facts
                    .classification
                    .and_then(|c| facts.levels.iter().position(|l| l.name == c));
                if reached.is_none_or(|at| at + 1 > *rank) {
                    let wanted = facts
                        .levels
                        .get(rank.saturating_sub(1))
                        .map_or_else(|| format!("level {rank}"), |l| l.name.clone());
                    missing.push(match facts.classification {
                        Some(reached) => words!(
                            "prerequisite-classification",
                            wanted = wanted,
                            year = facts.year,
                            reached = reached
                        ),
                        None => words!(
                            "prerequisite-classification-none",
                            wanted = wanted,
                            year = facts.year
                        ),
                    });
                }
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Preconditions {
        reason: Reason::PrerequisiteMissing,
        description: words!(
            "prerequisites-not-met",
            unit = unit,
            title = title(&entry.code)
        ),
        violations: missing.into_iter().map(|m| (unit.to_string(), m)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        award::decision::{Decision, DecisionKind},
        fixtures::unit,
        lineage::{LineageKind, Share},
        time::Timestamp,
    };

    fn held(holder: &str, entry: &str, year: i32, revoked: bool) -> Registered {
        Registered {
            decision: Decision {
                id: format!("d{year}{holder}"),
                number: format!("{year}/QĐ-UBND"),
                date: "2023-02-10".parse().unwrap_or_else(|e| panic!("{e}")),
                authority: unit("06"),
                signer: "Nông Văn Chí".into(),
                entry: entry.into(),
                year,
                kind: DecisionKind::Award,
                reason: String::new(),
                recorded_at: Timestamp(0),
            },
            unit: unit(holder),
            award_id: None,
            revoked_by: revoked.then(|| "r".to_owned()),
        }
    }

    fn entry_requiring(p: Prerequisite) -> Entry {
        Entry {
            prerequisites: vec![p],
            ..Catalogue::builtin()
                .entry("CTD_TINH")
                .unwrap_or_else(|| panic!("CTD_TINH"))
                .clone()
        }
    }

    fn check(
        entry: &Entry,
        register: &[Registered],
        links: &[LineageLink],
        class: Option<&str>,
    ) -> Result<(), Error> {
        check_prerequisites(
            entry,
            &unit("01843"),
            &PrerequisiteFacts {
                catalogue: Catalogue::builtin(),
                year: 2023,
                levels: &ClassLevel::defaults(),
                classification: class,
                register,
                links,
            },
        )
    }

    #[test]
    fn years_in_a_row_count_predecessors_and_not_revoked_awards() {
        let two_years = entry_requiring(Prerequisite::HoldsPreviousYears {
            entry: "TTLDXS".into(),
            years: 2,
        });
        let both = [
            held("01843", "TTLDXS", 2021, false),
            held("01843", "TTLDXS", 2022, false),
        ];
        assert!(check(&two_years, &both, &[], None).is_ok());
        let revoked = [
            held("01843", "TTLDXS", 2021, false),
            held("01843", "TTLDXS", 2022, true),
        ];
        let Err(Error::Preconditions {
            reason, violations, ..
        }) = check(&two_years, &revoked, &[], None)
        else {
            panic!("2022 was revoked");
        };
        assert_eq!(reason, Reason::PrerequisiteMissing);
        assert!(
            violations[0]
                .1
                .contains("Tập thể lao động xuất sắc (TTLDXS)")
                && violations[0].1.to_string().ends_with("missing 2022"),
            "{violations:?}"
        );
        // Phùng Chí Kiên's 2021 record is carried by its successor 01843 through a merger.
        let predecessor = [
            held("01837", "TTLDXS", 2021, false),
            held("01843", "TTLDXS", 2022, false),
        ];
        let merged = [LineageLink {
            id: "l".into(),
            kind: LineageKind::MergedInto,
            unit: unit("01837"),
            related: unit("01843"),
            share: Share::Whole,
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            effective_date: "2025-07-01".parse().unwrap_or_else(|e| panic!("{e}")),
            note: String::new(),
            created_at: Timestamp(0),
        }];
        assert!(check(&two_years, &predecessor, &merged, None).is_ok());
        assert!(
            check(&two_years, &predecessor, &[], None).is_err(),
            "without the link 2021 is missing"
        );
    }

    #[test]
    fn a_classification_below_the_level_required_is_named() {
        let excellent = entry_requiring(Prerequisite::ClassifiedAtLeast(1));
        assert!(check(&excellent, &[], &[], Some("Hoàn thành xuất sắc nhiệm vụ")).is_ok());
        let Err(e) = check(&excellent, &[], &[], Some("Hoàn thành tốt nhiệm vụ")) else {
            panic!("good is below excellent");
        };
        assert!(
            e.to_string()
                .contains("Cờ thi đua của Ủy ban nhân dân tỉnh"),
            "{e}"
        );
        assert!(check(&excellent, &[], &[], None).is_err());
        let this_year = entry_requiring(Prerequisite::HoldsThisYear("TTLDXS".into()));
        assert!(
            check(
                &this_year,
                &[held("01843", "TTLDXS", 2023, false)],
                &[],
                None
            )
            .is_ok()
        );
        assert!(
            check(
                &this_year,
                &[held("01843", "TTLDXS", 2022, false)],
                &[],
                None
            )
            .is_err()
        );
    }
}
