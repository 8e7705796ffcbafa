//! Conversions of criteria tables, versions and targets.

use thidua_domain::{Error, FieldViolation, error::Violations};
use thidua_proto::v1 as pb;

use super::{date_out, etag, time_out};

/// Reads a required decimal.
pub fn decimal_in(
    field: &str,
    d: Option<&pb::Decimal>,
) -> Result<rust_decimal::Decimal, FieldViolation> {
    match d {
        Some(pb::Decimal { value }) => thidua_domain::decimal::parse(field, value),
        None => Err(FieldViolation::new(
            field,
            thidua_domain::words!("required"),
        )),
    }
}

/// Reads an optional decimal: unset or empty is `None`.
pub fn optional_decimal_in(
    field: &str,
    d: Option<&pb::Decimal>,
) -> Result<Option<rust_decimal::Decimal>, FieldViolation> {
    match d {
        Some(pb::Decimal { value }) => thidua_domain::decimal::parse_optional(field, value),
        None => Ok(None),
    }
}

/// Writes a decimal.
pub fn decimal_out(d: rust_decimal::Decimal) -> Option<pb::Decimal> {
    Some(pb::Decimal {
        value: thidua_domain::decimal::format(d),
    })
}

fn rule_in(
    field: &str,
    rule: Option<&pb::Rule>,
    v: &mut Violations,
) -> Option<thidua_domain::criteria::Rule> {
    use thidua_domain::criteria::Rule;
    let pb::Rule {
        kind,
        partial_points,
        bonus_per_percent,
        step_percent,
        deduction,
        deduction_per_unit,
        points,
        register_entry,
    } = rule?;
    let kind = pb::RuleKind::try_from(*kind).unwrap_or(pb::RuleKind::Unspecified);
    let params: [(&str, &Option<pb::Decimal>, bool); 6] = [
        (
            "partial_points",
            partial_points,
            kind == pb::RuleKind::Threshold,
        ),
        (
            "bonus_per_percent",
            bonus_per_percent,
            kind == pb::RuleKind::ProportionalWithBonus,
        ),
        (
            "step_percent",
            step_percent,
            kind == pb::RuleKind::DeductionPerShortfall,
        ),
        (
            "deduction",
            deduction,
            kind == pb::RuleKind::DeductionPerShortfall,
        ),
        (
            "deduction_per_unit",
            deduction_per_unit,
            kind == pb::RuleKind::LowerIsBetter,
        ),
        ("points", points, kind == pb::RuleKind::Event),
    ];
    for (name, value, allowed) in &params {
        if value.is_some() && !allowed {
            v.add(
                format!("{field}.{name}"),
                thidua_domain::words!("not-a-parameter-of", kind = kind.as_str_name()),
            );
        }
    }
    let mut req = |name: &str, d: &Option<pb::Decimal>| {
        v.check(decimal_in(&format!("{field}.{name}"), d.as_ref()))
    };
    match kind {
        pb::RuleKind::Unspecified => {
            v.add(
                format!("{field}.kind"),
                thidua_domain::words!("rule-kind-required"),
            );
            None
        }
        pb::RuleKind::Threshold => v
            .check(optional_decimal_in(
                &format!("{field}.partial_points"),
                partial_points.as_ref(),
            ))
            .map(|partial| Rule::Threshold { partial }),
        pb::RuleKind::Proportional => Some(Rule::Proportional),
        pb::RuleKind::ProportionalWithBonus => req("bonus_per_percent", bonus_per_percent)
            .map(|bonus_per_percent| Rule::ProportionalWithBonus { bonus_per_percent }),
        pb::RuleKind::DeductionPerShortfall => {
            let s = req("step_percent", step_percent);
            let d = req("deduction", deduction);
            s.zip(d)
                .map(|(step_percent, deduction)| Rule::DeductionPerShortfall {
                    step_percent,
                    deduction,
                })
        }
        pb::RuleKind::LowerIsBetter => req("deduction_per_unit", deduction_per_unit)
            .map(|deduction_per_unit| Rule::LowerIsBetter { deduction_per_unit }),
        pb::RuleKind::Judged => Some(Rule::Judged),
        pb::RuleKind::Event => {
            let register =
                (!register_entry.trim().is_empty()).then(|| register_entry.trim().to_owned());
            let points = req("points", points);
            if let Some(code) = &register
                && !thidua_domain::award::catalogue::is_code(code)
            {
                v.add(
                    format!("{field}.register_entry"),
                    thidua_domain::words!("register-not-a-code", code = code),
                );
            }
            points.map(|points| Rule::Event { points, register })
        }
    }
}

fn rule_out(rule: &thidua_domain::criteria::Rule) -> pb::Rule {
    use thidua_domain::criteria::Rule;
    let mut out = pb::Rule {
        kind: 0,
        partial_points: None,
        bonus_per_percent: None,
        step_percent: None,
        deduction: None,
        deduction_per_unit: None,
        points: None,
        register_entry: String::new(),
    };
    out.kind = match rule {
        Rule::Threshold { partial } => {
            out.partial_points = partial.and_then(decimal_out);
            pb::RuleKind::Threshold
        }
        Rule::Proportional => pb::RuleKind::Proportional,
        Rule::ProportionalWithBonus { bonus_per_percent } => {
            out.bonus_per_percent = decimal_out(*bonus_per_percent);
            pb::RuleKind::ProportionalWithBonus
        }
        Rule::DeductionPerShortfall {
            step_percent,
            deduction,
        } => {
            out.step_percent = decimal_out(*step_percent);
            out.deduction = decimal_out(*deduction);
            pb::RuleKind::DeductionPerShortfall
        }
        Rule::LowerIsBetter { deduction_per_unit } => {
            out.deduction_per_unit = decimal_out(*deduction_per_unit);
            pb::RuleKind::LowerIsBetter
        }
        Rule::Judged => pb::RuleKind::Judged,
        Rule::Event { points, register } => {
            out.points = decimal_out(*points);
            out.register_entry = register.clone().unwrap_or_default();
            pb::RuleKind::Event
        }
    }
    .into();
    out
}

