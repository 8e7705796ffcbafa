//! Classification (xếp loại) by total with per-criterion gates.

use rust_decimal::Decimal;

use super::{NodeResult, ScoredNode};
use crate::words::Words;

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

/// Below every level: what officials write for a unit that did not complete its tasks.
/// Level names are written as officials write them, in sentence case.
pub const NOT_COMPLETED: &str = "Không hoàn thành nhiệm vụ";

impl ClassLevel {
    /// The usual levels, named as officials write them: excellent (≥ 90%, none under 85%),
    /// good (≥ 80%, none under 80%), completed (≥ 70%, none under 70%); below them, not
    /// completed ([`NOT_COMPLETED`]).
    pub fn defaults() -> Vec<ClassLevel> {
        let level = |name: &str, total: i64, each: i64| ClassLevel {
            name: name.into(),
            min_total_share: Decimal::new(total, 2),
            min_criterion_share: Decimal::new(each, 2),
        };
        vec![
            level("Hoàn thành xuất sắc nhiệm vụ", 90, 85),
            level("Hoàn thành tốt nhiệm vụ", 80, 80),
            level("Hoàn thành nhiệm vụ", 70, 70),
        ]
    }
}

/// A member's classification and, when a higher level was missed because of a gate, which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The level reached; `None` is "not completed" ([`NOT_COMPLETED`]).
    pub level: Option<String>,
    /// Why the level above was not reached, when a criterion gate stopped it.
    pub note: Words,
}

/// The levels' thresholds for one table, worked out once per scoring instead of once per
/// member: each level's minimum total, and the minimum points of each gated leaf (a leaf with
/// a rule and a positive maximum), by node index in walk order.
pub(super) struct Gates<'a> {
    levels: Vec<LevelGate<'a>>,
}

/// One level's thresholds.
struct LevelGate<'a> {
    level: &'a ClassLevel,
    min_total: Decimal,
    /// (node index, minimum points) of each gated leaf.
    minima: Vec<(usize, Decimal)>,
}

impl<'a> Gates<'a> {
    pub(super) fn new(levels: &'a [ClassLevel], scale: Decimal, nodes: &[ScoredNode]) -> Self {
        Self {
            levels: levels
                .iter()
                .map(|level| {
                    let minima = nodes
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.rule.is_some() && n.max_points > Decimal::ZERO)
                        .map(|(i, n)| (i, n.max_points * level.min_criterion_share))
                        .collect();
                    LevelGate {
                        level,
                        min_total: scale * level.min_total_share,
                        minima,
                    }
                })
                .collect(),
        }
    }

    /// Classifies a total: the first level (highest first) whose total and gates are met.
    /// `results` are the member's, aligned with `nodes`.
    pub(super) fn classify(
        &self,
        total: Decimal,
        nodes: &[ScoredNode],
        results: &[NodeResult],
    ) -> Classification {
        // Only the first level missed for a gate is noted, with its failing codes.
        let mut note: Option<Words> = None;
        for LevelGate {
            level,
            min_total,
            minima,
        } in &self.levels
        {
            if total < *min_total {
                continue;
            }
            let fails = |&&(i, min): &&(usize, Decimal)| results[i].points < min;
            if !minima.iter().any(|g| fails(&g)) {
                return Classification {
                    level: Some(level.name.clone()),
                    note: note.unwrap_or_default(),
                };
            }
            note.get_or_insert_with(|| {
                let codes: Vec<&str> = minima
                    .iter()
                    .filter(fails)
                    .map(|&(i, _)| nodes[i].code.as_str())
                    .collect();
                crate::words!(
                    "classification-gate",
                    level = level.name,
                    codes = codes.join(", "),
                    share =
                        crate::decimal::format(level.min_criterion_share * Decimal::ONE_HUNDRED)
                )
            });
        }
        Classification {
            level: None,
            note: note.unwrap_or_default(),
        }
    }
}
