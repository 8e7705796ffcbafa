//! Conversions of results, layers, scoreboards and explanations.

use thidua_domain::{
    FieldViolation,
    results::{Layer, ReportedResult},
    scoring::Entry,
};
use thidua_proto::v1 as pb;

use super::{criteria::decimal_out, time_out};
use crate::app::scoring::{Board, Explained};

/// Reads the layer of a scoreboard: `None` is results only; unset is the final layer.
pub fn board_layer_in(layer: i32) -> Option<Layer> {
    match pb::ScoreLayer::try_from(layer).unwrap_or(pb::ScoreLayer::Unspecified) {
        pb::ScoreLayer::Results => None,
        pb::ScoreLayer::Self_ => Some(Layer::SelfScore),
        pb::ScoreLayer::Review => Some(Layer::Review),
        pb::ScoreLayer::Unspecified | pb::ScoreLayer::Adjustment => Some(Layer::Adjustment),
    }
}

/// Writes the layer of a scoreboard.
pub fn board_layer_out(layer: Option<Layer>) -> pb::ScoreLayer {
    match layer {
        None => pb::ScoreLayer::Results,
        Some(Layer::SelfScore) => pb::ScoreLayer::Self_,
        Some(Layer::Review) => pb::ScoreLayer::Review,
        Some(Layer::Adjustment) => pb::ScoreLayer::Adjustment,
    }
}

/// Reads the layer a score is recorded in.
pub fn score_layer_in(field: &str, layer: i32) -> Result<Layer, FieldViolation> {
    match pb::ScoreLayer::try_from(layer).unwrap_or(pb::ScoreLayer::Unspecified) {
        pb::ScoreLayer::Self_ => Ok(Layer::SelfScore),
        pb::ScoreLayer::Review => Ok(Layer::Review),
        pb::ScoreLayer::Adjustment => Ok(Layer::Adjustment),
        pb::ScoreLayer::Unspecified | pb::ScoreLayer::Results => {
            Err(FieldViolation::new(field, "SELF, REVIEW or ADJUSTMENT"))
        }
    }
}

fn entry_value(e: Entry) -> rust_decimal::Decimal {
    match e {
        Entry::Actual(v) | Entry::Points(v) => v,
        Entry::Event(true) => rust_decimal::Decimal::ONE,
        Entry::Event(false) => rust_decimal::Decimal::ZERO,
    }
}

/// What was entered for a criterion, in the caller's language.
fn entry_text(e: Entry) -> String {
    crate::locale::entry(e, crate::locale::current())
}

/// Writes a result.
pub fn result_out(r: ReportedResult) -> pb::ReportedResult {
    pb::ReportedResult {
        unit: r.unit.to_string(),
        criterion_code: r.code,
        revision: r.revision,
        value: decimal_out(entry_value(r.entry)),
        evidence_reference: r.evidence_ref,
        evidence_description: r.evidence_note,
        explanation: r.explanation,
        submit_time: time_out(r.submitted_at),
        late: r.late,
    }
}

/// Writes a scoreboard, its notes in `language`.
pub fn board_out(
    board: Board,
    layer: Option<Layer>,
    language: thidua_domain::Language,
) -> pb::GetScoreboardResponse {
    let names: std::collections::HashMap<_, _> = board
        .term
        .members
        .iter()
        .map(|m| (m.unit.clone(), m.name.clone()))
        .collect();
    let top_tied = board.placements.first().is_some_and(|p| p.unresolved_tie);
    pb::GetScoreboardResponse {
        term: board.term.resource(),
        table_version: board.version.resource(),
        layer: board_layer_out(layer).into(),
        leading_unit: board
            .placements
            .first()
            .filter(|_| !top_tied)
            .map(|p| p.unit.to_string())
            .unwrap_or_default(),
        rows: board
            .placements
            .iter()
            .map(|p| {
                let score = board.scores.get(&p.unit);
                pb::ScoreboardRow {
                    rank: i32::try_from(p.rank).unwrap_or(i32::MAX),
                    unit: p.unit.to_string(),
                    display_name: names.get(&p.unit).cloned().unwrap_or_default(),
                    total: decimal_out(p.total),
                    subtotals: board
                        .version
                        .groups
                        .iter()
                        .map(|g| pb::Subtotal {
                            code: g.code.clone(),
                            points: decimal_out(
                                score
                                    .and_then(|s| s.node(&g.code))
                                    .map(|n| n.points)
                                    .unwrap_or_default(),
                            ),
                        })
                        .collect(),
                    classification: score
                        .and_then(|s| s.classification.level.clone())
                        .unwrap_or_default(),
                    classification_note: score
                        .map(|s| s.classification.note.in_language(language))
                        .unwrap_or_default(),
                    tie_note: p.tie_note.in_language(language),
                    unresolved_tie: p.unresolved_tie,
                }
            })
            .collect(),
    }
}

