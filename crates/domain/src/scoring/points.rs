//! Points of one leaf criterion from its rule, target and result, in exact decimals.

use rust_decimal::{Decimal, RoundingStrategy};

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

/// The points of one criterion and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafScore {
    /// The points after rounding to the table's step (bonus included, penalties negative).
    pub points: Decimal,
    /// The part of `points` above the maximum (bonus), if any.
    pub bonus: Decimal,
    /// One sentence: how the points came about.
    pub why: String,
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

fn pct(d: Decimal) -> String {
    crate::decimal::format(d.round_dp(2))
}

/// Scores one leaf. `target` is the member's effective target (quantitative rules only).
pub fn score_leaf(
    node: &Criterion,
    target: Option<Decimal>,
    entry: Option<Entry>,
    step: Decimal,
) -> LeafScore {
    let max = node.max_points;
    let fmt = crate::decimal::format;
    let (raw, why) = match (&node.rule, entry) {
        (_, Some(Entry::Points(p))) => {
            let p = p.clamp(Decimal::ZERO, max + node.bonus_cap.unwrap_or_default());
            (p, format!("{} points given", fmt(p)))
        }
        (None, _) => (Decimal::ZERO, "not a leaf".to_owned()),
        (Some(Rule::Event { points }), Some(Entry::Event(true))) => {
            (*points, format!("event occurred: {} points", fmt(*points)))
        }
        (Some(Rule::Event { .. }), _) => (Decimal::ZERO, "event did not occur".to_owned()),
        (Some(Rule::Judged), _) => (Decimal::ZERO, "no points given yet".to_owned()),
        (Some(_), None | Some(Entry::Event(_))) => (Decimal::ZERO, "no result reported".to_owned()),
        (Some(_), Some(Entry::Actual(_))) if target.is_none() => {
            (Decimal::ZERO, "no target registered".to_owned())
        }
        (Some(rule), Some(Entry::Actual(actual))) => {
            let target = target.unwrap_or_default();
            quantitative(rule, max, node.bonus_cap, target, actual)
        }
    };
    let points = round_to_step(raw, step);
    let bonus = (points - max).max(Decimal::ZERO);
    let why = if points == raw.normalize() {
        why
    } else {
        format!("{why}; {} rounded to {}", fmt(raw), fmt(points))
    };
    LeafScore { points, bonus, why }
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
        (actual / target).max(Decimal::ZERO)
    }
}

fn quantitative(
    rule: &Rule,
    max: Decimal,
    cap: Option<Decimal>,
    target: Decimal,
    actual: Decimal,
) -> (Decimal, String) {
    let fmt = crate::decimal::format;
    let hundred = Decimal::ONE_HUNDRED;
    match rule {
        Rule::Threshold { partial } => {
            if actual >= target {
                (
                    max,
                    format!("{} ≥ target {}: full points", fmt(actual), fmt(target)),
                )
            } else {
                let p = partial.unwrap_or_default();
                (
                    p,
                    format!(
                        "{} < target {}: {} points",
                        fmt(actual),
                        fmt(target),
                        fmt(p)
                    ),
                )
            }
        }
        Rule::Proportional => {
            let r = ratio(actual, target).min(Decimal::ONE);
            (
                max * r,
                format!(
                    "{}% of target {} × {}",
                    pct(r * hundred),
                    fmt(target),
                    fmt(max)
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
                format!(
                    "{}% of target {}: {} base + {} bonus ({}% above × {}, cap {})",
                    pct(r * hundred),
                    fmt(target),
                    fmt(base.round_dp(4)),
                    fmt(bonus.round_dp(4)),
                    pct(above),
                    fmt(*bonus_per_percent),
                    fmt(cap.unwrap_or_default())
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
                format!(
                    "{}% short of target {}: {} step(s) × {} deducted",
                    pct(short),
                    fmt(target),
                    fmt(steps),
                    fmt(*deduction)
                ),
            )
        }
        Rule::LowerIsBetter { deduction_per_unit } => {
            if actual <= target {
                (
                    max,
                    format!("{} ≤ target {}: full points", fmt(actual), fmt(target)),
                )
            } else {
                let over = actual - target;
                let p = (max - deduction_per_unit * over).max(Decimal::ZERO);
                (
                    p,
                    format!(
                        "{} over target {}: {} deducted per unit",
                        fmt(over),
                        fmt(target),
                        fmt(*deduction_per_unit)
                    ),
                )
            }
        }
        Rule::Judged | Rule::Event { .. } => (Decimal::ZERO, "not a quantitative rule".to_owned()),
    }
}
