//! Use cases of the year-end cycle: stages, results, layer scores, scoreboard.

use std::collections::HashMap;

use rust_decimal::Decimal;
use thidua_domain::{
    Error, Reason,
    covenant::CovenantStatus,
    criteria::{self, Criterion, TableVersion},
    error::Violations,
    results::{self, Layer, LayerScore, ReportedResult},
    scoring::{self, MemberScore, Placement, TieBreak},
    stage::{self, Stage},
    term::Term,
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::now;

/// Moves a term to the next stage. Adoption is refused while a tie no rule breaks remains.
pub fn advance(store: &Store, cluster_id: &str, year: i32, to: Stage) -> Result<Term, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        let subject = term.resource();
        stage::check_advance(
            term.stage,
            to,
            &subject,
            term.covenant_status == CovenantStatus::Signed,
        )?;
        if to == Stage::Adopted {
            let board = board_in(tx, term.clone(), Some(Layer::Adjustment))?;
            let tied: Vec<(String, String)> = board
                .placements
                .iter()
                .filter(|p| p.unresolved_tie)
                .map(|p| (p.unit.to_string(), p.tie_note.clone()))
                .collect();
            if !tied.is_empty() {
                return Err(Error::Preconditions {
                    reason: Reason::UnresolvedTie,
                    description: format!(
                        "{subject} has a tie no rule breaks; record a decision before adoption"
                    ),
                    violations: tied,
                });
            }
        }
        tx.set_stage(cluster_id, year, term.stage, to, "", now)?;
        tx.existing_term(cluster_id, year)
    })
}

/// Reopens adopted scores for review, with a written reason; nothing is erased.
pub fn reopen(store: &Store, cluster_id: &str, year: i32, reason: &str) -> Result<Term, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        stage::check_reopen(term.stage, reason, &term.resource())?;
        tx.set_stage(
            cluster_id,
            year,
            term.stage,
            Stage::Review,
            reason.trim(),
            now,
        )?;
        tx.existing_term(cluster_id, year)
    })
}

/// The bound table version and its settings.
fn table_of(tx: &mut Tx<'_>, term: &Term) -> Result<(criteria::Table, TableVersion), Error> {
    let Some((id, n)) = &term.table else {
        return Err(Error::precondition(
            Reason::NoTable,
            term.resource(),
            format!("{} has no criteria table", term.resource()),
        ));
    };
    Ok((
        tx.existing_criteria_table(id)?,
        tx.existing_table_version(id, *n)?,
    ))
}

fn find_leaf<'a>(groups: &'a [Criterion], code: &str) -> Option<&'a Criterion> {
    let mut found = None;
    criteria::walk(groups, &mut |n| {
        if n.code == code {
            found = Some(n);
        }
    });
    found
}

/// A result to report.
#[derive(Debug, Clone)]
pub struct NewResult {
    /// The member.
    pub unit: UnitRef,
    /// The criterion.
    pub code: String,
    /// The value text.
    pub value: String,
    /// Evidence reference.
    pub evidence_ref: String,
    /// Evidence description.
    pub evidence_note: String,
    /// Explanation where evidence is missing.
    pub explanation: String,
}

/// Reports one result (a correction is a new revision).
pub fn submit_result(
    store: &Store,
    cluster_id: &str,
    year: i32,
    r: NewResult,
) -> Result<ReportedResult, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        term.stage.require(
            "reporting results",
            &term.resource(),
            &[Stage::Reporting, Stage::SelfScoring],
        )?;
        let (_, version) = table_of(tx, &term)?;
        let mut v = Violations::default();
        if !term.has_member(&r.unit) {
            v.add(
                "result.unit",
                format!("{} is not a member of {}", r.unit, term.resource()),
            );
        }
        let node = find_leaf(&version.groups, &r.code).filter(|n| n.rule.is_some());
        if node.is_none() {
            v.add(
                "result.criterion_code",
                format!(
                    "`{}` is not a leaf criterion of {}",
                    r.code,
                    version.resource()
                ),
            );
        }
        v.finish(())?;
        let node = node.ok_or_else(|| Error::Internal("leaf vanished".into()))?;
        let entry =
            results::check_result(node, &r.value, &r.evidence_ref, &r.explanation, "result")
                .map_err(Error::Invalid)?;
        let mut stored = ReportedResult {
            unit: r.unit,
            code: r.code,
            revision: 0,
            entry,
            evidence_ref: r.evidence_ref.trim().to_owned(),
            evidence_note: r.evidence_note.trim().to_owned(),
            explanation: r.explanation.trim().to_owned(),
            submitted_at: now,
            late: false,
        };
        // Bumping the term first serialises concurrent reports of one term.
        tx.touch_term(cluster_id, year, None, now)?;
        stored.revision = tx.insert_result(cluster_id, year, &stored)?;
        flag_late(tx, cluster_id, year, std::slice::from_mut(&mut stored))?;
        Ok(stored)
    })
}