/// Writes an explanation.
pub fn explained_out(e: Explained) -> pb::ExplainScoreResponse {
    let mut titles = std::collections::HashMap::new();
    thidua_domain::criteria::walk(&e.version.groups, &mut |n| {
        titles.insert(n.code.clone(), n.title.clone());
    });
    pb::ExplainScoreResponse {
        unit: e.score.unit.to_string(),
        total: decimal_out(e.score.total),
        criteria: e
            .score
            .criteria()
            .map(|c| pb::CriterionExplanation {
                title: titles.get(c.code).cloned().unwrap_or_default(),
                rule: c
                    .rule
                    .map(|r| r.kind().as_str().to_owned())
                    .unwrap_or_default(),
                max_points: decimal_out(c.max_points),
                target: c.target.and_then(decimal_out),
                input: c.entry.map(entry_text).unwrap_or_default(),
                points: decimal_out(c.points),
                why: match e.grounds.get(c.code) {
                    Some(ground) => format!("{} — {ground}", said(&c.why())),
                    None => said(&c.why()),
                },
                code: c.code.to_string(),
            })
            .collect(),
    }
}

/// Reads an award kind.
pub fn award_kind_in(
    field: &str,
    kind: i32,
) -> Result<thidua_domain::award::AwardKind, FieldViolation> {
    use thidua_domain::award::AwardKind;
    match pb::AwardKind::try_from(kind).unwrap_or(pb::AwardKind::Unspecified) {
        pb::AwardKind::Unspecified => Err(FieldViolation::new(
            field,
            thidua_domain::words!("award-kind-required"),
        )),
        pb::AwardKind::ProvincialFlag => Ok(AwardKind::ProvincialFlag),
        pb::AwardKind::GovernmentFlag => Ok(AwardKind::GovernmentFlag),
        pb::AwardKind::CertificateOfMerit => Ok(AwardKind::CertificateOfMerit),
        pb::AwardKind::CertificateOfCommendation => Ok(AwardKind::CertificateOfCommendation),
    }
}

/// Reads a dossier.
pub fn dossier_in(d: Option<pb::Dossier>) -> thidua_domain::award::Dossier {
    let pb::Dossier {
        submission_letter,
        minutes,
        achievement_report,
    } = d.unwrap_or_default();
    thidua_domain::award::Dossier {
        submission_letter: thidua_domain::text::normalize(&submission_letter),
        minutes: thidua_domain::text::normalize(&minutes),
        achievement_report: thidua_domain::text::normalize(&achievement_report),
    }
}

/// Reads a ballot.
pub fn ballot_in(b: Option<pb::Ballot>) -> Result<thidua_domain::award::Ballot, FieldViolation> {
    let pb::Ballot {
        eligible,
        present,
        valid,
        yes,
        no,
        threshold,
        base,
        passed: _,
    } = b.ok_or_else(|| {
        FieldViolation::new("ballot", thidua_domain::words!("ballot-counts-required"))
    })?;
    let threshold = match threshold {
        Some(t) => thidua_domain::decimal::parse("ballot.threshold", &t.value)?,
        None => rust_decimal::Decimal::new(5, 1),
    };
    let base = match pb::BallotBase::try_from(base).unwrap_or(pb::BallotBase::Unspecified) {
        pb::BallotBase::All => thidua_domain::award::BallotBase::All,
        pb::BallotBase::Present | pb::BallotBase::Unspecified => {
            thidua_domain::award::BallotBase::Present
        }
    };
    Ok(thidua_domain::award::Ballot {
        eligible,
        present,
        valid,
        yes,
        no,
        threshold,
        base,
    })
}

