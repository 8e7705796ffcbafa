//! Classification (xếp loại) by total with per-criterion gates.

use rust_decimal::Decimal;

use super::CriterionScore;

/// A classification level: reached with at least `min_total_share` of the scale and no leaf
/// criterion under `min_criterion_share` of its maximum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassLevel {
    /// The level's name, e.g. `xuất sắc`.
    pub name: String,
    /// Share of the scale the total must reach (0.9 for 90 of 100).
    pub min_total_share: Decimal,
    /// Share of its maximum every leaf must reach (0.85).
    pub min_criterion_share: Decimal,
}

impl ClassLevel {
    /// The usual levels: excellent (≥ 90%, none under 85%), good (≥ 80%, none under 80%),
    /// completed (≥ 70%, none under 70%); below them, not completed.
    pub fn defaults() -> Vec<ClassLevel> {
        let level = |name: &str, total: i64, each: i64| ClassLevel {
            name: name.into(),
            min_total_share: Decimal::new(total, 2),
            min_criterion_share: Decimal::new(each, 2),
        };
        vec![
            level("hoàn thành xuất sắc", 90, 85),
            level("hoàn thành tốt", 80, 80),
            level("hoàn thành", 70, 70),
        ]
    }
}

/// A member's classification and, when a higher level was missed because of a gate, which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The level reached; `None` is "not completed" (không hoàn thành).
    pub level: Option<String>,
    /// Why the level above was not reached, when a criterion gate stopped it.
    pub note: String,
}

/// Classifies a total: the first level (highest first) whose total and gates are met.
pub fn classify(
    levels: &[ClassLevel],
    scale: Decimal,
    total: Decimal,
    scores: &[CriterionScore],
) -> Classification {
    // Called for every member of a province: the gates are checked without allocating, and
    // the failing codes collected only for the one note written.
    let leaves = || {
        scores
            .iter()
            .filter(|s| s.rule.is_some() && s.max_points > Decimal::ZERO)
    };
    let mut note = String::new();
    for level in levels {
        if total < scale * level.min_total_share {
            continue;
        }
        let fails = |s: &&CriterionScore| s.points < s.max_points * level.min_criterion_share;
        if !leaves().any(|s| fails(&s)) {
            return Classification {
                level: Some(level.name.clone()),
                note,
            };
        }
        if note.is_empty() {
            let codes: Vec<&str> = leaves().filter(fails).map(|s| &*s.code).collect();
            note = format!(
                "not {}: {} under {}% of the maximum",
                level.name,
                codes.join(", "),
                crate::decimal::format(level.min_criterion_share * Decimal::ONE_HUNDRED)
            );
        }
    }
    Classification { level: None, note }
}
