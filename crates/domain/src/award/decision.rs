//! Decisions (quyết định khen thưởng) and the award register they make. A decision of an
//! authority, by number and date, confers a catalogue entry for a year: it approves or rejects
//! submitted proposals, and may award units no cluster proposed. A revocation (thu hồi) is a
//! decision too, with its legal ground; nothing is erased, the register marks what it revoked.

use std::str::FromStr;

use super::{Award, AwardState, catalogue::Catalogues};
use crate::{
    error::{Error, Violations},
    time::{Date, Timestamp},
    unit::UnitRef,
};

/// What a decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// Confers the entry (khen thưởng).
    Award,
    /// Takes back what an earlier decision conferred (thu hồi).
    Revocation,
}

impl DecisionKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Award => "award",
            DecisionKind::Revocation => "revocation",
        }
    }
}

impl FromStr for DecisionKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "award" => Ok(DecisionKind::Award),
            "revocation" => Ok(DecisionKind::Revocation),
            _ => Err(()),
        }
    }
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Id.
    pub id: String,
    /// Number and symbol, e.g. `123/QĐ-UBND`.
    pub number: String,
    /// Date of signing.
    pub date: Date,
    /// The issuing authority.
    pub authority: UnitRef,
    /// Who signed, e.g. `Chủ tịch Nguyễn Văn A`.
    pub signer: String,
    /// The catalogue entry's code.
    pub entry: String,
    /// The emulation year it concerns.
    pub year: i32,
    /// Award or revocation.
    pub kind: DecisionKind,
    /// The reason, or a revocation's legal ground.
    pub reason: String,
    /// When recorded.
    pub recorded_at: Timestamp,
}

impl Decision {
    /// How people cite it: `Quyết định số 123/QĐ-UBND ngày 15/01/2023`.
    pub fn citation(&self) -> String {
        format!(
            "Quyết định số {} ngày {}",
            self.number,
            self.date.vietnamese()
        )
    }
}

/// One line of the register: a unit holding an entry for a year by a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    /// The decision that conferred it.
    pub decision: Decision,
    /// The unit.
    pub unit: UnitRef,
    /// The proposal it answered, if a cluster proposed it.
    pub award_id: Option<String>,
    /// The decision that revoked it, if any.
    pub revoked_by: Option<String>,
}

impl Registered {
    /// Whether it still counts (for eligibility, streaks, bonuses): not revoked.
    pub fn counts(&self) -> bool {
        self.revoked_by.is_none()
    }
}

/// The line of `register` by which one of `carriers` (a unit and the predecessors whose record
/// it carries) holds `entry` for `year`, by a decision not revoked: what register-bound bonuses
/// and prerequisites both ask.
pub fn held<'a>(
    register: &'a [Registered],
    carriers: &[UnitRef],
    entry: &str,
    year: i32,
) -> Option<&'a Registered> {
    register.iter().find(|r| {
        r.counts()
            && r.decision.entry == entry
            && r.decision.year == year
            && carriers.contains(&r.unit)
    })
}

/// A decision as requested, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    /// Number and symbol.
    pub number: String,
    /// Date of signing.
    pub date: Date,
    /// The issuing authority.
    pub authority: UnitRef,
    /// Who signed.
    pub signer: String,
    /// The entry's code.
    pub entry: String,
    /// The year, when it cannot be read from the proposals.
    pub year: Option<i32>,
    /// Award or revocation.
    pub kind: DecisionKind,
    /// Proposals approved (award ids).
    pub approve: Vec<String>,
    /// Proposals rejected (award ids).
    pub reject: Vec<String>,
    /// Units awarded without a proposal, or (for a revocation) whose award is revoked.
    pub units: Vec<UnitRef>,
    /// The reason, or a revocation's legal ground.
    pub reason: String,
}

/// What the store holds about a new decision's references.
#[derive(Debug, Clone, Copy)]
pub struct DecisionFacts<'a> {
    /// The proposals named, found (by id); those missing are reported.
    pub proposals: &'a [Award],
    /// Dates of the authority's decisions with the same number.
    pub same_number: &'a [Date],
    /// For a revocation: the units' current register lines of the entry and year.
    pub held: &'a [Registered],
    /// Units named that do not exist.
    pub unknown_units: &'a [UnitRef],
    /// Every catalogue version: the entry is looked up in the one in force for the year.
    pub catalogues: &'a Catalogues,
}

