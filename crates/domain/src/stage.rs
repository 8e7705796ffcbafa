//! The stages of a term's year (giai đoạn): they run in order and none is skipped.

use std::{fmt, str::FromStr};

use crate::{
    error::{Error, Reason},
    words,
    words::Words,
};

/// A term's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Members, leadership, table and targets are set; the covenant is being signed.
    Setup,
    /// Members report results with evidence (báo cáo kết quả).
    Reporting,
    /// Members score themselves (tự chấm).
    SelfScoring,
    /// The leader or a review team cross-checks (chấm chéo); the organiser may adjust.
    Review,
    /// The members' meeting adopted the scoreboard (thông qua); scores are immutable.
    Adopted,
    /// The secret ballot on proposals (bỏ phiếu kín).
    Ballot,
    /// Proposals were sent to the provincial council (đề nghị khen thưởng).
    Proposed,
    /// The year is closed.
    Closed,
}

impl Stage {
    /// Every stage in order.
    pub const ALL: [Stage; 8] = [
        Stage::Setup,
        Stage::Reporting,
        Stage::SelfScoring,
        Stage::Review,
        Stage::Adopted,
        Stage::Ballot,
        Stage::Proposed,
        Stage::Closed,
    ];

    /// Stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Setup => "setup",
            Stage::Reporting => "reporting",
            Stage::SelfScoring => "self_scoring",
            Stage::Review => "review",
            Stage::Adopted => "adopted",
            Stage::Ballot => "ballot",
            Stage::Proposed => "proposed",
            Stage::Closed => "closed",
        }
    }

    /// The stage's name, as people read it.
    pub fn words(self) -> Words {
        match self {
            Stage::Setup => words!("stage-setup"),
            Stage::Reporting => words!("stage-reporting"),
            Stage::SelfScoring => words!("stage-self-scoring"),
            Stage::Review => words!("stage-review"),
            Stage::Adopted => words!("stage-adopted"),
            Stage::Ballot => words!("stage-ballot"),
            Stage::Proposed => words!("stage-proposed"),
            Stage::Closed => words!("stage-closed"),
        }
    }

    /// The stage after this one.
    pub fn next(self) -> Option<Stage> {
        Stage::ALL
            .iter()
            .position(|s| *s == self)
            .and_then(|i| Stage::ALL.get(i + 1))
            .copied()
    }

    /// Refuses `action` unless this stage allows it ([`Action::stages`]), naming the stage the
    /// term (`subject`) is in.
    pub fn permit(self, action: Action, subject: &str) -> Result<(), Error> {
        let allowed = action.stages();
        if allowed.contains(&self) {
            return Ok(());
        }
        let needs = match allowed {
            [one] => words!("stage-one", stage => one.words()),
            [first, .., last] => words!(
                "stage-range",
                first => first.words(),
                last => last.words()
            ),
            [] => words!("stage-none"),
        };
        Err(Error::precondition(
            Reason::WrongStage,
            subject,
            words!(
                "stage-wrong",
                action => action.words(),
                needs => needs,
                subject = subject,
                stage => self.words()
            ),
        ))
    }
}

/// What a use case does to a term that only some stages allow (moving between stages has its
/// own rules: [`check_advance`], [`check_reopen`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Report a result (báo cáo kết quả), or a correction of one.
    ReportResult,
    /// Record a member's self-score (tự chấm).
    RecordSelfScore,
    /// Record a review score (chấm chéo) or the organiser's adjustment.
    RecordReviewScore,
    /// Record the decision that orders tied members.
    RecordTieDecision,
    /// Change the term's scoring policy.
    ChangePolicy,
    /// Propose an award (đề nghị khen thưởng).
    ProposeAward,
    /// Record a secret ballot's counts (bỏ phiếu kín).
    RecordBallot,
    /// Submit a passed proposal to the provincial council.
    SubmitAward,
    /// Reopen adopted scores for review, with a written reason.
    Reopen,
}

