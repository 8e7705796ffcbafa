//! Events read from the award register (thành tích năm trước): an `event` criterion bound to a
//! catalogue entry happened for a member when the member — or a predecessor whose record it
//! carries across lineage — holds that entry for the previous year by a decision not revoked.
//! The bonus is derived, never typed, and its ground is the decision.

use super::{
    catalogue::Catalogue,
    decision::{self, Registered},
};
use crate::{
    criteria::{self, Criterion, Rule},
    lineage::{LineageLink, record},
    unit::UnitRef,
};

/// The leaves of `groups` bound to the register: (criterion code, entry code).
pub fn bound_leaves(groups: &[Criterion]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    criteria::walk(groups, &mut |n| {
        if let Some(Rule::Event {
            register: Some(entry),
            ..
        }) = &n.rule
        {
            out.push((n.code.clone(), entry.clone()));
        }
    });
    out
}

/// One derived event: the member, the criterion, and the decision that makes it happen (none:
/// it did not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedEvent {
    /// The member.
    pub unit: UnitRef,
    /// The criterion.
    pub code: String,
    /// The ground, e.g. `Quyết định số 215/QĐ-UBND ngày 10/02/2023: Cờ thi đua … năm 2022`.
    pub ground: Option<String>,
}

/// Every bound leaf's event for every member of a term of `year`, from the register lines of
/// the members and their predecessors (`register`) and the lineage links into the members;
/// the grounds name entries as the catalogue in force for the previous year does.
pub fn derive(
    groups: &[Criterion],
    members: &[UnitRef],
    year: i32,
    register: &[Registered],
    links: &[LineageLink],
    catalogue: &Catalogue,
) -> Vec<DerivedEvent> {
    let leaves = bound_leaves(groups);
    let mut out = Vec::new();
    for member in members {
        let mut carried = vec![member.clone()];
        carried.extend(record::record_predecessors(member, links));
        for (code, entry) in &leaves {
            let held = decision::held(register, &carried, entry, year - 1);
            out.push(DerivedEvent {
                unit: member.clone(),
                code: code.clone(),
                ground: held.map(|r| {
                    let name = catalogue.name_of(entry);
                    let whose = if &r.unit == member {
                        String::new()
                    } else {
                        format!(" (của {}, đơn vị tiền thân)", r.unit)
                    };
                    format!("{}: {name} năm {}{whose}", r.decision.citation(), year - 1)
                }),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        award::decision::{Decision, DecisionKind},
        fixtures::{d, unit},
        lineage::{LineageKind, Share},
        time::Timestamp,
        unit::Scheme,
    };

    fn bonus() -> Criterion {
        Criterion {
            code: "VI.1".into(),
            title: "Đã được tặng Cờ thi đua của UBND tỉnh năm trước".into(),
            max_points: d("0"),
            bonus_cap: Some(d("10")),
            rule: Some(Rule::Event {
                points: d("10"),
                register: Some("CTD_TINH".into()),
            }),
            metric: String::new(),
            mandatory: false,
            evidence_required: false,
            children: vec![],
        }
    }

    fn line(code: &str, year: i32, revoked: bool) -> Registered {
        Registered {
            decision: Decision {
                id: "d1".into(),
                number: "215/QĐ-UBND".into(),
                date: "2023-02-10".parse().unwrap_or_else(|e| panic!("{e}")),
                authority: unit("06"),
                signer: String::new(),
                entry: "CTD_TINH".into(),
                year,
                kind: DecisionKind::Award,
                reason: String::new(),
                recorded_at: Timestamp(0),
            },
            unit: unit(code),
            award_id: None,
            revoked_by: revoked.then(|| "d2".to_owned()),
        }
    }

    #[test]
    fn last_year_s_flag_counts_this_year_not_another_year_nor_revoked() {
        let groups = [bonus()];
        let kien = [unit("01843")];
        let got = |register: &[Registered]| {
            derive(&groups, &kien, 2023, register, &[], Catalogue::builtin())
                .into_iter()
                .map(|e| e.ground.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(got(&[line("01843", 2022, false)]), [true]);
        assert_eq!(
            got(&[line("01843", 2021, false)]),
            [false],
            "two years back"
        );
        assert_eq!(got(&[line("01843", 2022, true)]), [false], "revoked");
        assert_eq!(got(&[line("01840", 2022, false)]), [false], "another unit");
        let ground = derive(
            &groups,
            &kien,
            2023,
            &[line("01843", 2022, false)],
            &[],
            Catalogue::builtin(),
        );
        assert_eq!(
            ground[0].ground.as_deref(),
            Some(
                "Quyết định số 215/QĐ-UBND ngày 10/02/2023: Cờ thi đua của Ủy ban nhân dân tỉnh năm 2022"
            )
        );
    }

    #[test]
    fn a_successor_carries_its_predecessor_s_flag_across_the_reform() {
        let groups = [bonus()];
        let bac_kan = UnitRef::new(Scheme::Qd19_2025, "01843");
        let links = [LineageLink {
            id: "l".into(),
            kind: LineageKind::MergedInto,
            unit: unit("01843"),
            related: bac_kan.clone(),
            share: Share::Whole,
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            effective_date: "2025-07-01".parse().unwrap_or_else(|e| panic!("{e}")),
            note: String::new(),
            created_at: Timestamp(0),
        }];
        let got = derive(
            &groups,
            &[bac_kan],
            2026,
            &[line("01843", 2025, false)],
            &links,
            Catalogue::builtin(),
        );
        assert!(
            got[0]
                .ground
                .as_deref()
                .is_some_and(|g| g.contains("tiền thân")),
            "{got:?}"
        );
    }
}