/// Checks a decision and gives its year: every field violation at once, nothing stored while
/// one stands.
pub fn check_decision(new: &NewDecision, facts: DecisionFacts<'_>) -> Result<i32, Error> {
    let mut v = Violations::default();
    if new.number.trim().is_empty() {
        v.add("decision.number", crate::words!("decision-number-missing"));
    }
    if facts.same_number.iter().any(|d| *d != new.date) {
        v.add(
            "decision.number",
            crate::words!(
                "decision-number-other-date",
                number = new.number,
                authority = new.authority
            ),
        );
    } else if !facts.same_number.is_empty() {
        v.add(
            "decision.number",
            crate::words!(
                "decision-recorded",
                number = new.number,
                authority = new.authority
            ),
        );
    }
    if new.signer.trim().is_empty() {
        v.add("decision.signer", crate::words!("decision-signer-missing"));
    }
    for u in facts.unknown_units {
        v.add(
            "decision.units",
            crate::words!("unit-does-not-exist", unit = u),
        );
    }
    let mut years: Vec<i32> = Vec::new();
    for (field, ids) in [
        ("decision.approve", &new.approve),
        ("decision.reject", &new.reject),
    ] {
        for (i, id) in ids.iter().enumerate() {
            let field = format!("{field}[{i}]");
            match facts.proposals.iter().find(|a| &a.id == id) {
                None => v.add(
                    field,
                    crate::words!("proposal-does-not-exist", award = format!("awards/{id}")),
                ),
                Some(a) => {
                    years.push(a.year);
                    if a.state != AwardState::Submitted {
                        v.add(
                            field.clone(),
                            crate::words!(
                                "decision-proposal-not-submitted",
                                award = a.resource(),
                                state => a.state.words()
                            ),
                        );
                    }
                    if a.entry != new.entry {
                        v.add(
                            field,
                            crate::words!(
                                "decision-other-entry",
                                award = a.resource(),
                                asked = a.entry,
                                entry = new.entry
                            ),
                        );
                    }
                }
            }
        }
    }
    let year = new.year.or_else(|| years.first().copied());
    if years.iter().any(|y| Some(*y) != year) {
        v.add("decision.year", crate::words!("decision-years-differ"));
    }
    if year.is_none() {
        v.add("decision.year", crate::words!("decision-year-missing"));
    }
    let known = year.map_or_else(
        || facts.catalogues.knows(&new.entry),
        |y| facts.catalogues.in_force(y).entry(&new.entry).is_some(),
    );
    if !known {
        v.add(
            "decision.entry",
            crate::words!(
                "entry-not-in-catalogue",
                entry = crate::text::quote(&new.entry)
            ),
        );
    }
    match new.kind {
        DecisionKind::Award => {
            if new.approve.is_empty() && new.reject.is_empty() && new.units.is_empty() {
                v.add("decision", crate::words!("decision-empty"));
            }
        }
        DecisionKind::Revocation => {
            if new.reason.trim().is_empty() {
                v.add(
                    "decision.reason",
                    crate::words!("revocation-ground-missing"),
                );
            }
            if new.units.is_empty() {
                v.add("decision.units", crate::words!("revocation-units-missing"));
            }
            for u in &new.units {
                if !facts.held.iter().any(|r| &r.unit == u && r.counts()) {
                    v.add(
                        "decision.units",
                        crate::words!(
                            "revocation-nothing-held",
                            unit = u,
                            entry = new.entry,
                            year = year.unwrap_or_default()
                        ),
                    );
                }
            }
        }
    }
    v.finish(year.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        award::{AwardKind, Dossier},
        fixtures::unit,
    };

    fn day(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn submitted(id: &str, code: &str, kind: AwardKind) -> Award {
        Award {
            id: id.into(),
            cluster_id: "bac-kan-city".into(),
            year: 2022,
            unit: unit(code),
            kind,
            entry: crate::award::catalogue::Catalogue::builtin()
                .for_kind(kind)
                .map(|e| e.code.clone())
                .unwrap_or_default(),
            state: AwardState::Submitted,
            dossier: Dossier::default(),
            override_reason: String::new(),
            ballot: None,
            revocation: None,
            decision: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    fn decision(kind: DecisionKind) -> NewDecision {
        NewDecision {
            number: "123/QĐ-UBND".into(),
            date: day("2023-01-15"),
            authority: unit("06"),
            signer: "Chủ tịch UBND tỉnh Bắc Kạn".into(),
            entry: "CTD_TINH".into(),
            year: None,
            kind,
            approve: vec!["a1".into()],
            reject: vec![],
            units: vec![],
            reason: String::new(),
        }
    }

    fn fields(r: Result<i32, Error>) -> Vec<String> {
        match r {
            Err(Error::Invalid(v)) => v.into_iter().map(|v| v.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_decision_approves_submitted_proposals_of_its_entry_once() {
        let flag = [submitted("a1", "01843", AwardKind::ProvincialFlag)];
        let facts = DecisionFacts {
            proposals: &flag,
            same_number: &[],
            held: &[],
            unknown_units: &[],
            catalogues: &Catalogues::default(),
        };
        assert_eq!(
            check_decision(&decision(DecisionKind::Award), facts).ok(),
            Some(2022)
        );
        let mut wrong = decision(DecisionKind::Award);
        wrong.entry = "BK_UBND_TINH".into();
        assert_eq!(
            fields(check_decision(&wrong, facts)),
            ["decision.approve[0]"]
        );
        let mut passed = flag.clone();
        passed[0].state = AwardState::Passed;
        assert_eq!(
            fields(check_decision(
                &decision(DecisionKind::Award),
                DecisionFacts {
                    proposals: &passed,
                    ..facts
                }
            )),
            ["decision.approve[0]"],
            "not submitted yet"
        );
        let again = [day("2023-01-15")];
        let other = [day("2023-02-01")];
        for dates in [&again[..], &other[..]] {
            assert_eq!(
                fields(check_decision(
                    &decision(DecisionKind::Award),
                    DecisionFacts {
                        same_number: dates,
                        ..facts
                    }
                )),
                ["decision.number"]
            );
        }
        let mut unknown = decision(DecisionKind::Award);
        unknown.approve = vec!["khong-co".into()];
        unknown.entry = "CTD_HUYEN".into();
        assert_eq!(
            fields(check_decision(&unknown, facts)),
            ["decision.approve[0]", "decision.year", "decision.entry"]
        );
    }

    #[test]
    fn a_direct_award_names_its_year_and_a_revocation_its_ground() {
        let none = DecisionFacts {
            proposals: &[],
            same_number: &[],
            held: &[],
            unknown_units: &[],
            catalogues: &Catalogues::default(),
        };
        let mut direct = decision(DecisionKind::Award);
        direct.approve.clear();
        direct.units = vec![unit("01840")];
        assert_eq!(fields(check_decision(&direct, none)), ["decision.year"]);
        direct.year = Some(2022);
        assert_eq!(check_decision(&direct, none).ok(), Some(2022));

        let mut revoke = decision(DecisionKind::Revocation);
        revoke.approve.clear();
        revoke.year = Some(2022);
        revoke.units = vec![unit("01843")];
        assert_eq!(
            fields(check_decision(&revoke, none)),
            ["decision.reason", "decision.units"],
            "no ground, and 01843 holds nothing to revoke"
        );
        let held = [Registered {
            decision: Decision {
                id: "d1".into(),
                number: "123/QĐ-UBND".into(),
                date: day("2023-01-15"),
                authority: unit("06"),
                signer: String::new(),
                entry: "CTD_TINH".into(),
                year: 2022,
                kind: DecisionKind::Award,
                reason: String::new(),
                recorded_at: Timestamp(0),
            },
            unit: unit("01843"),
            award_id: None,
            revoked_by: None,
        }];
        revoke.reason = "Khai man thành tích".into();
        revoke.number = "45/QĐ-UBND".into();
        assert!(
            check_decision(
                &revoke,
                DecisionFacts {
                    held: &held,
                    ..none
                }
            )
            .is_ok()
        );
    }
}