impl Action {
    /// Every action, for the table's tests and documentation.
    pub const ALL: [Action; 9] = [
        Action::ReportResult,
        Action::RecordSelfScore,
        Action::RecordReviewScore,
        Action::RecordTieDecision,
        Action::ChangePolicy,
        Action::ProposeAward,
        Action::RecordBallot,
        Action::SubmitAward,
        Action::Reopen,
    ];

    /// The one table of which stages allow which action.
    pub fn stages(self) -> &'static [Stage] {
        match self {
            // A late or corrected result may still come in while members score themselves.
            Action::ReportResult => &[Stage::Reporting, Stage::SelfScoring],
            Action::RecordSelfScore => &[Stage::SelfScoring],
            Action::RecordReviewScore | Action::RecordTieDecision => &[Stage::Review],
            // Until adoption: adopted scores change only after a reasoned reopening.
            Action::ChangePolicy => &[
                Stage::Setup,
                Stage::Reporting,
                Stage::SelfScoring,
                Stage::Review,
            ],
            Action::ProposeAward => &[Stage::Adopted, Stage::Ballot],
            Action::RecordBallot => &[Stage::Ballot],
            Action::SubmitAward => &[Stage::Ballot, Stage::Proposed],
            Action::Reopen => &[Stage::Adopted],
        }
    }

    /// The action in a message.
    pub fn words(self) -> Words {
        match self {
            Action::ReportResult => words!("action-report-result"),
            Action::RecordSelfScore => words!("action-self-score"),
            Action::RecordReviewScore => words!("action-review-score"),
            Action::RecordTieDecision => words!("action-tie-decision"),
            Action::ChangePolicy => words!("action-change-policy"),
            Action::ProposeAward => words!("action-propose-award"),
            Action::RecordBallot => words!("action-record-ballot"),
            Action::SubmitAward => words!("action-submit-award"),
            Action::Reopen => words!("action-reopen"),
        }
    }

    /// Recording a score in `layer`.
    pub fn record_score(layer: crate::results::Layer) -> Action {
        match layer {
            crate::results::Layer::SelfScore => Action::RecordSelfScore,
            crate::results::Layer::Review | crate::results::Layer::Adjustment => {
                Action::RecordReviewScore
            }
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s).ok_or(())
    }
}

/// Vietnam's offset from UTC: deadlines end at midnight in Hà Nội.
const VIETNAM_OFFSET_SECONDS: i64 = 7 * 3600;

/// True when something done at `at` missed `deadline`, which runs to the end of that day in
/// Vietnam (UTC+7). Late work is accepted but flagged.
pub fn is_late(at: crate::time::Timestamp, deadline: crate::time::Date) -> bool {
    let end = (deadline.days_since_epoch() + 1) * 86_400 - VIETNAM_OFFSET_SECONDS;
    at.0 >= end * 1_000_000
}

/// Checks a move from `current` to `to`: only to the next stage, and out of setup only once
/// every member has signed.
pub fn check_advance(
    current: Stage,
    to: Stage,
    subject: &str,
    covenant_signed: bool,
) -> Result<(), Error> {
    if current.next() != Some(to) {
        return Err(Error::precondition(
            Reason::WrongStage,
            subject,
            match current.next() {
                Some(next) => words!(
                    "stage-not-next",
                    subject = subject,
                    current => current.words(),
                    next => next.words(),
                    to => to.words()
                ),
                None => words!(
                    "stage-last",
                    subject = subject,
                    current => current.words()
                ),
            },
        ));
    }
    if current == Stage::Setup && !covenant_signed {
        return Err(Error::precondition(
            Reason::WrongStage,
            subject,
            words!("stage-covenant-unsigned", subject = subject),
        ));
    }
    Ok(())
}

/// Checks a reopening: only an adopted scoreboard, back to review, with a written reason.
pub fn check_reopen(current: Stage, reason: &str, subject: &str) -> Result<(), Error> {
    current.permit(Action::Reopen, subject)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("reason", words!("reopen-reason-missing")));
    }
    Ok(())
}

