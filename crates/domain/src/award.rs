//! Awards (khen thưởng): kinds, quotas, eligibility, the secret ballot (bỏ phiếu kín) and the
//! proposal with its dossier. A revoked award stays in history.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{
    error::{FieldViolation, Violations},
    scoring::MemberScore,
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
                "the submission letter (tờ trình)",
            ),
            (
                "dossier.minutes",
                &self.minutes,
                "the meeting minutes (biên bản)",
            ),
            (
                "dossier.achievement_report",
                &self.achievement_report,
                "the achievement report (báo cáo thành tích)",
            ),
        ]
        .into_iter()
        .filter(|(_, v, _)| v.trim().is_empty())
        .map(|(f, _, what)| FieldViolation::new(f, format!("{what} is missing")))
        .collect()
    }
}

/// Why a member may not be proposed for `kind` (empty when it may): a recorded violation (a
/// penalty event), a mandatory criterion not at full points, or a classification below the
/// kind's minimum (flags need `excellent`; certificates `excellent` or `good`).
pub fn check_eligible(
    kind: AwardKind,
    score: &MemberScore,
    mandatory: &[String],
    excellent: &str,
    good: &str,
) -> Vec<String> {
    let mut why: Vec<String> = score
        .criteria()
        .filter(|c| c.points < Decimal::ZERO)
        .map(|c| format!("a violation was recorded under {}", c.code))
        .collect();
    for code in mandatory {
        if let Some(c) = score.node(code)
            && c.points < c.max_points
        {
            why.push(format!(
                "mandatory criterion {code} was not met ({} of {})",
                c.points, c.max_points
            ));
        }
    }
    let level = score.classification.level.as_deref();
    let ok = if kind.is_flag() {
        level == Some(excellent)
    } else {
        level == Some(excellent) || level == Some(good)
    };
    if !ok {
        why.push(format!(
            "classification `{}` is below what a {} needs",
            level.unwrap_or("không hoàn thành"),
            kind.as_str()
        ));
    }
    why
}

/// Whose members the pass threshold counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotBase {
    /// Members present.
    Present,
    /// All eligible members.
    All,
}

impl BallotBase {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            BallotBase::Present => "present",
            BallotBase::All => "all",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "present" => Some(BallotBase::Present),
            "all" => Some(BallotBase::All),
            _ => None,
        }
    }
}

/// A secret ballot's counts: no link to any voter is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    /// Members entitled to vote.
    pub eligible: i64,
    /// Members present.
    pub present: i64,
    /// Valid ballots.
    pub valid: i64,
    /// Yes votes.
    pub yes: i64,
    /// No votes.
    pub no: i64,
    /// The share of the base needed, strictly more than (e.g. 0.5).
    pub threshold: Decimal,
    /// The base of the share.
    pub base: BallotBase,
}

impl Ballot {
    /// Checks the counts add up: none negative, valid ≤ present ≤ eligible, yes + no ≤ valid,
    /// threshold within [0, 1).
    pub fn check(&self) -> Result<(), crate::error::Error> {
        let mut v = Violations::default();
        for (field, n) in [
            ("ballot.eligible", self.eligible),
            ("ballot.present", self.present),
            ("ballot.valid", self.valid),
            ("ballot.yes", self.yes),
            ("ballot.no", self.no),
        ] {
            if n < 0 {
                v.add(field, format!("{n} is negative"));
            }
        }
        if self.present > self.eligible {
            v.add(
                "ballot.present",
                format!(
                    "{} present exceeds {} eligible",
                    self.present, self.eligible
                ),
            );
        }
        if self.valid > self.present {
            v.add(
                "ballot.valid",
                format!("{} valid exceeds {} present", self.valid, self.present),
            );
        }
        if self.yes + self.no > self.valid {
            v.add(
                "ballot.yes",
                format!(
                    "{} yes and {} no exceed {} valid",
                    self.yes, self.no, self.valid
                ),
            );
        }
        if self.threshold < Decimal::ZERO || self.threshold >= Decimal::ONE {
            v.add(
                "ballot.threshold",
                "the threshold is a share in [0, 1), e.g. 0.5",
            );
        }
        v.finish(())
    }