fn criterion_in(
    path: &str,
    c: &pb::Criterion,
    v: &mut Violations,
) -> thidua_domain::criteria::Criterion {
    let pb::Criterion {
        code,
        title,
        max_points,
        bonus_cap,
        rule,
        metric,
        mandatory,
        evidence_required,
        sub_criteria,
    } = c;
    thidua_domain::criteria::Criterion {
        code: code.trim().to_owned(),
        title: thidua_domain::text::normalize(title),
        max_points: v
            .check(decimal_in(
                &format!("{path}.max_points"),
                max_points.as_ref(),
            ))
            .unwrap_or_default(),
        bonus_cap: v
            .check(optional_decimal_in(
                &format!("{path}.bonus_cap"),
                bonus_cap.as_ref(),
            ))
            .flatten(),
        rule: rule_in(&format!("{path}.rule"), rule.as_ref(), v),
        metric: thidua_domain::text::normalize(metric),
        mandatory: *mandatory,
        evidence_required: *evidence_required,
        children: sub_criteria
            .iter()
            .enumerate()
            .map(|(i, s)| criterion_in(&format!("{path}.sub_criteria[{i}]"), s, v))
            .collect(),
    }
}

/// Reads a tree; decimal and rule-shape problems are reported by path, the rest is left to
/// the domain's validation.
pub fn groups_in(
    groups: &[pb::CriterionGroup],
) -> Result<Vec<thidua_domain::criteria::Criterion>, Error> {
    let mut v = Violations::default();
    let tree = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let pb::CriterionGroup {
                code,
                title,
                max_points,
                criteria,
            } = g;
            let path = format!("groups[{i}]");
            thidua_domain::criteria::Criterion {
                code: code.trim().to_owned(),
                title: thidua_domain::text::normalize(title),
                max_points: v
                    .check(decimal_in(
                        &format!("{path}.max_points"),
                        max_points.as_ref(),
                    ))
                    .unwrap_or_default(),
                children: criteria
                    .iter()
                    .enumerate()
                    .map(|(j, c)| criterion_in(&format!("{path}.criteria[{j}]"), c, &mut v))
                    .collect(),
                ..Default::default()
            }
        })
        .collect();
    v.finish(tree)
}

fn criterion_out(c: &thidua_domain::criteria::Criterion) -> pb::Criterion {
    pb::Criterion {
        code: c.code.clone(),
        title: c.title.clone(),
        max_points: decimal_out(c.max_points),
        bonus_cap: c.bonus_cap.and_then(decimal_out),
        rule: c.rule.as_ref().map(rule_out),
        metric: c.metric.clone(),
        mandatory: c.mandatory,
        evidence_required: c.evidence_required,
        sub_criteria: c.children.iter().map(criterion_out).collect(),
    }
}

/// Writes a table.
pub fn table_out(t: &thidua_domain::criteria::Table, latest: i32) -> pb::CriteriaTable {
    pb::CriteriaTable {
        name: format!("criteriaTables/{}", t.id),
        title: t.title.clone(),
        legal_act: t.legal_act.clone(),
        legal_date: date_out(t.legal_date),
        scale: decimal_out(t.scale),
        rounding_step: decimal_out(t.rounding_step),
        latest_version: latest,
        create_time: time_out(t.created_at),
    }
}

/// Writes a version (with its tree when it was loaded).
pub fn version_out(
    t: &thidua_domain::criteria::Table,
    latest: i32,
    v: &thidua_domain::criteria::TableVersion,
) -> pb::TableVersion {
    use thidua_domain::criteria::VersionState;
    pb::TableVersion {
        name: v.resource(),
        number: v.number,
        state: match v.state {
            VersionState::Draft => pb::VersionState::Draft,
            VersionState::Published => pb::VersionState::Published,
        }
        .into(),
        table: Some(table_out(t, latest)),
        groups: v
            .groups
            .iter()
            .map(|g| pb::CriterionGroup {
                code: g.code.clone(),
                title: g.title.clone(),
                max_points: decimal_out(g.max_points),
                criteria: g.children.iter().map(criterion_out).collect(),
            })
            .collect(),
        publish_time: v.published_at.and_then(time_out),
        update_time: time_out(v.updated_at),
        etag: etag(v.etag),
    }
}

/// Writes a term's targets.
pub fn targets_out(v: crate::app::targets::TargetsView) -> pb::TermTargets {
    let defaults = v
        .codes
        .iter()
        .filter_map(|c| {
            v.targets.defaults.get(c).map(|d| pb::Target {
                criterion_code: c.clone(),
                unit: String::new(),
                value: decimal_out(*d),
            })
        })
        .collect();
    let assigned = v
        .members
        .iter()
        .flat_map(|m| v.codes.iter().map(move |c| (m, c)))
        .filter_map(|(m, c)| {
            v.targets.assigned_value(&m.unit, c).map(|d| pb::Target {
                criterion_code: c.clone(),
                unit: m.unit.to_string(),
                value: decimal_out(d),
            })
        })
        .collect();
    pb::TermTargets {
        term: v.term,
        table_version: v
            .table
            .map(|(id, n)| thidua_domain::criteria::version_resource(&id, n))
            .unwrap_or_default(),
        defaults,
        assigned,
        missing: v
            .missing
            .into_iter()
            .map(|(u, c)| pb::MissingTarget {
                unit: u.to_string(),
                criterion_code: c,
            })
            .collect(),
    }
}
