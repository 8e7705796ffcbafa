//! Why a criterion has its points (giải thích điểm): the rule's reasoning with its numbers,
//! as data; the server words it in the caller's language from its catalogues.

use rust_decimal::Decimal;

/// Why a leaf has its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A reviewer (or a judged rule's scorer) gave the points.
    Given {
        /// The points given.
        points: Decimal,
    },
    /// An inner node: the sum of its children.
    Sum {
        /// How many children.
        children: usize,
    },
    /// Not a leaf.
    NotALeaf,
    /// The event happened.
    Event {
        /// The event's points.
        points: Decimal,
    },
    /// The event did not happen.
    NoEvent,
    /// A judged criterion nobody has scored yet.
    NotJudgedYet,
    /// Nothing reported.
    NoResult,
    /// No target registered for the member.
    NoTarget,
    /// The value reached the target (or stayed under it, lower being better): full points.
    Reached {
        /// The value.
        actual: Decimal,
        /// The target.
        target: Decimal,
        /// Whether lower is better (≤ rather than ≥).
        lower_is_better: bool,
    },
    /// Under the target of a threshold: the partial points.
    Below {
        /// The value.
        actual: Decimal,
        /// The target.
        target: Decimal,
        /// The partial points.
        points: Decimal,
    },
    /// A share of the target times the maximum.
    Share {
        /// The share reached, in percent (two places).
        percent: Decimal,
        /// The target.
        target: Decimal,
        /// The maximum.
        max: Decimal,
    },
    /// A share of the target, plus a bonus for what is above it.
    ShareWithBonus {
        /// The share reached, in percent.
        percent: Decimal,
        /// The target.
        target: Decimal,
        /// The base points.
        base: Decimal,
        /// The bonus points.
        bonus: Decimal,
        /// How far above the target, in percent.
        above: Decimal,
        /// Bonus per percent above.
        per_percent: Decimal,
        /// The bonus cap.
        cap: Decimal,
    },
    /// Short of the target by started steps, each deducted.
    ShortBy {
        /// How far short, in percent.
        percent: Decimal,
        /// The target.
        target: Decimal,
        /// Steps started.
        steps: Decimal,
        /// Deducted per step.
        deduction: Decimal,
    },
    /// Over a lower-is-better target, deducted per unit.
    Over {
        /// How far over.
        over: Decimal,
        /// The target.
        target: Decimal,
        /// Deducted per unit.
        per_unit: Decimal,
    },
    /// A rule without a measured value.
    NotQuantitative,
}

/// A leaf's points explained: why, and the rounding to the table's step when it changed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    /// Why.
    pub why: Why,
    /// (the unrounded points, shown two places finer than the step; the points) when rounding
    /// changed them.
    pub rounded: Option<(Decimal, Decimal)>,
}

#[cfg(test)]
mod tests {
    use super::super::points::{Entry, explain_leaf};
    use crate::fixtures::d;

    #[test]
    fn the_unrounded_points_are_shown_two_places_finer_than_the_step() {
        // Two thirds of the target: not printed to the 28 digits a division leaves.
        let why = explain_leaf(
            Some(&crate::criteria::Rule::Proportional),
            d("20"),
            None,
            Some(d("3")),
            Some(Entry::Actual(d("2"))),
            d("0.5"),
        );
        assert_eq!(why.rounded, Some((d("13.333"), d("13.5"))));
    }
}