/// Checks stage deadlines: each falls on or after the term's first day (`start`).
pub fn check_deadlines(
    start: crate::time::Date,
    deadlines: &[(Stage, crate::time::Date)],
) -> Result<(), Error> {
    let mut v = crate::error::Violations::default();
    for (i, (_, date)) in deadlines.iter().enumerate() {
        if *date < start {
            v.add(
                format!("deadlines[{i}].deadline"),
                words!(
                    "deadline-before-start",
                    date => date.words(),
                    start => start.words()
                ),
            );
        }
    }
    v.finish(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_run_in_order_without_skipping() {
        assert!(check_advance(Stage::Setup, Stage::Reporting, "t", true).is_ok());
        assert!(check_advance(Stage::Setup, Stage::Reporting, "t", false).is_err());
        assert!(check_advance(Stage::Reporting, Stage::Review, "t", true).is_err());
        assert!(check_advance(Stage::Review, Stage::Reporting, "t", true).is_err());
        assert!(check_advance(Stage::Proposed, Stage::Closed, "t", true).is_ok());
        assert_eq!(Stage::Closed.next(), None);
        let Err(Error::FailedPrecondition { description, .. }) =
            check_advance(Stage::Reporting, Stage::Adopted, "t", true)
        else {
            panic!("must fail");
        };
        assert!(description.contains("reporting"), "{description}");
    }

    #[test]
    fn a_deadline_ends_at_midnight_in_ha_noi() {
        use crate::time::{Date, Timestamp};
        let deadline = Date::new(2022, 12, 15).unwrap_or_else(|| panic!("date"));
        // 2022-12-15 23:59:59 in Hà Nội is 16:59:59 UTC.
        let last_second = Timestamp(
            (deadline.days_since_epoch() * 86_400 + 16 * 3600 + 59 * 60 + 59) * 1_000_000,
        );
        assert!(!is_late(last_second, deadline));
        assert!(is_late(Timestamp(last_second.0 + 1_000_000), deadline));
    }

    #[test]
    fn each_action_is_allowed_in_its_stages_only() {
        for action in Action::ALL {
            for stage in Stage::ALL {
                let permitted = stage.permit(action, "clusters/bac-kan-city/terms/2022");
                assert_eq!(
                    permitted.is_ok(),
                    action.stages().contains(&stage),
                    "{action:?} in {stage}"
                );
            }
        }
        // Scores are immutable once adopted; awards come only after adoption.
        assert!(Stage::Adopted.permit(Action::ReportResult, "t").is_err());
        assert!(Stage::Adopted.permit(Action::ChangePolicy, "t").is_err());
        assert!(Stage::Review.permit(Action::ProposeAward, "t").is_err());
        let Err(Error::FailedPrecondition { description, .. }) =
            Stage::Closed.permit(Action::RecordBallot, "t")
        else {
            panic!("must fail");
        };
        assert!(
            description.contains("ballot") && description.contains("closed"),
            "{description}"
        );
    }

    #[test]
    fn deadlines_fall_within_the_term() {
        use crate::time::Date;
        let start = Date::new(2022, 4, 28).unwrap_or_else(|| panic!("date"));
        let day = |m, d| Date::new(2022, m, d).unwrap_or_else(|| panic!("date"));
        assert!(check_deadlines(start, &[(Stage::Reporting, day(12, 15))]).is_ok());
        let Err(Error::Invalid(v)) = check_deadlines(
            start,
            &[(Stage::Reporting, day(12, 15)), (Stage::Review, day(1, 10))],
        ) else {
            panic!("a deadline before the term must be refused");
        };
        assert_eq!(v[0].field, "deadlines[1].deadline");
    }

    #[test]
    fn reopening_needs_adoption_and_a_reason() {
        assert!(
            check_reopen(
                Stage::Adopted,
                "Sai số liệu thu ngân sách của phường Đức Xuân",
                "t"
            )
            .is_ok()
        );
        assert!(check_reopen(Stage::Adopted, "  ", "t").is_err());
        assert!(check_reopen(Stage::Review, "lý do", "t").is_err());
    }
}
