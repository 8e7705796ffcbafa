//! Awards (khen thưởng): kinds, quotas, the proposal with its dossier and its states. A revoked
//! award stays in history. `proposal` holds the rules of proposing, submitting and revoking;
//! `ballot` the secret ballot (bỏ phiếu kín).

mod ballot;
pub mod catalogue;
pub mod catalogue_sheet;
pub mod decision;
pub mod past_decisions;
pub mod prerequisite;
mod proposal;
mod quota;
pub mod register_events;

pub use ballot::{Ballot, BallotBase, check_ballot};
pub use proposal::{
    ProposalFacts, check_eligible, check_proposal, check_revocation, check_submission,
};
pub use quota::{OrganiserYear, meeting_standard};

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{
    error::{Error, FieldViolation, Reason},
    time::Timestamp,
    unit::UnitRef,
};

/// The kind of an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AwardKind {
    /// Cờ thi đua của UBND tỉnh: by default one per term, to the leading unit.
    ProvincialFlag,
    /// Cờ thi đua của Chính phủ: at most a share of the units meeting the provincial standard.
    GovernmentFlag,
    /// Bằng khen: capped by count.
    CertificateOfMerit,
    /// Giấy khen.
    CertificateOfCommendation,
}

impl AwardKind {
    /// Every kind.
    pub const ALL: [AwardKind; 4] = [
        AwardKind::ProvincialFlag,
        AwardKind::GovernmentFlag,
        AwardKind::CertificateOfMerit,
        AwardKind::CertificateOfCommendation,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AwardKind::ProvincialFlag => "provincial_flag",
            AwardKind::GovernmentFlag => "government_flag",
            AwardKind::CertificateOfMerit => "certificate_of_merit",
            AwardKind::CertificateOfCommendation => "certificate_of_commendation",
        }
    }

    /// The kind's official name, as people read it.
    pub fn words(self) -> crate::words::Words {
        match self {
            AwardKind::ProvincialFlag => crate::words!("award-provincial-flag"),
            AwardKind::GovernmentFlag => crate::words!("award-government-flag"),
            AwardKind::CertificateOfMerit => crate::words!("award-certificate-of-merit"),
            AwardKind::CertificateOfCommendation => {
                crate::words!("award-certificate-of-commendation")
            }
        }
    }

    /// True for the flags, which need the excellent classification.
    pub fn is_flag(self) -> bool {
        matches!(self, AwardKind::ProvincialFlag | AwardKind::GovernmentFlag)
    }
}

impl FromStr for AwardKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        AwardKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

/// Quotas of a term, by default: one provincial flag, three certificates of merit, Government
/// flags for at most 20% of the units meeting the provincial-flag standard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotas {
    /// Provincial flags per term.
    pub provincial_flags: usize,
    /// Certificates of merit per term.
    pub certificates_of_merit: usize,
    /// Government flags as a share of units meeting the provincial-flag standard.
    pub government_flag_share: Decimal,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            provincial_flags: 1,
            certificates_of_merit: 3,
            government_flag_share: Decimal::new(20, 2),
        }
    }
}

impl Quotas {
    /// How many awards of `kind` a term may propose; `meeting_flag_standard` counts the units
    /// eligible for a provincial flag.
    pub fn limit(&self, kind: AwardKind, meeting_flag_standard: usize) -> Option<usize> {
        match kind {
            AwardKind::ProvincialFlag => Some(self.provincial_flags),
            AwardKind::CertificateOfMerit => Some(self.certificates_of_merit),
            AwardKind::GovernmentFlag => {
                let share = Decimal::from(meeting_flag_standard) * self.government_flag_share;
                Some(
                    usize::try_from(share.floor().mantissa())
                        .unwrap_or(0)
                        .min(meeting_flag_standard),
                )
            }
            AwardKind::CertificateOfCommendation => None,
        }
    }
}

/// The dossier of a proposal (hồ sơ đề nghị): document references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dossier {
    /// Tờ trình: the submission letter.
    pub submission_letter: String,
    /// Biên bản họp: the meeting minutes with the ballot result.
    pub minutes: String,
    /// Báo cáo thành tích: the achievement report.
    pub achievement_report: String,
}

impl Dossier {
    /// The missing documents, by field.
    pub fn missing(&self) -> Vec<FieldViolation> {
        [
            (
                "dossier.submission_letter",
                &self.submission_letter,
                crate::words!("dossier-missing-submission-letter"),
            ),
            (
                "dossier.minutes",
                &self.minutes,
                crate::words!("dossier-missing-minutes"),
            ),
            (
                "dossier.achievement_report",
                &self.achievement_report,
                crate::words!("dossier-missing-achievement-report"),
            ),
        ]
        .into_iter()
        .filter(|(_, v, _)| v.trim().is_empty())
        .map(|(f, _, what)| FieldViolation::new(f, what))
        .collect()
    }
}

