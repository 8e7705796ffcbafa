//! Why a criterion has its points (giải thích điểm): the rule's reasoning with its numbers,
//! as data, so that the server says it in the caller's language; `Display` writes English, as
//! logs and tests read it.

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

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = crate::decimal::format;
        match *self {
            Why::Given { points } => write!(f, "{} points given", d(points)),
            Why::Sum { children } => write!(f, "sum of {children} item(s)"),
            Why::NotALeaf => f.write_str("not a leaf"),
            Why::Event { points } => write!(f, "event occurred: {} points", d(points)),
            Why::NoEvent => f.write_str("event did not occur"),
            Why::NotJudgedYet => f.write_str("no points given yet"),
            Why::NoResult => f.write_str("no result reported"),
            Why::NoTarget => f.write_str("no target registered"),
            Why::Reached {
                actual,
                target,
                lower_is_better,
            } => write!(
                f,
                "{} {} target {}: full points",
                d(actual),
                if lower_is_better { "≤" } else { "≥" },
                d(target)
            ),
            Why::Below {
                actual,
                target,
                points,
            } => write!(
                f,
                "{} < target {}: {} points",
                d(actual),
                d(target),
                d(points)
            ),
            Why::Share {
                percent,
                target,
                max,
            } => write!(f, "{}% of target {} × {}", d(percent), d(target), d(max)),
            Why::ShareWithBonus {
                percent,
                target,
                base,
                bonus,
                above,
                per_percent,
                cap,
            } => write!(
                f,
                "{}% of target {}: {} base + {} bonus ({}% above × {}, cap {})",
                d(percent),
                d(target),
                d(base),
                d(bonus),
                d(above),
                d(per_percent),
                d(cap)
            ),
            Why::ShortBy {
                percent,
                target,
                steps,
                deduction,
            } => write!(
                f,
                "{}% short of target {}: {} step(s) × {} deducted",
                d(percent),
                d(target),
                d(steps),
                d(deduction)
            ),
            Why::Over {
                over,
                target,
                per_unit,
            } => write!(
                f,
                "{} over target {}: {} deducted per unit",
                d(over),
                d(target),
                d(per_unit)
            ),
            Why::NotQuantitative => f.write_str("not a quantitative rule"),
        }
    }
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.why)?;
        if let Some((raw, points)) = self.rounded {
            let d = crate::decimal::format;
            write!(f, "; ≈{} rounded to {}", d(raw), d(points))?;
        }
        Ok(())
    }
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
        assert!(
            why.to_string().ends_with("; ≈13.333 rounded to 13.5"),
            "{why}"
        );
    }
}