/// Writes one year of a unit's history.
pub fn unit_year_out(y: crate::app::history::UnitYear) -> pb::UnitHistoryYear {
    let (rank, total, level) = match y.placed {
        Some((rank, total, level)) => (
            i32::try_from(rank).unwrap_or(i32::MAX),
            decimal_out(total),
            level.unwrap_or_default(),
        ),
        None => (0, None, String::new()),
    };
    pb::UnitHistoryYear {
        year: y.term.year,
        term: y.term.to_string(),
        unit: y.unit.to_string(),
        unit_display_name: y.name,
        rank,
        total,
        classification: level,
        awards: y.awards.into_iter().map(award_out).collect(),
    }
}

/// Writes an award kind.
pub fn award_kind_out(kind: thidua_domain::award::AwardKind) -> pb::AwardKind {
    use thidua_domain::award::AwardKind;
    match kind {
        AwardKind::ProvincialFlag => pb::AwardKind::ProvincialFlag,
        AwardKind::GovernmentFlag => pb::AwardKind::GovernmentFlag,
        AwardKind::CertificateOfMerit => pb::AwardKind::CertificateOfMerit,
        AwardKind::CertificateOfCommendation => pb::AwardKind::CertificateOfCommendation,
    }
}

/// Why a criterion has its points, in the caller's language.
fn said(e: &thidua_domain::scoring::Explanation) -> String {
    crate::locale::explanation(e, crate::locale::current())
}

/// Writes an award.
pub fn award_out(a: thidua_domain::award::Award) -> pb::Award {
    use thidua_domain::award::{AwardState, BallotBase};
    pb::Award {
        name: format!("awards/{}", a.id),
        term: a.term().to_string(),
        unit: a.unit.to_string(),
        kind: award_kind_out(a.kind).into(),
        entry: a.entry,
        state: match a.state {
            AwardState::Proposed => pb::AwardState::Proposed,
            AwardState::Passed => pb::AwardState::Passed,
            AwardState::Failed => pb::AwardState::Failed,
            AwardState::Submitted => pb::AwardState::Submitted,
            AwardState::Revoked => pb::AwardState::Revoked,
            AwardState::Awarded => pb::AwardState::Awarded,
            AwardState::Rejected => pb::AwardState::Rejected,
        }
        .into(),
        dossier: Some(pb::Dossier {
            submission_letter: a.dossier.submission_letter,
            minutes: a.dossier.minutes,
            achievement_report: a.dossier.achievement_report,
        }),
        override_reason: a.override_reason,
        ballot: a.ballot.map(|b| pb::Ballot {
            eligible: b.eligible,
            present: b.present,
            valid: b.valid,
            yes: b.yes,
            no: b.no,
            threshold: decimal_out(b.threshold),
            base: match b.base {
                BallotBase::Present => pb::BallotBase::Present,
                BallotBase::All => pb::BallotBase::All,
            }
            .into(),
            passed: b.passed(),
        }),
        revocation_ground: a
            .revocation
            .as_ref()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
        revocation_act: a.revocation.map(|r| r.1).unwrap_or_default(),
        create_time: time_out(a.created_at),
        decision: a
            .decision
            .map(|d| format!("decisions/{d}"))
            .unwrap_or_default(),
    }
}

