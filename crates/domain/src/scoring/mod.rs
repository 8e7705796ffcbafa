//! The scoring engine (chấm điểm): a pure function from a table version, the members, their
//! targets and their entries to a ranked, classified, explained scoreboard. Exact decimals;
//! each leaf rounded once to the table's step; cost linear in members × criteria plus
//! n log n for the ranking; the same inputs give the same output.

mod classify;
mod explanation;
mod points;
mod rank;

// Fx hashing: the engine looks up every leaf of every member, and SipHash's protection against
// crafted keys buys nothing for codes of the system's own tables.
use rustc_hash::FxHashMap as HashMap;

use std::sync::Arc;

use rust_decimal::Decimal;

use classify::Gates;
pub use classify::{ClassLevel, Classification, NOT_COMPLETED};
pub use explanation::{Explanation, Why};
use points::leaf_points;
pub use points::{Entry, LeafScore, explain_leaf, round_to_step, score_leaf};
pub use rank::{Placement, TieBreak, check_tie_decision, check_ties_resolved, rank};

use crate::{
    criteria::{self, Criterion, Rule},
    target::Targets,
    unit::UnitRef,
};

/// What counts for each member and leaf: per member, (criterion code, entry) pairs in the order
/// they were set, a later pair overriding an earlier one of the same code (a layer's score
/// over a result). Codes are shared (`Arc<str>`): storage hands every member of a term the
/// same few dozen codes, and the engine reads each member's pairs once, in order.
#[derive(Debug, Clone, Default)]
pub struct Entries(HashMap<UnitRef, Vec<(Arc<str>, Entry)>>);

impl Entries {
    /// Sets what counts for `unit` and `code`, over anything set before.
    pub fn insert(&mut self, unit: UnitRef, code: impl Into<Arc<str>>, entry: Entry) {
        self.0.entry(unit).or_default().push((code.into(), entry));
    }

    /// Sets many pairs of one member at once, over anything set before.
    pub fn extend(&mut self, unit: UnitRef, pairs: Vec<(Arc<str>, Entry)>) {
        match self.0.entry(unit) {
            std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().extend(pairs),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(pairs);
            }
        }
    }

    /// What counts for `unit` and `code`: the pair set last.
    pub fn get(&self, unit: &UnitRef, code: &str) -> Option<Entry> {
        self.of(unit)
            .iter()
            .rev()
            .find(|(c, _)| &**c == code)
            .map(|(_, e)| *e)
    }

    /// Everything set for one member, in the order it was set.
    pub fn of(&self, unit: &UnitRef) -> &[(Arc<str>, Entry)] {
        self.0.get(unit).map_or(&[], Vec::as_slice)
    }
}

impl FromIterator<((UnitRef, String), Entry)> for Entries {
    fn from_iter<I: IntoIterator<Item = ((UnitRef, String), Entry)>>(iter: I) -> Self {
        let mut entries = Entries::default();
        for ((unit, code), entry) in iter {
            entries.insert(unit, code, entry);
        }
        entries
    }
}

/// A node of the scored table as every member's score shares it: one per node per scoring,
/// not one per member and node (a province scores hundreds of thousands of those).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredNode {
    /// The criterion's code.
    pub code: String,
    /// The rule applied (`None` for inner nodes).
    pub rule: Option<Rule>,
    /// The maximum.
    pub max_points: Decimal,
    /// The bonus cap.
    pub bonus_cap: Option<Decimal>,
    /// The rounding step.
    pub step: Decimal,
    /// Number of children; 0 for a leaf.
    pub children: usize,
}

/// What one member got on one node: the inputs used and the points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeResult {
    /// The target used.
    pub target: Option<Decimal>,
    /// The entry used.
    pub entry: Option<Entry>,
    /// The points (for inner nodes and groups, the sum of their children).
    pub points: Decimal,
}