/// Flags results submitted after the reporting deadline, if one is set.
fn flag_late(
    tx: &mut Tx<'_>,
    cluster_id: &str,
    year: i32,
    results: &mut [ReportedResult],
) -> Result<(), Error> {
    if let Some((_, deadline)) = tx
        .deadlines(cluster_id, year)?
        .into_iter()
        .find(|(s, _)| *s == Stage::Reporting)
    {
        for r in results {
            r.late = stage::is_late(r.submitted_at, deadline);
        }
    }
    Ok(())
}

/// A term's results, every revision, late ones flagged.
pub fn list_results(
    store: &Store,
    cluster_id: &str,
    year: i32,
    unit: Option<&UnitRef>,
) -> Result<Vec<ReportedResult>, Error> {
    store.read(|tx| {
        tx.existing_term(cluster_id, year)?;
        let mut results = tx.results(cluster_id, year, unit)?;
        flag_late(tx, cluster_id, year, &mut results)?;
        Ok(results)
    })
}

/// Sets deadlines per stage; each must fall on or after the term's first day.
pub fn set_deadlines(
    store: &Store,
    cluster_id: &str,
    year: i32,
    deadlines: &[(Stage, thidua_domain::time::Date)],
) -> Result<Vec<(Stage, thidua_domain::time::Date)>, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        let mut v = Violations::default();
        for (i, (_, date)) in deadlines.iter().enumerate() {
            if *date < term.period.start {
                v.add(
                    format!("deadlines[{i}].deadline"),
                    format!("{date} is before the term starts ({})", term.period.start),
                );
            }
        }
        v.finish(())?;
        tx.touch_term(cluster_id, year, None, now)?;
        for (stage, date) in deadlines {
            tx.set_deadline(cluster_id, year, *stage, *date)?;
        }
        tx.deadlines(cluster_id, year)
    })
}

/// A score to record in a layer.
#[derive(Debug, Clone)]
pub struct NewScore {
    /// The member.
    pub unit: UnitRef,
    /// The criterion.
    pub code: String,
    /// The layer.
    pub layer: Layer,
    /// The points.
    pub points: Decimal,
    /// Why.
    pub reason: String,
}

/// Records a layer score: self-scores while self-scoring, review scores and adjustments
/// during review.
pub fn record_score(
    store: &Store,
    cluster_id: &str,
    year: i32,
    s: NewScore,
) -> Result<Explained, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        let allowed = match s.layer {
            Layer::SelfScore => Stage::SelfScoring,
            Layer::Review | Layer::Adjustment => Stage::Review,
        };
        term.stage.require(
            &format!("a {} score", s.layer.as_str()),
            &term.resource(),
            &[allowed],
        )?;
        let (table, version) = table_of(tx, &term)?;
        if !term.has_member(&s.unit) {
            return Err(Error::invalid(
                "unit",
                format!("{} is not a member of {}", s.unit, term.resource()),
            ));
        }
        let node = find_leaf(&version.groups, &s.code)
            .filter(|n| n.rule.is_some())
            .ok_or_else(|| {
                Error::invalid(
                    "criterion_code",
                    format!(
                        "`{}` is not a leaf criterion of {}",
                        s.code,
                        version.resource()
                    ),
                )
            })?;
        results::check_layer_score(node, s.layer, s.points, &s.reason, table.rounding_step)
            .map_err(Error::Invalid)?;
        tx.touch_term(cluster_id, year, None, now)?;
        tx.insert_layer_score(
            cluster_id,
            year,
            &LayerScore {
                unit: s.unit.clone(),
                code: s.code,
                layer: s.layer,
                seq: 0,
                points: s.points,
                reason: s.reason.trim().to_owned(),
                recorded_at: now,
            },
        )?;
        let term = tx.existing_term(cluster_id, year)?;
        explain_in(tx, &term, &s.unit, Some(s.layer))
    })
}

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
struct Scored {
    version: TableVersion,
    policy: thidua_domain::policy::Policy,
    scores: Vec<MemberScore>,
}

