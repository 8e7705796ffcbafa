//! Quotas at their real scope (chỉ tiêu khen thưởng). Two quotas bound a proposal: the
//! catalogue entry's, which the law sets — the Government flag's share counts the collectives
//! that meet the provincial flag's standard across every cluster the organiser level (a
//! province, a ministry) runs in the year — and the term's own policy, which the cluster's
//! covenant may set lower. A refusal names the quota, its base, the proposals counted and
//! where; a proposal taking the last place of a count while its unit is tied with another
//! eligible member must say why (a tie is not broken silently).

use std::collections::HashMap;

use super::{
    AwardKind, ProposalFacts,
    catalogue::{Entry, QuotaLimit, QuotaScope},
    check_eligible,
    proposal::mandatory_codes,
};
use crate::{
    criteria::Criterion,
    error::{Error, Reason},
    policy::Policy,
    scoring::MemberScore,
    unit::UnitRef,
    words,
    words::Words,
};

/// The organiser's year, for a quota counted across every cluster of the organiser level (a
/// province, a ministry): the base is every collective of the organiser's adopted terms that
/// meets the entry's standard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganiserYear {
    /// The organiser.
    pub organiser: Option<UnitRef>,
    /// The year.
    pub year: i32,
    /// The organiser's adopted terms of the year.
    pub terms: Vec<String>,
    /// Collectives meeting the entry's standard across them.
    pub meeting_standard: usize,
    /// Proposals of the entry across them (still counting), by award.
    pub proposed: Vec<String>,
}

/// How many members of one adopted board meet the standard of `kind` (a flag's: excellent,
/// no violation, every mandatory criterion met).
pub fn meeting_standard(
    kind: AwardKind,
    groups: &[Criterion],
    scores: &HashMap<UnitRef, MemberScore>,
    policy: &Policy,
) -> usize {
    let mandatory = mandatory_codes(groups);
    let (excellent, good) = policy.award_levels();
    scores
        .values()
        .filter(|s| check_eligible(kind, s, &mandatory, &excellent, &good).is_empty())
        .count()
}

/// One quota as it stands for a proposal.
struct Standing {
    /// Whose quota, in words.
    whose: Words,
    /// How the limit is worked out, in words.
    rule: Words,
    limit: usize,
    /// The proposals counted, by award.
    used: Vec<String>,
    /// Where it is counted.
    scope: Words,
    /// Counted within the term, where the members' ranking can tie for its last place.
    in_term: bool,
}

/// The quotas bounding a proposal of `kind` for the entry in force: the entry's own, at its
/// scope, and the term policy's.
fn standings(facts: &ProposalFacts<'_>, entry: &Entry, kind: AwardKind) -> Vec<Standing> {
    let term = facts.term;
    let in_term: Vec<String> = facts
        .awards
        .iter()
        .filter(|a| a.entry == entry.code && a.counts())
        .map(super::Award::resource)
        .collect();
    // Both quotas count at the entry's scope (a term without one): its base, the proposals
    // counted and where, worked out once.
    let (base, used, scope, counted_in_term) =
        match entry.quota.map_or(QuotaScope::ClusterYear, |q| q.scope) {
            QuotaScope::ClusterYear => (
                meeting_standard(kind, facts.groups, facts.scores, facts.policy),
                in_term,
                Words::Verbatim(term.resource()),
                true,
            ),
            QuotaScope::OrganiserYear => {
                let o = facts.organiser_year;
                let organiser = o
                    .organiser
                    .as_ref()
                    .map_or_else(String::new, ToString::to_string);
                (
                    o.meeting_standard,
                    o.proposed.clone(),
                    words!(
                        "quota-scope-organiser",
                        terms = o.terms.len(),
                        organiser = organiser,
                        year = o.year
                    ),
                    false,
                )
            }
        };
    let mut out = Vec::new();
    if let Some(q) = entry.quota {
        let rule = match q.limit {
            QuotaLimit::Share(share) => words!(
                "quota-rule-share",
                share = share,
                base = base,
                limit = q.allowed(base)
            ),
            QuotaLimit::Count(n) => match q.scope {
                QuotaScope::ClusterYear => words!("quota-rule-count-cluster-year", count = n),
                QuotaScope::OrganiserYear => {
                    words!("quota-rule-count-organiser-year", count = n)
                }
            },
        };
        out.push(Standing {
            whose: words!("quota-of-entry", name = entry.name, code = entry.code),
            rule,
            limit: q.allowed(base),
            used: used.clone(),
            scope: scope.clone(),
            in_term: counted_in_term,
        });
    }
    // The term's policy: a share of the same base, a count per term.
    if let Some(limit) = facts.policy.quotas.limit(kind, base) {
        let (used, scope, in_term) = if kind == AwardKind::GovernmentFlag {
            (used, scope, counted_in_term)
        } else {
            (
                in_term_used(facts, kind),
                Words::Verbatim(term.resource()),
                true,
            )
        };
        out.push(Standing {
            whose: words!("quota-of-policy", kind => kind.words()),
            rule: if kind == AwardKind::GovernmentFlag {
                words!(
                    "quota-rule-share",
                    share = facts.policy.quotas.government_flag_share,
                    base = base,
                    limit = limit
                )
            } else {
                words!("quota-rule-count-term", count = limit)
            },
            limit,
            used,
            scope,
            in_term,
        });
    }
    out
}