/// One criterion's score for one member, with its inputs: a node and the member's result on
/// it, read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriterionScore<'a> {
    /// The criterion's code.
    pub code: &'a str,
    /// The rule applied (`None` for inner nodes).
    pub rule: Option<&'a Rule>,
    /// The maximum.
    pub max_points: Decimal,
    /// The target used.
    pub target: Option<Decimal>,
    /// The entry used.
    pub entry: Option<Entry>,
    /// The points (for inner nodes and groups, the sum of their children).
    pub points: Decimal,
    /// The bonus cap.
    pub bonus_cap: Option<Decimal>,
    /// The rounding step.
    pub step: Decimal,
    /// Number of children; 0 for a leaf.
    pub children: usize,
}

impl<'a> CriterionScore<'a> {
    fn of(node: &'a ScoredNode, result: &NodeResult) -> Self {
        Self {
            code: &node.code,
            rule: node.rule.as_ref(),
            max_points: node.max_points,
            target: result.target,
            entry: result.entry,
            points: result.points,
            bonus_cap: node.bonus_cap,
            step: node.step,
            children: node.children,
        }
    }

    /// How the points came about (built on demand).
    pub fn why(&self) -> Explanation {
        if self.children > 0 {
            Explanation {
                why: Why::Sum {
                    children: self.children,
                },
                rounded: None,
            }
        } else {
            explain_leaf(
                self.rule,
                self.max_points,
                self.bonus_cap,
                self.target,
                self.entry,
                self.step,
            )
        }
    }
}

/// One member's scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberScore {
    /// The member.
    pub unit: UnitRef,
    /// Total points (bonuses and penalties included).
    pub total: Decimal,
    /// Classification.
    pub classification: Classification,
    /// The table's nodes in walk order, shared with every member scored alongside.
    nodes: Arc<[ScoredNode]>,
    /// The member's result on each node, aligned with `nodes`.
    results: Vec<NodeResult>,
}

impl MemberScore {
    /// A member's scores from the table's nodes and its result on each, in the same order;
    /// `None` when the two do not align.
    pub fn new(
        unit: UnitRef,
        total: Decimal,
        classification: Classification,
        nodes: Arc<[ScoredNode]>,
        results: Vec<NodeResult>,
    ) -> Option<Self> {
        (nodes.len() == results.len()).then_some(Self {
            unit,
            total,
            classification,
            nodes,
            results,
        })
    }

    /// Every node's score in table order: groups, criteria, sub-criteria.
    pub fn criteria(&self) -> impl ExactSizeIterator<Item = CriterionScore<'_>> {
        self.nodes
            .iter()
            .zip(&self.results)
            .map(|(n, r)| CriterionScore::of(n, r))
    }

    /// The score of one node.
    pub fn node(&self, code: &str) -> Option<CriterionScore<'_>> {
        self.criteria().find(|c| c.code == code)
    }
}

