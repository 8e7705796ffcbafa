//! Ranking (xếp hạng) with an ordered tie-break chain. Every tie says which rule separated it;
//! a tie no rule separates is reported, shares its rank and needs a recorded decision. Members
//! are never ordered arbitrarily.

use rust_decimal::Decimal;

use super::MemberScore;
use crate::{
    error::{Error, Violations},
    stage::Action,
    term::Term,
    unit::UnitRef,
    words,
    words::Words,
};

/// One step of a tie-break chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TieBreak {
    /// The higher subtotal of the named group (or criterion) wins.
    Subtotal(String),
    /// More leaf criteria at full points wins.
    FullPointsCount,
    /// Fewer penalties (negative points) wins.
    FewerPenalties,
    /// An explicit recorded decision: the order of the tied units, best first, by whom and why.
    Decision {
        /// The units in decided order.
        order: Vec<UnitRef>,
        /// Who decided and why, quoted in the tie note.
        record: String,
    },
}

impl TieBreak {
    fn words(&self) -> Words {
        match self {
            TieBreak::Subtotal(code) => words!("tie-by-subtotal", code = code),
            TieBreak::FullPointsCount => words!("tie-by-full-points"),
            TieBreak::FewerPenalties => words!("tie-by-fewer-penalties"),
            TieBreak::Decision { record, .. } => words!("tie-by-decision", record = record),
        }
    }

    /// The member's value for this step (higher is better), or `None` when the step cannot
    /// judge this group of tied members.
    fn value(&self, m: &MemberScore, group: &[&MemberScore]) -> Option<Decimal> {
        match self {
            TieBreak::Subtotal(code) => Some(m.node(code).map_or(Decimal::ZERO, |n| n.points)),
            TieBreak::FullPointsCount => Some(Decimal::from(
                m.criteria()
                    .filter(|c| {
                        c.rule.is_some() && c.max_points > Decimal::ZERO && c.points >= c.max_points
                    })
                    .count(),
            )),
            TieBreak::FewerPenalties => Some(-Decimal::from(
                m.criteria()
                    .filter(|c| c.rule.is_some() && c.points < Decimal::ZERO)
                    .count(),
            )),
            TieBreak::Decision { order, .. } => {
                // A decision only settles a tie when it names every unit of it.
                if group.iter().all(|g| order.contains(&g.unit)) {
                    order
                        .iter()
                        .position(|u| *u == m.unit)
                        .map(|p| -Decimal::from(p))
                } else {
                    None
                }
            }
        }
    }
}

/// A member's place on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The member.
    pub unit: UnitRef,
    /// Its total.
    pub total: Decimal,
    /// Rank from 1; members in an unresolved tie share one.
    pub rank: usize,
    /// How this member was separated from the one above with the same total, if any.
    pub tie_note: Words,
    /// True while this member is in a tie no rule separates.
    pub unresolved_tie: bool,
}

/// Ranks members: by total, then the chain, step by step, only among members still tied.
pub fn rank(scores: &[MemberScore], chain: &[TieBreak]) -> Vec<Placement> {
    let mut sorted: Vec<&MemberScore> = scores.iter().collect();
    // Unit order only fixes how members of an unresolved tie are listed; they share a rank.
    sorted.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.unit.cmp(&b.unit)));
    let mut notes: Vec<Vec<Words>> = vec![Vec::new(); sorted.len()];
    // Members of one unresolved tie share a block number (0: not in an unresolved tie).
    let mut blocks = vec![0_usize; sorted.len()];
    let mut next_block = 1;
    let mut i = 0;
    while i < sorted.len() {
        let j = (i..sorted.len())
            .find(|&k| sorted[k].total != sorted[i].total)
            .unwrap_or(sorted.len());
        resolve(
            &mut sorted[i..j],
            &mut notes[i..j],
            &mut blocks[i..j],
            &mut next_block,
            chain,
            0,
        );
        i = j;
    }
    let mut out: Vec<Placement> = Vec::with_capacity(sorted.len());
    for (k, m) in sorted.iter().enumerate() {
        let rank = if k > 0 && blocks[k] != 0 && blocks[k] == blocks[k - 1] {
            out[k - 1].rank
        } else {
            k + 1
        };
        out.push(Placement {
            unit: m.unit.clone(),
            total: m.total,
            rank,
            tie_note: Words::List(std::mem::take(&mut notes[k])),
            unresolved_tie: blocks[k] != 0,
        });
    }
    out
}

