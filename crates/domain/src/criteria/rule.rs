//! Rule kinds (cách tính điểm): how a leaf criterion turns a target and a result into points.
//! Parameters have one canonical text form, `key=value;key=value`, shared by the spreadsheet
//! layout and storage.

use std::fmt;

use rust_decimal::Decimal;

use crate::{decimal, error::FieldViolation};

/// A leaf's rule with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Đạt / không đạt: full points if actual ≥ target, else `partial` (0 when absent).
    Threshold {
        /// Points when the target is missed.
        partial: Option<Decimal>,
    },
    /// max × min(actual / target, 1).
    Proportional,
    /// As proportional, plus `bonus_per_percent` points per whole % above target, capped by the
    /// node's bonus cap.
    ProportionalWithBonus {
        /// Bonus points per percent above the target.
        bonus_per_percent: Decimal,
    },
    /// max − `deduction` × (each `step_percent` % short of the target), floored at 0.
    DeductionPerShortfall {
        /// Size of one shortfall step, in percent of the target.
        step_percent: Decimal,
        /// Points deducted per step.
        deduction: Decimal,
    },
    /// Full at or under the target (e.g. 0 outbreaks), minus `deduction_per_unit` per unit over,
    /// floored at 0.
    LowerIsBetter {
        /// Points deducted per unit over the target.
        deduction_per_unit: Decimal,
    },
    /// Points given by the reviewing layer within [0, max], with evidence.
    Judged,
    /// Fixed points for an event: a prior flag (positive) or a violation (negative).
    Event {
        /// The points.
        points: Decimal,
        /// When set, the event is read from the award register, never reported: the member
        /// (or a predecessor whose record it carries) holds this catalogue entry for the
        /// previous year.
        register: Option<String>,
    },
}

/// The kind of a rule, without parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// See [`Rule::Threshold`].
    Threshold,
    /// See [`Rule::Proportional`].
    Proportional,
    /// See [`Rule::ProportionalWithBonus`].
    ProportionalWithBonus,
    /// See [`Rule::DeductionPerShortfall`].
    DeductionPerShortfall,
    /// See [`Rule::LowerIsBetter`].
    LowerIsBetter,
    /// See [`Rule::Judged`].
    Judged,
    /// See [`Rule::Event`].
    Event,
}

impl RuleKind {
    /// Every kind.
    pub const ALL: [RuleKind; 7] = [
        RuleKind::Threshold,
        RuleKind::Proportional,
        RuleKind::ProportionalWithBonus,
        RuleKind::DeductionPerShortfall,
        RuleKind::LowerIsBetter,
        RuleKind::Judged,
        RuleKind::Event,
    ];

