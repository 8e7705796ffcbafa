//! The scoring engine (chấm điểm): a pure function from a table version, the members, their
//! targets and their entries to a ranked, classified, explained scoreboard. Exact decimals;
//! each leaf rounded once to the table's step; cost linear in members × criteria plus
//! n log n for the ranking; the same inputs give the same output.

mod classify;
mod points;
mod rank;

use std::collections::HashMap;

use rust_decimal::Decimal;

pub use classify::{ClassLevel, Classification, classify};
pub use points::{Entry, LeafScore, round_to_step, score_leaf};
pub use rank::{Placement, TieBreak, rank};

use crate::{
    criteria::{self, Criterion, Rule},
    target::Targets,
    unit::UnitRef,
};

/// One criterion's score for one member, with its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionScore {
    /// The criterion's code.
    pub code: String,
    /// The rule applied (`None` for inner nodes).
    pub rule: Option<Rule>,
    /// The maximum.
    pub max_points: Decimal,
    /// The target used.
    pub target: Option<Decimal>,
    /// The entry used.
    pub entry: Option<Entry>,
    /// The points (for inner nodes and groups, the sum of their children).
    pub points: Decimal,
    /// Why.
    pub why: String,
}

/// One member's scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberScore {
    /// The member.
    pub unit: UnitRef,
    /// Total points (bonuses and penalties included).
    pub total: Decimal,
    /// Every node's score in table order: groups, criteria, sub-criteria.
    pub criteria: Vec<CriterionScore>,
    /// Classification.
    pub classification: Classification,
}

impl MemberScore {
    /// The score of one node.
    pub fn node(&self, code: &str) -> Option<&CriterionScore> {
        self.criteria.iter().find(|c| c.code == code)
    }
}

/// Scores every member. `entries` maps (member, leaf code) to what counts for it.
pub fn score_members(
    groups: &[Criterion],
    scale: Decimal,
    step: Decimal,
    members: &[UnitRef],
    targets: &Targets,
    entries: &HashMap<(UnitRef, String), Entry>,
    levels: &[ClassLevel],
) -> Vec<MemberScore> {
    members
        .iter()
        .map(|unit| {
            let mut scores = Vec::new();
            let total = groups
                .iter()
                .map(|g| score_node(g, unit, targets, entries, step, &mut scores))
                .sum::<Decimal>()
                .normalize();
            let classification = classify(levels, scale, total, &scores);
            MemberScore {
                unit: unit.clone(),
                total,
                criteria: scores,
                classification,
            }
        })
        .collect()
}

fn score_node(
    node: &Criterion,
    unit: &UnitRef,
    targets: &Targets,
    entries: &HashMap<(UnitRef, String), Entry>,
    step: Decimal,
    out: &mut Vec<CriterionScore>,
) -> Decimal {
    let at = out.len();
    out.push(CriterionScore {
        code: node.code.clone(),
        rule: node.rule.clone(),
        max_points: node.max_points,
        target: None,
        entry: None,
        points: Decimal::ZERO,
        why: String::new(),
    });
    let points = if node.children.is_empty() {
        let target = node
            .rule
            .as_ref()
            .filter(|r| r.kind().is_quantitative())
            .and_then(|_| targets.effective(unit, &node.code));
        let entry = entries.get(&(unit.clone(), node.code.clone())).copied();
        let leaf = score_leaf(node, target, entry, step);
        out[at].target = target;
        out[at].entry = entry;
        out[at].why = leaf.why;
        leaf.points
    } else {
        let sum: Decimal = node
            .children
            .iter()
            .map(|c| score_node(c, unit, targets, entries, step, out))
            .sum();
        out[at].why = format!("sum of {} item(s)", node.children.len());
        sum.normalize()
    };
    out[at].points = points;
    points
}

/// The leaves of a table, for callers that validate entries.
pub fn leaves(groups: &[Criterion]) -> Vec<&Criterion> {
    let mut out = Vec::new();
    criteria::walk(groups, &mut |n, _, _| {
        if n.children.is_empty() && n.rule.is_some() {
            out.push(n);
        }
    });
    out
}

#[cfg(test)]
mod tests;