/// Scores every member from what counts for it.
pub fn score_members(
    groups: &[Criterion],
    scale: Decimal,
    step: Decimal,
    members: &[UnitRef],
    targets: &Targets,
    entries: &Entries,
    levels: &[ClassLevel],
) -> Vec<MemberScore> {
    // What does not depend on the member, once per node in walk order: the node as every
    // member's score shares it, and its default target.
    let mut shared: Vec<ScoredNode> = Vec::new();
    let mut plan: Vec<NodePlan> = Vec::new();
    criteria::walk(groups, &mut |n| {
        let quantitative = n.rule.as_ref().is_some_and(|r| r.kind().is_quantitative());
        shared.push(ScoredNode {
            code: n.code.clone(),
            rule: n.rule.clone(),
            max_points: n.max_points,
            bonus_cap: n.bonus_cap,
            step,
            children: n.children.len(),
        });
        plan.push(NodePlan {
            quantitative,
            default_target: targets.defaults.get(&n.code).copied(),
        });
    });
    let nodes: Arc<[ScoredNode]> = shared.into();
    let gates = Gates::new(levels, scale, &nodes);
    let position: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.code.as_str(), i))
        .collect();
    let empty_targets = HashMap::default();
    // Each member's entries aligned with the nodes: its map is read once, in its own order,
    // instead of probed once per leaf (a cache miss each, over a province's members).
    let mut aligned: Vec<Option<Entry>> = vec![None; nodes.len()];
    // Storage hands a term's members one shared code per criterion, mostly in the same order:
    // when a member's k-th pair has the very code (same address) the previous member's k-th
    // pair had, it goes to the same node, and the map is asked only otherwise.
    let mut guesses: Vec<(*const u8, usize)> = Vec::new();
    members
        .iter()
        .map(|unit| {
            aligned.fill(None);
            // In the order set, so a later pair (a layer's score) overrides an earlier one.
            for (k, (code, entry)) in entries.of(unit).iter().enumerate() {
                if guesses.len() <= k {
                    guesses.resize(k + 1, (std::ptr::null(), usize::MAX));
                }
                let (address, guess) = guesses[k];
                let i = if std::ptr::eq(address, code.as_ptr()) {
                    Some(guess)
                } else {
                    position.get(&**code).copied()
                };
                if let Some(i) = i {
                    aligned[i] = Some(*entry);
                    guesses[k] = (code.as_ptr(), i);
                }
            }
            let inputs = Inputs {
                entries: &aligned,
                assigned: targets.assigned.get(unit).unwrap_or(&empty_targets),
                step,
                plan: &plan,
            };
            let mut results = Vec::with_capacity(nodes.len());
            let total = groups
                .iter()
                .map(|g| score_node(g, &inputs, &mut results))
                .sum::<Decimal>()
                .normalize();
            MemberScore {
                unit: unit.clone(),
                total,
                classification: gates.classify(total, &nodes, &results),
                nodes: nodes.clone(),
                results,
            }
        })
        .collect()
}

/// One member's inputs, looked up once per member.
struct Inputs<'a> {
    /// The member's entry for each node, in walk order.
    entries: &'a [Option<Entry>],
    assigned: &'a HashMap<String, Decimal>,
    step: Decimal,
    /// The nodes in walk order: the result at index `i` of the output is node `i`'s.
    plan: &'a [NodePlan],
}

/// What the engine needs of a node for every member alike.
struct NodePlan {
    /// Its rule compares a result with a target.
    quantitative: bool,
    /// The target of members without one of their own.
    default_target: Option<Decimal>,
}

fn score_node(node: &Criterion, inputs: &Inputs<'_>, out: &mut Vec<NodeResult>) -> Decimal {
    let at = out.len();
    if node.children.is_empty() {
        let plan = &inputs.plan[at];
        let target = if plan.quantitative {
            inputs
                .assigned
                .get(&node.code)
                .copied()
                .or(plan.default_target)
        } else {
            None
        };
        let entry = inputs.entries[at];
        let points = leaf_points(node, target, entry, inputs.step);
        // Written once, complete: a province's results are hundreds of thousands of these.
        out.push(NodeResult {
            target,
            entry,
            points,
        });
        points
    } else {
        // The node's place comes before its children's; its sum is known after them.
        out.push(NodeResult {
            target: None,
            entry: None,
            points: Decimal::ZERO,
        });
        let sum: Decimal = node
            .children
            .iter()
            .map(|c| score_node(c, inputs, out))
            .sum();
        let points = sum.normalize();
        out[at].points = points;
        points
    }
}

/// The leaves of a table, for callers that validate entries.
pub fn leaves(groups: &[Criterion]) -> Vec<&Criterion> {
    let mut out = Vec::new();
    criteria::walk(groups, &mut |n| {
        if n.children.is_empty() && n.rule.is_some() {
            out.push(n);
        }
    });
    out
}

#[cfg(test)]
mod tests;
