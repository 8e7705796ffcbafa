//! The secret ballot on proposals (bỏ phiếu kín): counts only, no link to any voter.

use rust_decimal::Decimal;

use super::{Award, AwardState};
use crate::{
    error::{Error, Violations},
    stage::Action,
    term::Term,
};

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
    pub fn check(&self) -> Result<(), Error> {
        let mut v = Violations::default();
        for (field, n) in [
            ("ballot.eligible", self.eligible),
            ("ballot.present", self.present),
            ("ballot.valid", self.valid),
            ("ballot.yes", self.yes),
            ("ballot.no", self.no),
        ] {
            if n < 0 {
                v.add(field, crate::words!("negative", value = n));
            }
        }
        if self.present > self.eligible {
            v.add(
                "ballot.present",
                crate::words!(
                    "ballot-present-over",
                    present = self.present,
                    eligible = self.eligible
                ),
            );
        }
        if self.valid > self.present {
            v.add(
                "ballot.valid",
                crate::words!(
                    "ballot-valid-over",
                    valid = self.valid,
                    present = self.present
                ),
            );
        }
        if self.yes + self.no > self.valid {
            v.add(
                "ballot.yes",
                crate::words!(
                    "ballot-votes-over",
                    yes = self.yes,
                    no = self.no,
                    valid = self.valid
                ),
            );
        }
        if self.threshold < Decimal::ZERO || self.threshold >= Decimal::ONE {
            v.add("ballot.threshold", crate::words!("threshold-range"));
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

/// Checks a ballot recorded on `award` in `term`: the counts add up, the term is at its ballot,
/// the award waits for one, and every member of the term is entitled to vote. Returns the
/// award's state after the ballot.
pub fn check_ballot(term: &Term, award: &Award, ballot: &Ballot) -> Result<AwardState, Error> {
    ballot.check()?;
    term.stage.permit(Action::RecordBallot, &term.resource())?;
    award.require_state(AwardState::Proposed, Action::RecordBallot.words())?;
    let members = i64::try_from(term.members.len()).unwrap_or(i64::MAX);
    if ballot.eligible != members {
        return Err(Error::invalid(
            "ballot.eligible",
            crate::words!(
                "ballot-eligible",
                members = members,
                term = term.resource(),
                eligible = ballot.eligible
            ),
        ));
    }
    Ok(if ballot.passed() {
        AwardState::Passed
    } else {
        AwardState::Failed
    })
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
}