fn in_term_used(facts: &ProposalFacts<'_>, kind: AwardKind) -> Vec<String> {
    facts
        .awards
        .iter()
        .filter(|a| a.kind == kind && a.counts())
        .map(super::Award::resource)
        .collect()
}

/// Checks the quotas of a proposal of `unit` for `kind`; `override_reason` says why this unit
/// when it is tied for a quota's last place.
pub(super) fn check_quotas(
    facts: &ProposalFacts<'_>,
    entry: &Entry,
    unit: &UnitRef,
    kind: AwardKind,
    override_reason: &str,
) -> Result<(), Error> {
    let standings = standings(facts, entry, kind);
    for s in &standings {
        if s.used.len() >= s.limit {
            return Err(Error::Preconditions {
                reason: Reason::QuotaExceeded,
                description: words!(
                    "quota-used-up",
                    whose => s.whose.clone(),
                    scope => s.scope.clone(),
                    rule => s.rule.clone(),
                    proposed = s.used.len()
                ),
                violations: s
                    .used
                    .iter()
                    .map(|a| (a.clone(), words!("quota-counts")))
                    .chain(std::iter::once((
                        facts.term.resource(),
                        words!("quota-whose-rule", whose => s.whose.clone(), rule => s.rule.clone()),
                    )))
                    .collect(),
            });
        }
    }
    // The provincial flag's own rule (the leading unit, or an override) covers its ties.
    if kind == AwardKind::ProvincialFlag || !override_reason.trim().is_empty() {
        return Ok(());
    }
    let last_place = standings
        .iter()
        .find(|s| s.in_term && s.used.len() + 1 == s.limit);
    let tied = tied_rivals(facts, unit, kind);
    match last_place {
        Some(s) if !tied.is_empty() => Err(Error::Preconditions {
            reason: Reason::QuotaTie,
            description: words!(
                "quota-tie",
                unit = unit,
                whose => s.whose.clone(),
                rule => s.rule.clone(),
                tied = tied
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            violations: std::iter::once(unit)
                .chain(&tied)
                .map(|u| (u.to_string(), words!("quota-tied-last-place")))
                .collect(),
        }),
        _ => Ok(()),
    }
}

/// The eligible members in an unresolved tie with `unit` and not already proposed.
fn tied_rivals(facts: &ProposalFacts<'_>, unit: &UnitRef, kind: AwardKind) -> Vec<UnitRef> {
    let Some(mine) = facts
        .placements
        .iter()
        .find(|p| &p.unit == unit && p.unresolved_tie)
    else {
        return Vec::new();
    };
    let mandatory = mandatory_codes(facts.groups);
    let (excellent, good) = facts.policy.award_levels();
    facts
        .placements
        .iter()
        .filter(|p| p.rank == mine.rank && &p.unit != unit)
        .filter(|p| !facts.awards.iter().any(|a| a.unit == p.unit && a.counts()))
        .filter(|p| {
            facts
                .scores
                .get(&p.unit)
                .is_some_and(|s| check_eligible(kind, s, &mandatory, &excellent, &good).is_empty())
        })
        .map(|p| p.unit.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::award::{
        Award, AwardState, check_proposal,
        proposal::tests::{adopted, facts, proposed, reason},
    };
    use crate::fixtures::unit;

    #[test]
    fn the_government_flag_counts_the_organiser_s_year_and_the_provincial_flag_does_not_bar_it() {
        let board = adopted();
        let (_, version, scores, _) = &board;
        let policy = Policy::default();
        let held = vec![proposed(
            "01843",
            AwardKind::ProvincialFlag,
            AwardState::Submitted,
        )];
        // One cluster alone has too few excellent units for 20%: the province's three do.
        let province = |meeting: usize, flags: &[&str]| OrganiserYear {
            organiser: Some(unit("06")),
            year: 2022,
            terms: vec!["clusters/a/terms/2022".into(); 3],
            meeting_standard: meeting,
            proposed: flags.iter().map(|f| (*f).to_owned()).collect(),
        };
        let propose = |scope: &OrganiserYear, kind| {
            check_proposal(
                &facts(&board, &policy, &held, scope),
                &unit("01843"),
                kind,
                "",
            )
        };
        let flag = AwardKind::GovernmentFlag;
        assert_eq!(
            meeting_standard(AwardKind::ProvincialFlag, &version.groups, scores, &policy),
            2,
            "Phùng Chí Kiên and Đức Xuân in this cluster"
        );
        assert_eq!(
            reason(propose(&province(2, &[]), flag)),
            Some(Reason::QuotaExceeded),
            "20% of this cluster's 2 is 0"
        );
        assert_eq!(
            reason(propose(&province(5, &[]), flag)),
            None,
            "5 across the province allow one; the provincial flag held does not bar it"
        );
        match propose(&province(5, &["awards/b"]), flag) {
            Err(e @ Error::Preconditions { .. }) => {
                assert_eq!(e.reason(), Reason::QuotaExceeded);
                let text = e.to_string();
                assert!(
                    text.contains("Cờ thi đua của Chính phủ (CTD_CP)")
                        && text.contains("5 collectives")
                        && text.contains("3 term(s) of units/qd124-2004~06 in 2022"),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            reason(propose(&province(5, &[]), AwardKind::CertificateOfMerit)),
            Some(Reason::AlreadyExists),
            "one award otherwise"
        );
    }

    #[test]
    fn a_tie_for_the_last_place_of_a_quota_is_reported_not_broken() {
        let mut board = adopted();
        // Phùng Chí Kiên and Đức Xuân tied, no rule separating them; one certificate left.
        for p in board.3.iter_mut().take(2) {
            p.rank = 1;
            p.unresolved_tie = true;
        }
        let mut policy = Policy::default();
        policy.quotas.certificates_of_merit = 1;
        let scope = OrganiserYear::default();
        let propose = |awards: &[Award], who: &str, why: &str| {
            check_proposal(
                &facts(&board, &policy, awards, &scope),
                &unit(who),
                AwardKind::CertificateOfMerit,
                why,
            )
        };
        match propose(&[], "01840", "") {
            Err(e @ Error::Preconditions { .. }) => {
                assert_eq!(e.reason(), Reason::QuotaTie);
                assert!(
                    e.to_string().contains("tied with units/qd124-2004~01843"),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            reason(propose(
                &[],
                "01840",
                "Hội nghị cụm bỏ phiếu chọn phường Đức Xuân"
            )),
            None,
            "the reason is recorded"
        );
        let rival_has_one = [proposed(
            "01843",
            AwardKind::ProvincialFlag,
            AwardState::Proposed,
        )];
        assert_eq!(
            reason(propose(&rival_has_one, "01840", "")),
            None,
            "the tied rival already holds an award this term"
        );
    }
}
