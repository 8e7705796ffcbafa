//! A term's scoring policy (quy chế chấm điểm): the tie-break chain, the classification levels,
//! award quotas and the ballot's pass rule. Every part has the documented default.

use rust_decimal::Decimal;

use crate::{
    award::{BallotBase, Quotas},
    criteria::{self, Criterion},
    error::{Error, Violations},
    scoring::{ClassLevel, TieBreak},
};

/// A configurable tie-break step (recorded decisions are appended by the system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TieRule {
    /// The higher subtotal of this group or criterion.
    Subtotal(String),
    /// More criteria at full points.
    FullPointsCount,
    /// Fewer penalties.
    FewerPenalties,
}

/// A term's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Tie-break steps in order; `None` means the default: the first group's subtotal, then
    /// criteria at full points, then fewer penalties.
    pub tie_rules: Option<Vec<TieRule>>,
    /// Classification levels, highest first.
    pub levels: Vec<ClassLevel>,
    /// Award quotas.
    pub quotas: Quotas,
    /// The share of the ballot base the yes votes must exceed.
    pub ballot_threshold: Decimal,
    /// The ballot base.
    pub ballot_base: BallotBase,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            tie_rules: None,
            levels: ClassLevel::defaults(),
            quotas: Quotas::default(),
            ballot_threshold: Decimal::new(5, 1),
            ballot_base: BallotBase::Present,
        }
    }
}

impl Policy {
    /// The tie-break chain for a table.
    pub fn chain(&self, groups: &[Criterion]) -> Vec<TieBreak> {
        match &self.tie_rules {
            Some(rules) => rules
                .iter()
                .map(|r| match r {
                    TieRule::Subtotal(code) => TieBreak::Subtotal(code.clone()),
                    TieRule::FullPointsCount => TieBreak::FullPointsCount,
                    TieRule::FewerPenalties => TieBreak::FewerPenalties,
                })
                .collect(),
            None => {
                let mut chain: Vec<TieBreak> = groups
                    .first()
                    .map(|g| TieBreak::Subtotal(g.code.clone()))
                    .into_iter()
                    .collect();
                chain.extend([TieBreak::FullPointsCount, TieBreak::FewerPenalties]);
                chain
            }
        }
    }

    /// The names of the best and second level, which flags and certificates need.
    pub fn award_levels(&self) -> (String, String) {
        (
            self.levels
                .first()
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            self.levels
                .get(1)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
        )
    }

    /// Checks the policy, against the term's table when one is bound.
    pub fn check(&self, groups: Option<&[Criterion]>) -> Result<(), Error> {
        let mut v = Violations::default();
        let mut codes = Vec::new();
        if let Some(g) = groups {
            criteria::walk(g, &mut |n| codes.push(n.code.clone()));
        }
        for (i, rule) in self.tie_rules.iter().flatten().enumerate() {
            if let TieRule::Subtotal(code) = rule
                && groups.is_some()
                && !codes.contains(code)
            {
                v.add(
                    format!("policy.tie_breaks[{i}].code"),
                    crate::words!("code-not-in-table", code = code),
                );
            }
        }
        if self.levels.is_empty() {
            v.add("policy.levels", crate::words!("levels-empty"));
        }
        let unit = Decimal::ZERO..=Decimal::ONE;
        let mut previous: Option<&ClassLevel> = None;
        for (i, l) in self.levels.iter().enumerate() {
            if l.name.trim().is_empty() {
                v.add(
                    format!("policy.levels[{i}].name"),
                    crate::words!("level-name-missing"),
                );
            }
            if !unit.contains(&l.min_total_share) || !unit.contains(&l.min_criterion_share) {
                v.add(
                    format!("policy.levels[{i}]"),
                    crate::words!("level-shares-range"),
                );
            }
            if let Some(p) = previous
                && l.min_total_share > p.min_total_share
            {
                v.add(
                    format!("policy.levels[{i}].min_total_share"),
                    crate::words!("levels-order"),
                );
            }
            previous = Some(l);
        }
        if !unit.contains(&self.quotas.government_flag_share) {
            v.add("policy.government_flag_share", crate::words!("share-range"));
        }
        if self.ballot_threshold < Decimal::ZERO || self.ballot_threshold >= Decimal::ONE {
            v.add("policy.ballot_threshold", crate::words!("threshold-range"));
        }
        v.finish(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_chain_starts_with_the_first_group() {
        let groups = vec![Criterion {
            code: "I".into(),
            ..Default::default()
        }];
        assert_eq!(
            Policy::default().chain(&groups),
            [
                TieBreak::Subtotal("I".into()),
                TieBreak::FullPointsCount,
                TieBreak::FewerPenalties
            ]
        );
        let custom = Policy {
            tie_rules: Some(vec![TieRule::FewerPenalties]),
            ..Policy::default()
        };
        assert_eq!(custom.chain(&groups), [TieBreak::FewerPenalties]);
    }

    #[test]
    fn policies_are_checked() {
        let groups = vec![Criterion {
            code: "I".into(),
            ..Default::default()
        }];
        assert!(Policy::default().check(Some(&groups)).is_ok());
        let bad = Policy {
            tie_rules: Some(vec![TieRule::Subtotal("IX".into())]),
            ballot_threshold: Decimal::ONE,
            ..Policy::default()
        };
        let Err(Error::Invalid(v)) = bad.check(Some(&groups)) else {
            panic!("must fail");
        };
        assert_eq!(v.len(), 2);
        let mut levels = ClassLevel::defaults();
        levels.reverse();
        assert!(
            Policy {
                levels,
                ..Policy::default()
            }
            .check(None)
            .is_err()
        );
    }
}
