//! Reported results (kết quả, with minh chứng) and score layers (tự chấm, chấm chéo, điều
//! chỉnh). Every layer is kept; a later layer never overwrites an earlier one, it only counts
//! above it when the scoreboard is composed.

use std::{collections::HashMap, str::FromStr, sync::Arc};

use rust_decimal::Decimal;

use crate::{
    criteria::{Criterion, Rule},
    error::FieldViolation,
    scoring::Entry,
    text,
    time::Timestamp,
    unit::UnitRef,
    words,
};

/// A reported result: one revision for one member and criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedResult {
    /// The member.
    pub unit: UnitRef,
    /// The criterion.
    pub code: String,
    /// Revision, from 1; a correction is a new revision.
    pub revision: i32,
    /// What was reported.
    pub entry: Entry,
    /// The evidence's document reference (số, ký hiệu văn bản).
    pub evidence_ref: String,
    /// The evidence's description.
    pub evidence_note: String,
    /// A written explanation where evidence is required but missing.
    pub explanation: String,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// Submitted after the reporting deadline; derived from the deadline when read.
    pub late: bool,
}

/// Checks a reported value against the criterion's rule: a measured value (≥ 0) for
/// quantitative rules, proposed points within [0, max] for judged ones, 1 or 0 (happened or
/// not) for events; and evidence, or an explanation, where evidence is required.
pub fn check_result(
    node: &Criterion,
    value: &str,
    evidence_ref: &str,
    explanation: &str,
    field: &str,
) -> Result<Entry, Vec<FieldViolation>> {
    let mut errors = Vec::new();
    let parsed = crate::decimal::parse(&format!("{field}.value"), value).map_err(|e| vec![e])?;
    let entry = match &node.rule {
        None => {
            errors.push(FieldViolation::new(
                format!("{field}.criterion_code"),
                words!("not-a-leaf-criterion", code = node.code),
            ));
            None
        }
        Some(Rule::Judged) => {
            if parsed < Decimal::ZERO || parsed > node.max_points {
                errors.push(FieldViolation::new(
                    format!("{field}.value"),
                    words!(
                        "proposed-points-range",
                        points = parsed,
                        max = node.max_points
                    ),
                ));
            }
            Some(Entry::Points(parsed))
        }
        Some(Rule::Event {
            register: Some(code),
            ..
        }) => {
            errors.push(FieldViolation::new(
                format!("{field}.criterion_code"),
                words!("read-from-register", criterion = node.code, entry = code),
            ));
            None
        }
        Some(Rule::Event { .. }) => {
            if parsed != Decimal::ZERO && parsed != Decimal::ONE {
                errors.push(FieldViolation::new(
                    format!("{field}.value"),
                    words!("event-one-or-zero"),
                ));
            }
            Some(Entry::Event(parsed == Decimal::ONE))
        }
        Some(_) => {
            if parsed < Decimal::ZERO {
                errors.push(FieldViolation::new(
                    format!("{field}.value"),
                    words!("negative", value = parsed),
                ));
            }
            Some(Entry::Actual(parsed))
        }
    };
    if node.evidence_required && evidence_ref.trim().is_empty() && explanation.trim().is_empty() {
        errors.push(FieldViolation::new(
            format!("{field}.evidence"),
            words!("evidence-required", code = node.code),
        ));
    }
    for (name, text_value, max) in [
        ("evidence", evidence_ref, 500),
        ("explanation", explanation, 5000),
    ] {
        if let Err(e) = text::optional_text(&format!("{field}.{name}"), text_value, max) {
            errors.push(e);
        }
    }
    match entry {
        Some(e) if errors.is_empty() => Ok(e),
        _ => Err(errors),
    }
}

/// A score layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// Tự chấm, by the member.
    SelfScore,
    /// Chấm chéo, by the leader or a review team.
    Review,
    /// Điều chỉnh, by the organiser, with a reason.
    Adjustment,
}

impl Layer {
    /// Every layer, lowest first.
    pub const ALL: [Layer; 3] = [Layer::SelfScore, Layer::Review, Layer::Adjustment];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::SelfScore => "self",
            Layer::Review => "review",
            Layer::Adjustment => "adjustment",
        }
    }
}