    /// The kind's text form, as in spreadsheets and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Threshold => "threshold",
            RuleKind::Proportional => "proportional",
            RuleKind::ProportionalWithBonus => "proportional_with_bonus",
            RuleKind::DeductionPerShortfall => "deduction_per_shortfall",
            RuleKind::LowerIsBetter => "lower_is_better",
            RuleKind::Judged => "judged",
            RuleKind::Event => "event",
        }
    }

    /// Parses the text form.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldViolation> {
        RuleKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                let known: Vec<_> = RuleKind::ALL.iter().map(|k| k.as_str()).collect();
                FieldViolation::new(
                    field,
                    crate::words!("unknown-rule-kind", kind = s, known = known.join(", ")),
                )
            })
    }

    /// True when the rule compares a reported value with a target, so it needs a metric and
    /// every member needs a target.
    pub fn is_quantitative(self) -> bool {
        matches!(
            self,
            RuleKind::Threshold
                | RuleKind::Proportional
                | RuleKind::ProportionalWithBonus
                | RuleKind::DeductionPerShortfall
                | RuleKind::LowerIsBetter
        )
    }
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Rule {
    /// The rule's kind.
    pub fn kind(&self) -> RuleKind {
        match self {
            Rule::Threshold { .. } => RuleKind::Threshold,
            Rule::Proportional => RuleKind::Proportional,
            Rule::ProportionalWithBonus { .. } => RuleKind::ProportionalWithBonus,
            Rule::DeductionPerShortfall { .. } => RuleKind::DeductionPerShortfall,
            Rule::LowerIsBetter { .. } => RuleKind::LowerIsBetter,
            Rule::Judged => RuleKind::Judged,
            Rule::Event { .. } => RuleKind::Event,
        }
    }

    /// The parameters' canonical text, `key=value;key=value` (empty when there are none).
    pub fn params_text(&self) -> String {
        let pairs: Vec<(&str, Decimal)> = match self {
            Rule::Threshold { partial } => {
                partial.map(|p| vec![("partial", p)]).unwrap_or_default()
            }
            Rule::Proportional | Rule::Judged => vec![],
            Rule::ProportionalWithBonus { bonus_per_percent } => {
                vec![("bonus_per_percent", *bonus_per_percent)]
            }
            Rule::DeductionPerShortfall {
                step_percent,
                deduction,
            } => {
                vec![("step_percent", *step_percent), ("deduction", *deduction)]
            }
            Rule::LowerIsBetter { deduction_per_unit } => {
                vec![("deduction_per_unit", *deduction_per_unit)]
            }
            Rule::Event { points, .. } => vec![("points", *points)],
        };
        let mut text: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", decimal::format(v)))
            .collect();
        if let Rule::Event {
            register: Some(code),
            ..
        } = self
        {
            text.push(format!("register={code}"));
        }
        text.join(";")
    }

    /// Builds a rule from its kind and parameter text; every problem is named on `field`.
    pub fn parse(kind: RuleKind, params: &str, field: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut found: Vec<(String, Decimal)> = Vec::new();
        let mut errors = Vec::new();
        let mut register = None;
        for pair in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                // The one parameter that is a code, not a number.
                Some((k, v)) if kind == RuleKind::Event && k.trim() == "register" => {
                    let code = v.trim();
                    // Whether a catalogue version has the entry is the store's to say.
                    if crate::award::catalogue::is_code(code) {
                        register = Some(code.to_owned());
                    } else {
                        errors.push(FieldViolation::new(
                            field,
                            crate::words!("register-not-a-code", code = crate::text::quote(code)),
                        ));
                    }
                }
                Some((k, v)) => match decimal::parse(field, v) {
                    Ok(d) => found.push((k.trim().to_owned(), d)),
                    Err(e) => errors.push(FieldViolation::new(
                        field,
                        crate::words!("parameter-bad", key = k.trim(), what => e.description),
                    )),
                },
                None => errors.push(FieldViolation::new(
                    field,
                    crate::words!("not-key-value", pair = pair),
                )),
            }
        }
        let allowed: &[&str] = match kind {
            RuleKind::Threshold => &["partial"],
            RuleKind::Proportional | RuleKind::Judged => &[],
            RuleKind::ProportionalWithBonus => &["bonus_per_percent"],
            RuleKind::DeductionPerShortfall => &["step_percent", "deduction"],
            RuleKind::LowerIsBetter => &["deduction_per_unit"],
            RuleKind::Event => &["points", "register"],
        };
        for (k, _) in &found {
            if !allowed.contains(&k.as_str()) {
                let expected = if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                };
                errors.push(FieldViolation::new(
                    field,
                    crate::words!(
                        "unknown-parameter",
                        key = k,
                        kind = kind,
                        expected = expected
                    ),
                ));
            }
        }
        let get = |k: &str| found.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
        // A malformed pair already explains a missing parameter; say it once.
        let malformed = !errors.is_empty();
        let mut required = |k: &str| match get(k) {
            Some(v) => Some(v),
            None => {
                if !malformed {
                    errors.push(FieldViolation::new(
                        field,
                        crate::words!("parameter-missing", kind = kind, key = k),
                    ));
                }
                None
            }
        };
        let rule = match kind {
            RuleKind::Threshold => Some(Rule::Threshold {
                partial: get("partial"),
            }),
            RuleKind::Proportional => Some(Rule::Proportional),
            RuleKind::Judged => Some(Rule::Judged),
            RuleKind::ProportionalWithBonus => required("bonus_per_percent")
                .map(|bonus_per_percent| Rule::ProportionalWithBonus { bonus_per_percent }),
            RuleKind::DeductionPerShortfall => {
                let step = required("step_percent");
                let deduction = required("deduction");
                step.zip(deduction)
                    .map(|(step_percent, deduction)| Rule::DeductionPerShortfall {
                        step_percent,
                        deduction,
                    })
            }
            RuleKind::LowerIsBetter => required("deduction_per_unit")
                .map(|deduction_per_unit| Rule::LowerIsBetter { deduction_per_unit }),
            RuleKind::Event => required("points").map(|points| Rule::Event { points, register }),
        };
        match rule {
            Some(rule) if errors.is_empty() => Ok(rule),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_round_trip_through_text() {
        let cases = [
            (RuleKind::Threshold, "partial=5"),
            (RuleKind::Threshold, ""),
            (RuleKind::ProportionalWithBonus, "bonus_per_percent=0.5"),
            (
                RuleKind::DeductionPerShortfall,
                "step_percent=10;deduction=1",
            ),
            (RuleKind::LowerIsBetter, "deduction_per_unit=2.5"),
            (RuleKind::Event, "points=-10"),
            (RuleKind::Judged, ""),
        ];
        for (kind, text) in cases {
            let rule =
                Rule::parse(kind, text, "p").unwrap_or_else(|e| panic!("{kind} {text}: {e:?}"));
            assert_eq!(rule.kind(), kind);
            assert_eq!(rule.params_text(), text);
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        assert!(Rule::parse(RuleKind::DeductionPerShortfall, "step_percent=10", "p").is_err());
        assert!(Rule::parse(RuleKind::Proportional, "partial=1", "p").is_err());
        assert!(Rule::parse(RuleKind::Event, "points=mười", "p").is_err());
        assert!(Rule::parse(RuleKind::Threshold, "partial", "p").is_err());
        assert!(RuleKind::parse_field("k", "tỷ lệ").is_err());
    }
}