/// Reads a policy; every problem is reported by field.
pub fn policy_in(
    p: Option<pb::ScoringPolicy>,
) -> Result<thidua_domain::policy::Policy, thidua_domain::Error> {
    use thidua_domain::{
        award::{BallotBase, Quotas},
        error::Violations,
        policy::{Policy, TieRule},
        scoring::ClassLevel,
    };
    let pb::ScoringPolicy {
        tie_breaks,
        levels,
        provincial_flags,
        certificates_of_merit,
        government_flag_share,
        ballot_threshold,
        ballot_base,
    } = p.unwrap_or_default();
    let mut v = Violations::default();
    let defaults = Policy::default();
    let tie_rules = (!tie_breaks.is_empty()).then(|| {
        tie_breaks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                match pb::TieBreakKind::try_from(t.kind).unwrap_or(pb::TieBreakKind::Unspecified) {
                    pb::TieBreakKind::Subtotal => Some(TieRule::Subtotal(t.code.trim().to_owned())),
                    pb::TieBreakKind::FullPoints => Some(TieRule::FullPointsCount),
                    pb::TieBreakKind::FewerPenalties => Some(TieRule::FewerPenalties),
                    pb::TieBreakKind::Unspecified => {
                        v.add(
                            format!("policy.tie_breaks[{i}].kind"),
                            thidua_domain::words!("kind-required"),
                        );
                        None
                    }
                }
            })
            .collect()
    });
    let levels = if levels.is_empty() {
        defaults.levels.clone()
    } else {
        levels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let total = v.check(super::decimal_in(
                    &format!("policy.levels[{i}].min_total_share"),
                    l.min_total_share.as_ref(),
                ));
                let each = v.check(super::decimal_in(
                    &format!("policy.levels[{i}].min_criterion_share"),
                    l.min_criterion_share.as_ref(),
                ));
                Some(ClassLevel {
                    name: thidua_domain::text::sentence_case(&l.name),
                    min_total_share: total?,
                    min_criterion_share: each?,
                })
            })
            .collect()
    };
    let count = |field: &str, n: i32, default: usize, v: &mut Violations| {
        if n < 0 {
            v.add(field, thidua_domain::words!("not-negative"));
        }
        if n <= 0 {
            default
        } else {
            usize::try_from(n).unwrap_or(default)
        }
    };
    let policy = Policy {
        tie_rules,
        levels,
        quotas: Quotas {
            provincial_flags: count(
                "policy.provincial_flags",
                provincial_flags,
                defaults.quotas.provincial_flags,
                &mut v,
            ),
            certificates_of_merit: count(
                "policy.certificates_of_merit",
                certificates_of_merit,
                defaults.quotas.certificates_of_merit,
                &mut v,
            ),
            government_flag_share: v
                .check(super::optional_decimal_in(
                    "policy.government_flag_share",
                    government_flag_share.as_ref(),
                ))
                .flatten()
                .unwrap_or(defaults.quotas.government_flag_share),
        },
        ballot_threshold: v
            .check(super::optional_decimal_in(
                "policy.ballot_threshold",
                ballot_threshold.as_ref(),
            ))
            .flatten()
            .unwrap_or(defaults.ballot_threshold),
        ballot_base: match pb::BallotBase::try_from(ballot_base)
            .unwrap_or(pb::BallotBase::Unspecified)
        {
            pb::BallotBase::All => BallotBase::All,
            pb::BallotBase::Present | pb::BallotBase::Unspecified => BallotBase::Present,
        },
    };
    v.finish(policy)
}

/// Writes a policy.
pub fn policy_out(p: thidua_domain::policy::Policy) -> pb::ScoringPolicy {
    use thidua_domain::{award::BallotBase, policy::TieRule};
    pb::ScoringPolicy {
        tie_breaks: p
            .tie_rules
            .unwrap_or_default()
            .into_iter()
            .map(|r| match r {
                TieRule::Subtotal(code) => pb::TieBreakStep {
                    kind: pb::TieBreakKind::Subtotal.into(),
                    code,
                },
                TieRule::FullPointsCount => pb::TieBreakStep {
                    kind: pb::TieBreakKind::FullPoints.into(),
                    code: String::new(),
                },
                TieRule::FewerPenalties => pb::TieBreakStep {
                    kind: pb::TieBreakKind::FewerPenalties.into(),
                    code: String::new(),
                },
            })
            .collect(),
        levels: p
            .levels
            .into_iter()
            .map(|l| pb::ClassificationLevel {
                name: l.name,
                min_total_share: decimal_out(l.min_total_share),
                min_criterion_share: decimal_out(l.min_criterion_share),
            })
            .collect(),
        provincial_flags: i32::try_from(p.quotas.provincial_flags).unwrap_or(i32::MAX),
        certificates_of_merit: i32::try_from(p.quotas.certificates_of_merit).unwrap_or(i32::MAX),
        government_flag_share: decimal_out(p.quotas.government_flag_share),
        ballot_threshold: decimal_out(p.ballot_threshold),
        ballot_base: match p.ballot_base {
            BallotBase::Present => pb::BallotBase::Present,
            BallotBase::All => pb::BallotBase::All,
        }
        .into(),
    }
}

/// Writes a layer score.
pub fn layer_score_out(s: thidua_domain::results::LayerScore) -> pb::LayerScore {
    pb::LayerScore {
        unit: s.unit.to_string(),
        criterion_code: s.code,
        layer: board_layer_out(Some(s.layer)).into(),
        seq: s.seq,
        points: decimal_out(s.points),
        reason: s.reason,
        record_time: time_out(s.recorded_at),
    }
}