    /// True when yes votes are strictly more than the threshold share of the base.
    pub fn passed(&self) -> bool {
        let base = match self.base {
            BallotBase::Present => self.present,
            BallotBase::All => self.eligible,
        };
        base > 0 && Decimal::from(self.yes) > Decimal::from(base) * self.threshold
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
    /// When proposed.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ballot(eligible: i64, present: i64, valid: i64, yes: i64, base: BallotBase) -> Ballot {
        Ballot {
            eligible,
            present,
            valid,
            yes,
            no: valid - yes,
            threshold: Decimal::new(5, 1),
            base,
        }
    }

    #[test]
    fn ballots_just_under_and_over_the_threshold_on_both_bases() {
        assert!(
            !ballot(8, 7, 7, 4, BallotBase::All).passed(),
            "4 of 8 is not more than half"
        );
        assert!(ballot(8, 7, 7, 5, BallotBase::All).passed());
        assert!(
            ballot(8, 7, 7, 4, BallotBase::Present).passed(),
            "4 of 7 present is more than half"
        );
        assert!(!ballot(8, 6, 6, 3, BallotBase::Present).passed());
    }

    #[test]
    fn counts_must_add_up() {
        assert!(ballot(8, 7, 7, 5, BallotBase::All).check().is_ok());
        assert!(ballot(8, 9, 7, 5, BallotBase::All).check().is_err());
        assert!(ballot(8, 7, 8, 5, BallotBase::All).check().is_err());
        let mut b = ballot(8, 7, 7, 5, BallotBase::All);
        b.no = 3;
        assert!(b.check().is_err());
        b = ballot(8, 7, 7, 5, BallotBase::All);
        b.yes = -1;
        assert!(b.check().is_err());
    }

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
    fn eligibility_needs_no_violation_mandatory_criteria_and_the_level() -> Result<(), &'static str>
    {
        use crate::scoring::{Classification, NodeResult, ScoredNode};
        let node = |code: &str, max: i64| ScoredNode {
            code: code.into(),
            rule: Some(crate::criteria::Rule::Judged),
            max_points: Decimal::from(max),
            bonus_cap: None,
            step: Decimal::ONE,
            children: 0,
        };
        let nodes: std::sync::Arc<[ScoredNode]> = vec![node("IV.1", 15), node("VI.2", 0)].into();
        let result = |points: i64| NodeResult {
            target: None,
            entry: None,
            points: Decimal::from(points),
        };
        let score = |points: i64, penalty: i64, level: &str| {
            MemberScore::new(
                UnitRef::new(crate::unit::Scheme::Qd124_2004, "01843"),
                Decimal::from(points + penalty),
                Classification {
                    level: Some(level.into()),
                    note: String::new(),
                },
                nodes.clone(),
                vec![result(points.min(15)), result(penalty)],
            )
            .ok_or("nodes and results align")
        };
        let mandatory = vec!["IV.1".to_owned()];
        let ok = score(15, 0, "xuất sắc")?;
        assert!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &ok,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .is_empty()
        );
        assert_eq!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &score(15, -5, "xuất sắc")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .len(),
            1
        );
        assert_eq!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &score(10, 0, "xuất sắc")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .len(),
            1
        );
        assert_eq!(
            check_eligible(
                AwardKind::ProvincialFlag,
                &score(15, 0, "tốt")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .len(),
            1
        );
        assert!(
            check_eligible(
                AwardKind::CertificateOfMerit,
                &score(15, 0, "tốt")?,
                &mandatory,
                "xuất sắc",
                "tốt"
            )
            .is_empty()
        );
        Ok(())
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
