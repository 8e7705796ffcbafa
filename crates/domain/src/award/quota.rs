//! The Government flag's quota at its real scope (Cờ thi đua của Chính phủ): a share of the
//! collectives that meet the provincial flag's standard across every cluster the organiser
//! level (a province, a ministry) runs in the year.

use std::collections::HashMap;

use super::{AwardKind, ProposalFacts, check_eligible, proposal::mandatory_codes};
use crate::{
    criteria::Criterion,
    error::{Error, Reason},
    policy::Policy,
    scoring::MemberScore,
    unit::UnitRef,
};

/// The Government flag's quota is counted over every cluster of the organiser level (a
/// province, a ministry) in a year, not within one cluster: the base is every collective of
/// the organiser's adopted terms that meets the provincial-flag standard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganiserYear {
    /// The organiser.
    pub organiser: Option<UnitRef>,
    /// The year.
    pub year: i32,
    /// The organiser's adopted terms of the year.
    pub terms: Vec<String>,
    /// Collectives meeting the provincial-flag standard across them.
    pub meeting_standard: usize,
    /// Government flags already proposed across them (still counting), by award.
    pub government_flags: Vec<String>,
}

/// How many members of one adopted board meet the provincial-flag standard.
pub fn meeting_flag_standard(
    groups: &[Criterion],
    scores: &HashMap<UnitRef, MemberScore>,
    policy: &Policy,
) -> usize {
    let mandatory = mandatory_codes(groups);
    let (excellent, good) = policy.award_levels();
    scores
        .values()
        .filter(|s| {
            check_eligible(AwardKind::ProvincialFlag, s, &mandatory, &excellent, &good).is_empty()
        })
        .count()
}

/// The Government-flag quota at its scope: a share of the collectives meeting the
/// provincial-flag standard across the organiser's terms of the year. The refusal names the
/// quota, the base, the flags counted and where.
pub(super) fn check_government_quota(facts: &ProposalFacts<'_>) -> Result<(), Error> {
    let scope = facts.organiser_year;
    let share = facts.policy.quotas.government_flag_share;
    let limit = facts
        .policy
        .quotas
        .limit(AwardKind::GovernmentFlag, scope.meeting_standard)
        .unwrap_or(0);
    let used = scope.government_flags.len();
    if used < limit {
        return Ok(());
    }
    let organiser = scope
        .organiser
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    Err(Error::Preconditions {
        reason: Reason::QuotaExceeded,
        description: format!(
            "Government flags of {organiser} in {}: {share} of {} collectives meeting the \
             provincial-flag standard across {} term(s) allows {limit}; {used} proposed",
            scope.year,
            scope.meeting_standard,
            scope.terms.len(),
        ),
        violations: scope
            .government_flags
            .iter()
            .map(|a| (a.clone(), "counts against the quota".to_owned()))
            .chain(std::iter::once((
                facts.term.resource(),
                format!("quota {limit} = ⌊{share} × {}⌋", scope.meeting_standard),
            )))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::award::{
        AwardState, check_proposal,
        proposal::tests::{adopted, proposed, reason},
    };

    #[test]
    fn the_government_flag_counts_the_organiser_s_year_and_the_provincial_flag_does_not_bar_it() {
        use crate::fixtures::unit;
        let (term, version, scores, placements) = adopted();
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
            government_flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        };
        let facts = |scope: &OrganiserYear| {
            check_proposal(
                &ProposalFacts {
                    term: &term,
                    groups: &version.groups,
                    scores: &scores,
                    placements: &placements,
                    policy: &policy,
                    awards: &held,
                    organiser_year: scope,
                },
                &unit("01843"),
                AwardKind::GovernmentFlag,
                "",
            )
        };
        assert_eq!(
            meeting_flag_standard(&version.groups, &scores, &policy),
            2,
            "Phùng Chí Kiên and Đức Xuân in this cluster"
        );
        assert_eq!(
            reason(facts(&province(2, &[]))),
            Some(Reason::QuotaExceeded),
            "20% of this cluster's 2 is 0"
        );
        assert_eq!(
            reason(facts(&province(5, &[]))),
            None,
            "5 across the province allow one; the provincial flag held does not bar it"
        );
        match facts(&province(5, &["awards/b"])) {
            Err(e @ Error::Preconditions { .. }) => {
                assert_eq!(e.reason(), Reason::QuotaExceeded);
                let text = e.to_string();
                assert!(
                    text.contains("5 collectives") && text.contains("3 term(s)"),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
        let certificate = check_proposal(
            &ProposalFacts {
                term: &term,
                groups: &version.groups,
                scores: &scores,
                placements: &placements,
                policy: &policy,
                awards: &held,
                organiser_year: &province(5, &[]),
            },
            &unit("01843"),
            AwardKind::CertificateOfMerit,
            "",
        );
        assert_eq!(
            reason(certificate),
            Some(Reason::AlreadyExists),
            "one award otherwise"
        );
    }
}