impl FromStr for Layer {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Layer::ALL.into_iter().find(|l| l.as_str() == s).ok_or(())
    }
}

/// One score given in a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerScore {
    /// The member.
    pub unit: UnitRef,
    /// The criterion.
    pub code: String,
    /// The layer.
    pub layer: Layer,
    /// Sequence within (unit, code, layer), from 1.
    pub seq: i32,
    /// The points.
    pub points: Decimal,
    /// Why (required for adjustments).
    pub reason: String,
    /// When.
    pub recorded_at: Timestamp,
}

/// Checks a layer score: within [0, max + bonus cap] (an event: 0 or its points), a multiple
/// of the rounding step, and a reason for an adjustment.
pub fn check_layer_score(
    node: &Criterion,
    layer: Layer,
    points: Decimal,
    reason: &str,
    step: Decimal,
) -> Result<(), Vec<FieldViolation>> {
    let mut errors = Vec::new();
    match &node.rule {
        None => errors.push(FieldViolation::new(
            "criterion_code",
            words!("not-a-leaf-criterion", code = node.code),
        )),
        Some(Rule::Event { points: p, .. }) => {
            if points != Decimal::ZERO && points != *p {
                errors.push(FieldViolation::new(
                    "points",
                    words!("event-scores", points = p),
                ));
            }
        }
        Some(_) => {
            let high = node.max_points + node.bonus_cap.unwrap_or_default();
            if points < Decimal::ZERO || points > high {
                errors.push(FieldViolation::new(
                    "points",
                    words!("points-range", points = points, max = high),
                ));
            }
        }
    }
    if !crate::decimal::is_multiple(points.abs(), step) && !points.is_zero() {
        errors.push(FieldViolation::new(
            "points",
            words!("not-a-multiple", value = points, step = step),
        ));
    }
    if layer == Layer::Adjustment && reason.trim().is_empty() {
        errors.push(FieldViolation::new(
            "reason",
            words!("adjustment-reason-missing"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The entries the engine scores from: each member's latest result, overridden by the latest
/// score of each layer up to and including `up_to` (`None`: results only).
pub fn compose(
    results: &[ReportedResult],
    layers: &[LayerScore],
    up_to: Option<Layer>,
) -> crate::scoring::Entries {
    let mut out: HashMap<(UnitRef, String), (i32, Entry)> = HashMap::new();
    for r in results {
        let key = (r.unit.clone(), r.code.clone());
        if out.get(&key).is_none_or(|(rev, _)| r.revision > *rev) {
            out.insert(key, (r.revision, r.entry));
        }
    }
    let mut latest: HashMap<UnitRef, Vec<(Arc<str>, Entry)>> = HashMap::new();
    for ((unit, code), (_, entry)) in out {
        latest.entry(unit).or_default().push((code.into(), entry));
    }
    compose_latest(latest, layers, up_to)
}

/// [`compose`] from each (member, criterion)'s latest result alone, grouped by member, as
/// storage keeps them without the earlier revisions.
pub fn compose_latest(
    latest: impl IntoIterator<Item = (UnitRef, Vec<(Arc<str>, Entry)>)>,
    layers: &[LayerScore],
    up_to: Option<Layer>,
) -> crate::scoring::Entries {
    let mut entries = crate::scoring::Entries::default();
    for (unit, pairs) in latest {
        entries.extend(unit, pairs);
    }
    if let Some(top) = up_to {
        let mut latest: HashMap<(UnitRef, String), (Layer, i32, Decimal)> = HashMap::new();
        for s in layers.iter().filter(|s| s.layer <= top) {
            let key = (s.unit.clone(), s.code.clone());
            if latest
                .get(&key)
                .is_none_or(|(l, q, _)| (s.layer, s.seq) > (*l, *q))
            {
                latest.insert(key, (s.layer, s.seq, s.points));
            }
        }
        // Inserted after the results, so each overrides its (member, criterion)'s result.
        for ((unit, code), (_, _, points)) in latest {
            entries.insert(unit, code, Entry::Points(points));
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Scheme;

    fn d(s: &str) -> Decimal {
        crate::decimal::parse("t", s).unwrap_or_default()
    }

    fn node(rule: Rule, evidence: bool) -> Criterion {
        Criterion {
            code: "I.1".into(),
            title: "Thu ngân sách".into(),
            max_points: d("20"),
            bonus_cap: Some(d("5")),
            rule: Some(rule),
            metric: "triệu đồng".into(),
            evidence_required: evidence,
            ..Default::default()
        }
    }

    #[test]
    fn results_fit_their_rule_and_need_evidence() {
        let n = node(Rule::Proportional, true);
        assert_eq!(
            check_result(&n, "12500", "Báo cáo 45/BC-UBND", "", "r").ok(),
            Some(Entry::Actual(d("12500")))
        );
        assert!(check_result(&n, "12500", "", "Chưa có quyết toán", "r").is_ok());
        assert!(check_result(&n, "12500", "", "", "r").is_err());
        assert!(check_result(&n, "-1", "BC", "", "r").is_err());
        assert!(check_result(&n, "1,5", "BC", "", "r").is_err());
        let judged = node(Rule::Judged, false);
        assert!(check_result(&judged, "21", "", "", "r").is_err());
        assert_eq!(
            check_result(&judged, "18.5", "", "", "r").ok(),
            Some(Entry::Points(d("18.5")))
        );
        let event = node(
            Rule::Event {
                points: d("10"),
                register: None,
            },
            false,
        );
        assert_eq!(
            check_result(&event, "1", "", "", "r").ok(),
            Some(Entry::Event(true))
        );
        assert!(check_result(&event, "2", "", "", "r").is_err());
        let from_register = node(
            Rule::Event {
                points: d("10"),
                register: Some("CTD_TINH".into()),
            },
            false,
        );
        assert!(
            check_result(&from_register, "1", "", "", "r").is_err(),
            "read from the award register, never reported"
        );
    }

    #[test]
    fn layer_scores_are_bounded_and_adjustments_explained() {
        let n = node(Rule::Proportional, false);
        assert!(check_layer_score(&n, Layer::SelfScore, d("25"), "", d("0.5")).is_ok());
        assert!(check_layer_score(&n, Layer::SelfScore, d("25.5"), "", d("0.5")).is_err());
        assert!(check_layer_score(&n, Layer::Review, d("17.25"), "", d("0.5")).is_err());
        assert!(check_layer_score(&n, Layer::Adjustment, d("17"), " ", d("0.5")).is_err());
        assert!(check_layer_score(&n, Layer::Adjustment, d("17"), "Sai số liệu", d("0.5")).is_ok());
    }

    #[test]
    fn later_layers_count_above_earlier_ones_without_erasing_them() {
        let u = UnitRef::new(Scheme::Qd124_2004, "01843");
        let result = |revision, value: &str| ReportedResult {
            unit: u.clone(),
            code: "I.1".into(),
            revision,
            entry: Entry::Actual(d(value)),
            evidence_ref: String::new(),
            evidence_note: String::new(),
            explanation: String::new(),
            submitted_at: Timestamp(0),
            late: false,
        };
        let score = |layer, seq, points: &str| LayerScore {
            unit: u.clone(),
            code: "I.1".into(),
            layer,
            seq,
            points: d(points),
            reason: String::new(),
            recorded_at: Timestamp(0),
        };
        let results = [result(1, "100"), result(2, "120")];
        let layers = [
            score(Layer::Review, 1, "16"),
            score(Layer::SelfScore, 1, "20"),
            score(Layer::SelfScore, 2, "19"),
        ];
        assert_eq!(
            compose(&results, &layers, None).get(&u, "I.1"),
            Some(Entry::Actual(d("120")))
        );
        assert_eq!(
            compose(&results, &layers, Some(Layer::SelfScore)).get(&u, "I.1"),
            Some(Entry::Points(d("19")))
        );
        assert_eq!(
            compose(&results, &layers, Some(Layer::Review)).get(&u, "I.1"),
            Some(Entry::Points(d("16")))
        );
        assert_eq!(
            compose(&results, &layers, Some(Layer::Adjustment)).get(&u, "I.1"),
            Some(Entry::Points(d("16")))
        );
    }
}
