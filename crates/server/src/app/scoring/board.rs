//! The scoreboard (bảng tổng hợp): a term scored and ranked from its latest results and score
//! layers, exported for printing, and the recorded decisions that order tied members.

use std::collections::HashMap;

use crate::documents::scoreboard::{Line, SummaryTable};
use thidua_domain::{
    Error, Language,
    award::register_events,
    criteria::TableVersion,
    names::TermName,
    results::{self, Layer},
    scoring::{self, Entry, MemberScore, Placement, TieBreak},
    term::Term,
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::bound_table;
use crate::app::now;

/// A scored and ranked term.
#[derive(Debug, Clone)]
pub struct Board {
    /// The term.
    pub term: Term,
    /// The table version scored.
    pub version: TableVersion,
    /// Each member's scores, by unit.
    pub scores: HashMap<UnitRef, MemberScore>,
    /// The ranking.
    pub placements: Vec<Placement>,
}

/// A term's members scored, with the table version and the policy used.
pub(super) struct Scored {
    pub(super) version: TableVersion,
    pub(super) policy: thidua_domain::policy::Policy,
    pub(super) scores: Vec<MemberScore>,
    /// The decisions behind events read from the award register, by member and criterion.
    pub(super) grounds: HashMap<(UnitRef, String), String>,
}

pub(super) fn score_term(
    tx: &mut Tx<'_>,
    term: &Term,
    up_to: Option<Layer>,
) -> Result<Scored, Error> {
    let (table, version) = term.with_table(bound_table(tx, term)?)?;
    let targets = tx.targets(&term.name())?;
    let latest = tx.latest_entries(&term.name())?;
    let layers = tx.layer_scores(&term.name())?;
    let mut entries = results::compose_latest(latest, &layers, up_to);
    let policy = tx.policy(&term.name())?;
    let members: Vec<UnitRef> = term.members.iter().map(|m| m.unit.clone()).collect();
    // Events bound to the award register are derived here, after the layers: no report or
    // score stands in for a decision. Tables without such an event read nothing more.
    let mut grounds = HashMap::new();
    if !register_events::bound_leaves(&version.groups).is_empty() {
        let (register, links) =
            crate::app::decisions::carried_register(tx, &members, Some(term.year - 1))?;
        let catalogues = crate::app::catalogue::catalogues_in(tx)?;
        let catalogue = catalogues.in_force(term.year - 1);
        for e in register_events::derive(
            &version.groups,
            &members,
            term.year,
            &register,
            &links,
            catalogue,
        ) {
            entries.insert(
                e.unit.clone(),
                e.code.clone(),
                Entry::Event(e.ground.is_some()),
            );
            if let Some(ground) = e.ground {
                grounds.insert((e.unit, e.code), ground);
            }
        }
    }
    let scores = scoring::score_members(
        &version.groups,
        table.scale,
        table.rounding_step,
        &members,
        &targets,
        &entries,
        &policy.levels,
    );
    Ok(Scored {
        version,
        policy,
        scores,
        grounds,
    })
}

/// Scores and ranks `term`, which the board then holds (taken, not copied: a province's
/// nationwide scoring reads hundreds of terms).
pub(super) fn board_in(tx: &mut Tx<'_>, term: Term, up_to: Option<Layer>) -> Result<Board, Error> {
    let Scored {
        version,
        policy,
        scores,
        ..
    } = score_term(tx, &term, up_to)?;
    let mut chain = policy.chain(&version.groups);
    for (order, by, why) in tx.tie_decisions(&term.name())? {
        chain.push(TieBreak::Decision {
            order,
            record: format!("{by}: {why}"),
        });
    }
    let placements = scoring::rank(&scores, &chain);
    Ok(Board {
        term,
        version,
        scores: scores.into_iter().map(|s| (s.unit.clone(), s)).collect(),
        placements,
    })
}

/// The final scoreboard inside a transaction, for awards.
pub fn scoreboard_in(tx: &mut Tx<'_>, term: &Term) -> Result<Board, Error> {
    board_in(tx, term.clone(), Some(Layer::Adjustment))
}

/// The scoreboard of a term from results and the layers up to `up_to`.
pub fn scoreboard(store: &Store, name: &TermName, up_to: Option<Layer>) -> Result<Board, Error> {
    store.read(|tx| {
        let term = tx.existing_term(name)?;
        board_in(tx, term, up_to)
    })
}

/// The scoreboard of a term inside a transaction the caller holds.
pub fn scoreboard_in_tx(
    tx: &mut Tx<'_>,
    name: &TermName,
    up_to: Option<Layer>,
) -> Result<Board, Error> {
    let term = tx.existing_term(name)?;
    board_in(tx, term, up_to)
}

/// The summary table officers print and sign (Bảng tổng hợp kết quả chấm điểm): as an XLSX
/// document laid out for print, or as a plain CSV table.
pub fn export_scoreboard(
    store: &Store,
    name: &TermName,
    up_to: Option<Layer>,
    format: crate::sheets::Format,
) -> Result<(Vec<u8>, String), Error> {
    let (cluster_id, year) = (name.cluster_id.as_str(), name.year);
    let (board, cluster, table) = store.read(|tx| {
        let term = tx.existing_term(name)?;
        let cluster = tx.cluster(cluster_id)?;
        let (table, _) = term.with_table(bound_table(tx, &term)?)?;
        Ok((board_in(tx, term, up_to)?, cluster, table))
    })?;
    let names: HashMap<&UnitRef, &str> = board
        .term
        .members
        .iter()
        .map(|m| (&m.unit, m.name.as_str()))
        .collect();
    let lines: Vec<Line> = board
        .placements
        .iter()
        .map(|p| {
            let score = board.scores.get(&p.unit);
            // An official document: in Vietnamese whatever the caller reads.
            let notes: Vec<String> = [
                Some(p.tie_note.in_language(Language::Vi)),
                score.map(|s| s.classification.note.in_language(Language::Vi)),
            ]
            .into_iter()
            .flatten()
            .filter(|n| !n.is_empty())
            .collect();
            Line {
                rank: p.rank,
                tied: p.unresolved_tie,
                code: p.unit.code.clone(),
                name: names.get(&p.unit).copied().unwrap_or_default().to_owned(),
                total: p.total,
                groups: board
                    .version
                    .groups
                    .iter()
                    .map(|g| {
                        score
                            .and_then(|s| s.node(&g.code))
                            .map(|n| n.points)
                            .unwrap_or_default()
                    })
                    .collect(),
                classification: thidua_domain::text::sentence_case(
                    score
                        .and_then(|s| s.classification.level.as_deref())
                        .unwrap_or(thidua_domain::scoring::NOT_COMPLETED),
                ),
                note: notes.join("; "),
            }
        })
        .collect();
    let doc = SummaryTable {
        cluster: cluster.map_or_else(|| cluster_id.to_owned(), |c| c.name),
        year,
        table_title: table.title.clone(),
        decimals: table.rounding_step.normalize().scale(),
        groups: board
            .version
            .groups
            .iter()
            .map(|g| format!("{}. {}", g.code, g.title))
            .collect(),
        leader: board
            .term
            .leadership()
            .and_then(|l| l.leader.as_ref())
            .and_then(|u| names.get(u))
            .map_or_else(String::new, |n| (*n).to_owned()),
        lines,
    };
    let bytes = match format {
        crate::sheets::Format::Xlsx => crate::documents::scoreboard::write(&doc)?,
        _ => {
            let mut header: Vec<&str> = vec!["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm"];
            header.extend(doc.groups.iter().map(String::as_str));
            header.extend(["Xếp loại", "Ghi chú"]);
            let rows: Vec<Vec<String>> = doc
                .lines
                .iter()
                .map(|l| {
                    let mut row = vec![
                        if l.tied {
                            format!("{} (đồng hạng)", l.rank)
                        } else {
                            l.rank.to_string()
                        },
                        l.code.clone(),
                        l.name.clone(),
                        thidua_domain::decimal::format(l.total),
                    ];
                    row.extend(l.groups.iter().map(|d| thidua_domain::decimal::format(*d)));
                    row.extend([l.classification.clone(), l.note.clone()]);
                    row
                })
                .collect();
            crate::sheets::write(&header, &rows, format)?
        }
    };
    Ok((
        bytes,
        format!("{cluster_id}-{year}-bang-tong-hop.{}", format.extension()),
    ))
}

/// Records the decision that orders tied members (during review), by whom and why.
pub fn record_tie_decision(
    store: &Store,
    name: &TermName,
    order: &[UnitRef],
    decided_by: &str,
    reason: &str,
) -> Result<Board, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        scoring::check_tie_decision(&term, order, decided_by, reason)?;
        tx.touch_term(name, None, now)?;
        tx.insert_tie_decision(name, order, decided_by.trim(), reason.trim(), now)?;
        board_in(tx, term, Some(Layer::Adjustment))
    })
}