fn resolve(
    run: &mut [&MemberScore],
    notes: &mut [Vec<Words>],
    blocks: &mut [usize],
    next_block: &mut usize,
    chain: &[TieBreak],
    step: usize,
) {
    if run.len() < 2 {
        return;
    }
    let Some(rule) = chain.get(step) else {
        let names: Vec<String> = run.iter().map(|m| m.unit.to_string()).collect();
        for k in 0..run.len() {
            blocks[k] = *next_block;
            notes[k].push(words!("tie-unresolved", others = others(&names, k)));
        }
        *next_block += 1;
        return;
    };
    let values: Vec<Option<Decimal>> = run.iter().map(|m| rule.value(m, run)).collect();
    if values.iter().any(Option::is_none) {
        return resolve(run, notes, blocks, next_block, chain, step + 1);
    }
    let mut order: Vec<usize> = (0..run.len()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .cmp(&values[a])
            .then_with(|| run[a].unit.cmp(&run[b].unit))
    });
    let reordered: Vec<&MemberScore> = order.iter().map(|&k| run[k]).collect();
    let vals: Vec<Decimal> = order
        .iter()
        .map(|&k| values[k].unwrap_or_default())
        .collect();
    run.copy_from_slice(&reordered);
    let mut start = 0;
    while start < run.len() {
        let end = (start..run.len())
            .find(|&k| vals[k] != vals[start])
            .unwrap_or(run.len());
        if start > 0 {
            notes[start] = vec![words!(
                "tie-separated",
                above = run[start - 1].unit,
                rule => rule.words(),
                theirs => show(&vals[start - 1], rule),
                mine => show(&vals[start], rule)
            )];
        }
        resolve(
            &mut run[start..end],
            &mut notes[start..end],
            &mut blocks[start..end],
            next_block,
            chain,
            step + 1,
        );
        start = end;
    }
}

fn show(v: &Decimal, rule: &TieBreak) -> Words {
    match rule {
        TieBreak::FewerPenalties => Words::Verbatim(crate::decimal::format(-*v)),
        TieBreak::Decision { .. } => {
            words!(
                "tie-place",
                place = crate::decimal::format(-*v + Decimal::ONE)
            )
        }
        _ => Words::Verbatim(crate::decimal::format(*v)),
    }
}

fn others(names: &[String], k: usize) -> String {
    names
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != k)
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
/// Refuses adoption while a tie no rule breaks remains: a decision must be recorded first.
pub fn check_ties_resolved(placements: &[Placement], subject: &str) -> Result<(), Error> {
    let tied: Vec<(String, Words)> = placements
        .iter()
        .filter(|p| p.unresolved_tie)
        .map(|p| (p.unit.to_string(), p.tie_note.clone()))
        .collect();
    if tied.is_empty() {
        return Ok(());
    }
    Err(Error::Preconditions {
        reason: crate::Reason::UnresolvedTie,
        description: words!("tie-blocks-adoption", subject = subject),
        violations: tied,
    })
}

/// Checks a recorded tie decision: the term is in review, at least two members are named, each
/// once and each a member, and who decided and why are written.
pub fn check_tie_decision(
    term: &Term,
    order: &[UnitRef],
    decided_by: &str,
    reason: &str,
) -> Result<(), Error> {
    term.stage
        .permit(Action::RecordTieDecision, &term.resource())?;
    let mut v = Violations::default();
    if order.len() < 2 {
        v.add("units", words!("tie-two-members"));
    }
    for (i, u) in order.iter().enumerate() {
        if let Some(why) = term.not_a_member(u) {
            v.add(format!("units[{i}]"), why);
        } else if order[..i].contains(u) {
            v.add(format!("units[{i}]"), words!("listed-twice", unit = u));
        }
    }
    if decided_by.trim().is_empty() {
        v.add("decided_by", words!("tie-decided-by-missing"));
    }
    if reason.trim().is_empty() {
        v.add("reason", words!("reason-missing"));
    }
    v.finish(())
}