fn score_term(tx: &mut Tx<'_>, term: &Term, up_to: Option<Layer>) -> Result<Scored, Error> {
    let (table, version) = table_of(tx, term)?;
    let targets = tx.targets(&term.cluster_id, term.year)?;
    let latest = tx.latest_entries(&term.cluster_id, term.year)?;
    let layers = tx.layer_scores(&term.cluster_id, term.year)?;
    let entries = results::compose_latest(latest, &layers, up_to);
    let policy = tx.policy(&term.cluster_id, term.year)?;
    let members: Vec<UnitRef> = term.members.iter().map(|m| m.unit.clone()).collect();
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
    })
}

/// Scores and ranks `term`, which the board then holds (taken, not copied: a province's
/// nationwide scoring reads hundreds of terms).
fn board_in(tx: &mut Tx<'_>, term: Term, up_to: Option<Layer>) -> Result<Board, Error> {
    let Scored {
        version,
        policy,
        scores,
    } = score_term(tx, &term, up_to)?;
    let mut chain = policy.chain(&version.groups);
    for (order, by, why) in tx.tie_decisions(&term.cluster_id, term.year)? {
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
pub fn scoreboard(
    store: &Store,
    cluster_id: &str,
    year: i32,
    up_to: Option<Layer>,
) -> Result<Board, Error> {
    store.read(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        board_in(tx, term, up_to)
    })
}

/// The scoreboard of a term inside a transaction the caller holds.
pub fn scoreboard_in_tx(
    tx: &mut Tx<'_>,
    cluster_id: &str,
    year: i32,
    up_to: Option<Layer>,
) -> Result<Board, Error> {
    let term = tx.existing_term(cluster_id, year)?;
    board_in(tx, term, up_to)
}

/// One member's explained scores, with the table for titles.
#[derive(Debug, Clone)]
pub struct Explained {
    /// The scores.
    pub score: MemberScore,
    /// The table version, for titles.
    pub version: TableVersion,
}

fn explain_in(
    tx: &mut Tx<'_>,
    term: &Term,
    unit: &UnitRef,
    up_to: Option<Layer>,
) -> Result<Explained, Error> {
    if !term.has_member(unit) {
        return Err(Error::invalid(
            "unit",
            format!("{unit} is not a member of {}", term.resource()),
        ));
    }
    let Scored {
        version, scores, ..
    } = score_term(tx, term, up_to)?;
    let score = scores
        .into_iter()
        .find(|s| &s.unit == unit)
        .ok_or_else(|| Error::Internal(format!("{unit} was not scored")))?;
    Ok(Explained { score, version })
}

/// Explains one member's points.
pub fn explain(
    store: &Store,
    cluster_id: &str,
    year: i32,
    unit: &UnitRef,
    up_to: Option<Layer>,
) -> Result<Explained, Error> {
    store.read(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        explain_in(tx, &term, unit, up_to)
    })
}

/// One row of a result import, as sent.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Line in the client's file.
    pub line: u32,
    /// The member as written: code, scheme~code or resource name.
    pub unit: String,
    /// The criterion.
    pub code: String,
    /// The value text.
    pub value: String,
    /// Evidence reference.
    pub evidence_ref: String,
    /// Evidence description.
    pub evidence_note: String,
    /// Explanation where evidence is missing.
    pub explanation: String,
}

/// The outcome of a result import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOutcome {
    /// Rows received.
    pub rows: i64,
    /// Results stored.
    pub stored: i64,
    /// True when replayed for a retried request id.
    #[serde(skip)]
    pub replayed: bool,
}