/// The state of an award proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardState {
    /// Proposed at the meeting; waiting for the ballot.
    Proposed,
    /// The ballot passed.
    Passed,
    /// The ballot failed.
    Failed,
    /// Sent to the provincial council with its dossier.
    Submitted,
    /// Revoked later; kept in history.
    Revoked,
    /// Approved by a recorded decision: in the award register.
    Awarded,
    /// Rejected by a recorded decision.
    Rejected,
}

impl AwardState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AwardState::Proposed => "proposed",
            AwardState::Passed => "passed",
            AwardState::Failed => "failed",
            AwardState::Submitted => "submitted",
            AwardState::Revoked => "revoked",
            AwardState::Awarded => "awarded",
            AwardState::Rejected => "rejected",
        }
    }

    /// The state, as people read it.
    pub fn words(self) -> crate::words::Words {
        match self {
            AwardState::Proposed => crate::words!("award-state-proposed"),
            AwardState::Passed => crate::words!("award-state-passed"),
            AwardState::Failed => crate::words!("award-state-failed"),
            AwardState::Submitted => crate::words!("award-state-submitted"),
            AwardState::Revoked => crate::words!("award-state-revoked"),
            AwardState::Awarded => crate::words!("award-state-awarded"),
            AwardState::Rejected => crate::words!("award-state-rejected"),
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            AwardState::Proposed,
            AwardState::Passed,
            AwardState::Failed,
            AwardState::Submitted,
            AwardState::Revoked,
            AwardState::Awarded,
            AwardState::Rejected,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An award proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    /// Id.
    pub id: String,
    /// The term's cluster.
    pub cluster_id: String,
    /// The term's year.
    pub year: i32,
    /// The proposed unit.
    pub unit: UnitRef,
    /// The kind.
    pub kind: AwardKind,
    /// The catalogue entry it asks for (its code in the version in force for the year).
    pub entry: String,
    /// State.
    pub state: AwardState,
    /// The dossier.
    pub dossier: Dossier,
    /// Why a provincial flag goes to a unit other than the top scorer, if it does.
    pub override_reason: String,
    /// The ballot, once recorded.
    pub ballot: Option<Ballot>,
    /// The revocation's legal ground and act, once revoked.
    pub revocation: Option<(String, String)>,
    /// The decision that approved or rejected it, once decided (a decision's id).
    pub decision: Option<String>,
    /// When proposed.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Award {
    /// The term it is proposed in.
    pub fn term(&self) -> crate::names::TermName {
        crate::names::TermName::new(&self.cluster_id, self.year)
    }
}

impl Award {
    /// The resource name, `awards/{id}`.
    pub fn resource(&self) -> String {
        format!("awards/{}", self.id)
    }

    /// Whether the award still counts against quotas and the one-award rule: a failed ballot,
    /// a rejection or a revocation frees its place.
    pub fn counts(&self) -> bool {
        !matches!(
            self.state,
            AwardState::Failed | AwardState::Revoked | AwardState::Rejected
        )
    }

    /// Refuses `action` unless the award is in one of `allowed`, naming its state.
    pub fn require_state(
        &self,
        allowed: AwardState,
        action: crate::words::Words,
    ) -> Result<(), Error> {
        if allowed == self.state {
            return Ok(());
        }
        Err(Error::precondition(
            Reason::AwardState,
            self.resource(),
            crate::words!(
                "award-wrong-state",
                action => action,
                needs => allowed.words(),
                state => self.state.words()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas() {
        let q = Quotas::default();
        assert_eq!(q.limit(AwardKind::ProvincialFlag, 8), Some(1));
        assert_eq!(
            q.limit(AwardKind::GovernmentFlag, 8),
            Some(1),
            "20% of 8 is 1.6, so 1"
        );
        assert_eq!(q.limit(AwardKind::GovernmentFlag, 4), Some(0));
        assert_eq!(q.limit(AwardKind::GovernmentFlag, 10), Some(2));
        assert_eq!(q.limit(AwardKind::CertificateOfCommendation, 10), None);
    }

    #[test]
    fn a_dossier_needs_three_documents() {
        let d = Dossier {
            submission_letter: "Tờ trình 12/TTr-CTĐ".into(),
            ..Default::default()
        };
        assert_eq!(d.missing().len(), 2);
    }
}
