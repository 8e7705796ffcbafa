//! Points of one leaf criterion from its rule, target and result, in exact decimals.

use rust_decimal::{Decimal, RoundingStrategy};

use super::explanation::{Explanation, Why};
use crate::criteria::{Criterion, Rule};

/// What a member reported, or the reviewing layer gave, for one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A measured value, in the criterion's metric (quantitative rules).
    Actual(Decimal),
    /// Points given directly (judged rules, or a reviewer's override of any rule).
    Points(Decimal),
    /// Whether the event happened (event rules).
    Event(bool),
}

/// The points of one criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafScore {
    /// The points after rounding to the table's step (bonus included, penalties negative).
    pub points: Decimal,
    /// The part of `points` above the maximum (bonus), if any.
    pub bonus: Decimal,
}

/// How a leaf's points came about, including the rounding. Scoring keeps the inputs and
/// builds this only when asked, so scoring a province builds no unread explanation.
pub fn explain_leaf(
    rule: Option<&Rule>,
    max: Decimal,
    cap: Option<Decimal>,
    target: Option<Decimal>,
    entry: Option<Entry>,
    step: Decimal,
) -> Explanation {
    let (raw, why) = evaluate(rule, max, cap, target, entry, true);
    let points = round_to_step(raw, step);
    // The unrounded points are shown two places finer than the step, not to the 28 digits a
    // division leaves (13.333…).
    let rounded = (points != raw.normalize()).then(|| {
        (
            raw.round_dp(step.normalize().scale() + 2).normalize(),
            points,
        )
    });
    Explanation {
        why: why.unwrap_or(Why::NotALeaf),
        rounded,
    }
}

/// Builds the reason only when asked to explain.
macro_rules! say {
    ($explain:expr, $why:expr) => {
        $explain.then(|| $why)
    };
}

/// Rounds to the nearest multiple of `step`, halves away from zero. This is the one rounding
/// point of the engine: each leaf's points are rounded once; subtotals and totals are exact
/// sums of rounded leaves, so the printed board adds up.
pub fn round_to_step(value: Decimal, step: Decimal) -> Decimal {
    if step <= Decimal::ZERO {
        return value;
    }
    let steps = (value / step).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    (steps * step).normalize()
}

/// A percentage shown to two places.
fn pct(d: Decimal) -> Decimal {
    d.round_dp(2).normalize()
}

/// Scores one leaf. `target` is the member's effective target (quantitative rules only).
pub fn score_leaf(
    node: &Criterion,
    target: Option<Decimal>,
    entry: Option<Entry>,
    step: Decimal,
) -> LeafScore {
    let points = leaf_points(node, target, entry, step);
    LeafScore {
        points,
        bonus: (points - node.max_points).max(Decimal::ZERO),
    }
}

/// A leaf's points alone: what the engine needs of every member's every leaf.
pub(super) fn leaf_points(
    node: &Criterion,
    target: Option<Decimal>,
    entry: Option<Entry>,
    step: Decimal,
) -> Decimal {
    let (raw, _) = evaluate(
        node.rule.as_ref(),
        node.max_points,
        node.bonus_cap,
        target,
        entry,
        false,
    );
    round_to_step(raw, step)
}

/// The unrounded points of a leaf, and, when `explain`, why.
fn evaluate(
    rule: Option<&Rule>,
    max: Decimal,
    cap: Option<Decimal>,
    target: Option<Decimal>,
    entry: Option<Entry>,
    explain: bool,
) -> (Decimal, Option<Why>) {
    match (rule, entry) {
        (_, Some(Entry::Points(p))) => {
            let p = p.clamp(Decimal::ZERO, max + cap.unwrap_or_default());
            (p, say!(explain, Why::Given { points: p }))
        }
        (None, _) => (Decimal::ZERO, say!(explain, Why::NotALeaf)),
        (Some(Rule::Event { points, .. }), Some(Entry::Event(true))) => {
            (*points, say!(explain, Why::Event { points: *points }))
        }
        (Some(Rule::Event { .. }), _) => (Decimal::ZERO, say!(explain, Why::NoEvent)),
        (Some(Rule::Judged), _) => (Decimal::ZERO, say!(explain, Why::NotJudgedYet)),
        (Some(_), None | Some(Entry::Event(_))) => (Decimal::ZERO, say!(explain, Why::NoResult)),
        (Some(_), Some(Entry::Actual(_))) if target.is_none() => {
            (Decimal::ZERO, say!(explain, Why::NoTarget))
        }
        (Some(rule), Some(Entry::Actual(actual))) => {
            quantitative(rule, max, cap, target.unwrap_or_default(), actual, explain)
        }
    }
}