/// Imports many results: every row is checked first and every bad row reported; then all are
/// stored in one transaction, each as the next revision of its (member, criterion).
pub fn import_results(
    store: &Store,
    cluster_id: &str,
    year: i32,
    rows: &[ImportRow],
    key: Option<super::Idempotency>,
) -> Result<ImportOutcome, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(stored) = super::Idempotency::replay(key.as_ref(), tx)? {
            let mut outcome: ImportOutcome = serde_json::from_str(&stored)
                .map_err(|e| Error::Internal(format!("stored import outcome: {e}")))?;
            outcome.replayed = true;
            return Ok(outcome);
        }
        let term = tx.existing_term(cluster_id, year)?;
        term.stage.require(
            "reporting results",
            &term.resource(),
            &[Stage::Reporting, Stage::SelfScoring],
        )?;
        let (_, version) = table_of(tx, &term)?;
        let mut leaves: HashMap<&str, &Criterion> = HashMap::new();
        criteria::walk(&version.groups, &mut |n| {
            if n.rule.is_some() {
                leaves.insert(n.code.as_str(), n);
            }
        });
        if rows.is_empty() {
            return Err(Error::invalid("rows", "the import has no rows"));
        }
        let mut v = Violations::default();
        let mut parsed = Vec::with_capacity(rows.len());
        // Members by `scheme~code` and by bare code, built once: a row names its member
        // either way, and a bare code may fit several schemes.
        let mut by_name: HashMap<String, Vec<&UnitRef>> = HashMap::new();
        for m in &term.members {
            by_name.entry(m.unit.key()).or_default().push(&m.unit);
            by_name
                .entry(m.unit.code.clone())
                .or_default()
                .push(&m.unit);
        }
        for (i, r) in rows.iter().enumerate() {
            let at = format!("rows[{i}]");
            let line = r.line;
            let wanted = r.unit.trim().trim_start_matches("units/");
            let found: &[&UnitRef] = by_name.get(wanted).map_or(&[], Vec::as_slice);
            let unit = match found {
                [u] => Some((*u).clone()),
                [] => {
                    v.add(
                        format!("{at}.unit"),
                        format!(
                            "line {line}: `{}` is not a member of {}",
                            r.unit,
                            term.resource()
                        ),
                    );
                    None
                }
                _ => {
                    v.add(
                        format!("{at}.unit"),
                        format!(
                            "line {line}: `{}` names several members; write scheme~code",
                            r.unit
                        ),
                    );
                    None
                }
            };
            let Some(node) = leaves.get(r.code.trim()) else {
                v.add(
                    format!("{at}.criterion_code"),
                    format!(
                        "line {line}: `{}` is not a leaf criterion of {}",
                        r.code,
                        version.resource()
                    ),
                );
                continue;
            };
            match results::check_result(node, &r.value, &r.evidence_ref, &r.explanation, &at) {
                Ok(entry) => {
                    if let Some(unit) = unit {
                        parsed.push(ReportedResult {
                            unit,
                            code: node.code.clone(),
                            revision: 0,
                            entry,
                            evidence_ref: r.evidence_ref.trim().to_owned(),
                            evidence_note: r.evidence_note.trim().to_owned(),
                            explanation: r.explanation.trim().to_owned(),
                            submitted_at: now,
                            late: false,
                        });
                    }
                }
                Err(errors) => {
                    for e in errors {
                        v.add(e.field, format!("line {line}: {}", e.description));
                    }
                }
            }
        }
        v.finish(())?;
        tx.touch_term(cluster_id, year, None, now)?;
        tx.insert_results(cluster_id, year, &mut parsed)?;
        let outcome = ImportOutcome {
            rows: i64::try_from(rows.len()).unwrap_or(i64::MAX),
            stored: i64::try_from(parsed.len()).unwrap_or(i64::MAX),
            replayed: false,
        };
        let stored = serde_json::to_string(&outcome).map_err(|e| Error::Internal(e.to_string()))?;
        super::Idempotency::remember(key.as_ref(), tx, &stored, now)?;
        Ok(outcome)
    })
}

/// The summary table officers print and sign (Bảng tổng hợp kết quả chấm điểm).
pub fn export_scoreboard(
    store: &Store,
    cluster_id: &str,
    year: i32,
    up_to: Option<Layer>,
    format: crate::sheets::Format,
) -> Result<(Vec<u8>, String), Error> {
    let board = scoreboard(store, cluster_id, year, up_to)?;
    let names: HashMap<&UnitRef, &str> = board
        .term
        .members
        .iter()
        .map(|m| (&m.unit, m.name.as_str()))
        .collect();
    let group_headers: Vec<String> = board
        .version
        .groups
        .iter()
        .map(|g| format!("{}. {}", g.code, g.title))
        .collect();
    let mut header: Vec<&str> = vec!["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm"];
    header.extend(group_headers.iter().map(String::as_str));
    header.extend(["Xếp loại", "Ghi chú"]);
    let rows: Vec<Vec<String>> = board
        .placements
        .iter()
        .map(|p| {
            let score = board.scores.get(&p.unit);
            let mut row = vec![
                if p.unresolved_tie {
                    format!("{} (đồng hạng)", p.rank)
                } else {
                    p.rank.to_string()
                },
                p.unit.code.clone(),
                names.get(&p.unit).copied().unwrap_or_default().to_owned(),
                thidua_domain::decimal::format(p.total),
            ];
            row.extend(board.version.groups.iter().map(|g| {
                thidua_domain::decimal::format(
                    score
                        .and_then(|s| s.node(&g.code))
                        .map(|n| n.points)
                        .unwrap_or_default(),
                )
            }));
            row.push(
                score
                    .and_then(|s| s.classification.level.clone())
                    .unwrap_or_else(|| "Không hoàn thành".to_owned()),
            );
            let notes: Vec<&str> = [
                p.tie_note.as_str(),
                score
                    .map(|s| s.classification.note.as_str())
                    .unwrap_or_default(),
            ]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect();
            row.push(notes.join("; "));
            row
        })
        .collect();
    let bytes = crate::sheets::write(&header, &rows, format)?;
    Ok((
        bytes,
        format!("{cluster_id}-{year}-bang-tong-hop.{}", format.extension()),
    ))
}

/// Records the decision that orders tied members (during review), by whom and why.
pub fn record_tie_decision(
    store: &Store,
    cluster_id: &str,
    year: i32,
    order: &[UnitRef],
    decided_by: &str,
    reason: &str,
) -> Result<Board, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        term.stage.require(
            "recording a tie decision",
            &term.resource(),
            &[Stage::Review],
        )?;
        let mut v = Violations::default();
        if order.len() < 2 {
            v.add("units", "name at least two tied members, best first");
        }
        for (i, u) in order.iter().enumerate() {
            if !term.has_member(u) {
                v.add(
                    format!("units[{i}]"),
                    format!("{u} is not a member of {}", term.resource()),
                );
            } else if order[..i].contains(u) {
                v.add(format!("units[{i}]"), format!("{u} is listed twice"));
            }
        }
        if decided_by.trim().is_empty() {
            v.add("decided_by", "say who decided (e.g. the members' meeting)");
        }
        if reason.trim().is_empty() {
            v.add("reason", "say why");
        }
        v.finish(())?;
        tx.touch_term(cluster_id, year, None, now)?;
        tx.insert_tie_decision(
            cluster_id,
            year,
            order,
            decided_by.trim(),
            reason.trim(),
            now,
        )?;
        board_in(tx, term, Some(Layer::Adjustment))
    })
}

/// A term's scoring policy.
pub fn policy(
    store: &Store,
    cluster_id: &str,
    year: i32,
) -> Result<thidua_domain::policy::Policy, Error> {
    store.read(|tx| {
        tx.existing_term(cluster_id, year)?;
        tx.policy(cluster_id, year)
    })
}

/// Sets a term's scoring policy, until its scores are adopted.
pub fn set_policy(
    store: &Store,
    cluster_id: &str,
    year: i32,
    policy: thidua_domain::policy::Policy,
) -> Result<thidua_domain::policy::Policy, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        term.stage.require(
            "changing the scoring policy",
            &term.resource(),
            &[
                Stage::Setup,
                Stage::Reporting,
                Stage::SelfScoring,
                Stage::Review,
            ],
        )?;
        let groups = match &term.table {
            Some((id, n)) => Some(tx.existing_table_version(id, *n)?.groups),
            None => None,
        };
        policy.check(groups.as_deref())?;
        tx.touch_term(cluster_id, year, None, now)?;
        tx.set_policy(cluster_id, year, &policy, now)?;
        tx.policy(cluster_id, year)
    })
}

/// Every layer score of a term (optionally of one member).
pub fn list_scores(
    store: &Store,
    cluster_id: &str,
    year: i32,
    unit: Option<&UnitRef>,
) -> Result<Vec<LayerScore>, Error> {
    store.read(|tx| {
        tx.existing_term(cluster_id, year)?;
        let mut scores = tx.layer_scores(cluster_id, year)?;
        if let Some(u) = unit {
            scores.retain(|s| &s.unit == u);
        }
        Ok(scores)
    })
}