/// The share of the target reached, as a ratio; a zero target counts as reached.
fn ratio(actual: Decimal, target: Decimal) -> Decimal {
    if target.is_zero() {
        if actual >= Decimal::ZERO {
            Decimal::ONE
        } else {
            Decimal::ZERO
        }
    } else {
        // A sign test, not `max(ZERO)`: comparing decimals of different scales rescales one.
        let r = actual / target;
        if r.is_sign_negative() {
            Decimal::ZERO
        } else {
            r
        }
    }
}

fn quantitative(
    rule: &Rule,
    max: Decimal,
    cap: Option<Decimal>,
    target: Decimal,
    actual: Decimal,
    explain: bool,
) -> (Decimal, Option<Why>) {
    let hundred = Decimal::ONE_HUNDRED;
    match rule {
        Rule::Threshold { partial } => {
            if actual >= target {
                (
                    max,
                    say!(
                        explain,
                        Why::Reached {
                            actual,
                            target,
                            lower_is_better: false
                        }
                    ),
                )
            } else {
                let p = partial.unwrap_or_default();
                (
                    p,
                    say!(
                        explain,
                        Why::Below {
                            actual,
                            target,
                            points: p
                        }
                    ),
                )
            }
        }
        Rule::Proportional => {
            let r = ratio(actual, target).min(Decimal::ONE);
            (
                max * r,
                say!(
                    explain,
                    Why::Share {
                        percent: pct(r * hundred),
                        target,
                        max
                    }
                ),
            )
        }
        Rule::ProportionalWithBonus { bonus_per_percent } => {
            let r = ratio(actual, target);
            let base = max * r.min(Decimal::ONE);
            let above = ((r - Decimal::ONE) * hundred).max(Decimal::ZERO);
            let bonus = (above * bonus_per_percent).min(cap.unwrap_or_default());
            (
                base + bonus,
                say!(
                    explain,
                    Why::ShareWithBonus {
                        percent: pct(r * hundred),
                        target,
                        base: base.round_dp(4).normalize(),
                        bonus: bonus.round_dp(4).normalize(),
                        above: pct(above),
                        per_percent: *bonus_per_percent,
                        cap: cap.unwrap_or_default(),
                    }
                ),
            )
        }
        Rule::DeductionPerShortfall {
            step_percent,
            deduction,
        } => {
            let short = ((Decimal::ONE - ratio(actual, target)) * hundred).max(Decimal::ZERO);
            // Every started step counts: 4.5% short with 1% steps is 5 steps.
            let steps = (short / step_percent).ceil();
            let p = (max - deduction * steps).max(Decimal::ZERO);
            (
                p,
                say!(
                    explain,
                    Why::ShortBy {
                        percent: pct(short),
                        target,
                        steps,
                        deduction: *deduction
                    }
                ),
            )
        }
        Rule::LowerIsBetter { deduction_per_unit } => {
            if actual <= target {
                (
                    max,
                    say!(
                        explain,
                        Why::Reached {
                            actual,
                            target,
                            lower_is_better: true
                        }
                    ),
                )
            } else {
                let over = actual - target;
                let p = (max - deduction_per_unit * over).max(Decimal::ZERO);
                (
                    p,
                    say!(
                        explain,
                        Why::Over {
                            over,
                            target,
                            per_unit: *deduction_per_unit
                        }
                    ),
                )
            }
        }
        Rule::Judged | Rule::Event { .. } => (Decimal::ZERO, say!(explain, Why::NotQuantitative)),
    }
}
