//! Proto messages as printable sections.

use thidua_proto::v1 as pb;

use crate::output::Section;

/// A date as `YYYY-MM-DD`, or empty.
pub fn date(d: Option<&pb::Date>) -> String {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
        .unwrap_or_default()
}

/// An instant in Vietnam's time, RFC 3339 with its offset (`2022-04-28T08:00:00+07:00`), or
/// empty: officers read times as the clock on their wall shows them.
pub fn time(t: Option<&prost_types::Timestamp>) -> String {
    t.and_then(|t| {
        let micros = t
            .seconds
            .checked_mul(1_000_000)?
            .checked_add(i64::from(t.nanos) / 1_000)?;
        let v = thidua_domain::time::Timestamp(micros).in_vietnam()?;
        Some(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
            v.year(),
            u8::from(v.month()),
            v.day(),
            v.hour(),
            v.minute(),
            v.second()
        ))
    })
    .unwrap_or_default()
}

/// The short form of a unit name: `qd124-2004~01843`.
pub fn short_unit(name: &str) -> String {
    name.strip_prefix("units/").unwrap_or(name).to_owned()
}

fn enum_name(full: &str, prefix: &str) -> String {
    full.strip_prefix(prefix).unwrap_or(full).to_lowercase()
}

/// A unit kind's display form.
pub fn unit_kind(kind: i32) -> String {
    pb::UnitKind::try_from(kind)
        .map(|k| enum_name(k.as_str_name(), "UNIT_KIND_"))
        .unwrap_or_default()
}

/// A covenant status's display form.
pub fn covenant_status(s: i32) -> String {
    pb::CovenantStatus::try_from(s)
        .map(|k| enum_name(k.as_str_name(), "COVENANT_STATUS_"))
        .unwrap_or_default()
}

/// Units as a table.
pub fn units(units: &[pb::Unit]) -> Section {
    let mut s = Section::new(
        "units",
        vec![
            "name",
            "code",
            "display_name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
        ],
    );
    for u in units {
        s.row(vec![
            short_unit(&u.name),
            u.code.clone(),
            u.display_name.clone(),
            unit_kind(u.kind),
            short_unit(&u.parent),
            date(u.valid_from.as_ref()),
            date(u.valid_to.as_ref()),
        ]);
    }
    s
}

/// One unit.
pub fn unit(u: &pb::Unit) -> Section {
    Section::fields(
        "unit",
        vec![
            ("name", u.name.clone()),
            ("scheme", u.scheme.clone()),
            ("code", u.code.clone()),
            ("display_name", u.display_name.clone()),
            ("kind", unit_kind(u.kind)),
            ("parent", u.parent.clone()),
            ("valid_from", date(u.valid_from.as_ref())),
            ("valid_to", date(u.valid_to.as_ref())),
            ("etag", u.etag.clone()),
        ],
    )
}

/// Clusters as a table.
pub fn clusters(clusters: &[pb::Cluster]) -> Section {
    let mut s = Section::new(
        "clusters",
        vec!["name", "display_name", "kind", "organiser"],
    );
    for c in clusters {
        s.row(vec![
            c.name.clone(),
            c.display_name.clone(),
            pb::ClusterKind::try_from(c.kind)
                .map(|k| enum_name(k.as_str_name(), "CLUSTER_KIND_"))
                .unwrap_or_default(),
            short_unit(&c.organiser),
        ]);
    }
    s
}

/// A unit's earlier names, kinds and parents.
pub fn unit_periods(periods: &[pb::UnitPeriod]) -> Section {
    let mut s = Section::new("earlier", vec!["until", "display_name", "kind", "parent"]);
    for p in periods {
        s.row(vec![
            date(p.valid_until.as_ref()),
            p.display_name.clone(),
            unit_kind(p.kind),
            short_unit(&p.parent),
        ]);
    }
    s
}

/// A unit's record, year by year.
pub fn unit_history(years: &[pb::UnitHistoryYear]) -> Section {
    let mut s = Section::new(
        "history",
        vec![
            "year",
            "term",
            "unit",
            "display_name",
            "rank",
            "total",
            "classification",
            "awards",
        ],
    );
    for y in years {
        let awards: Vec<String> = y
            .awards
            .iter()
            .map(|a| format!("{} ({})", award_kind(a.kind), award_state(a.state)))
            .collect();
        s.row(vec![
            y.year.to_string(),
            y.term.clone(),
            short_unit(&y.unit),
            y.unit_display_name.clone(),
            if y.rank == 0 {
                String::new()
            } else {
                y.rank.to_string()
            },
            decimal(y.total.as_ref()),
            y.classification.clone(),
            awards.join(", "),
        ]);
    }
    s
}

/// Members that ceased and the successors that took their places in `term`.
pub fn successions(successions: &[pb::Succession], term: &pb::Term) -> Section {
    let mut s = Section::new("successions", vec!["unit", "successor", "successor_name"]);
    for x in successions {
        let name = term
            .members
            .iter()
            .find(|m| m.unit == x.successor)
            .map(|m| m.display_name.clone())
            .unwrap_or_default();
        s.row(vec![short_unit(&x.unit), short_unit(&x.successor), name]);
    }
    s
}

/// A cluster's transfers to successor organisers.
pub fn transfers(c: &pb::Cluster) -> Section {
    let mut s = Section::new(
        "transfers",
        vec![
            "effective_date",
            "from_organiser",
            "to_organiser",
            "legal_act",
        ],
    );
    for t in &c.transfers {
        s.row(vec![
            date(t.effective_date.as_ref()),
            short_unit(&t.from_organiser),
            short_unit(&t.to_organiser),
            t.legal_act.clone(),
        ]);
    }
    s
}

/// One cluster.
pub fn cluster(c: &pb::Cluster) -> Section {
    Section::fields(
        "cluster",
        vec![
            ("name", c.name.clone()),
            ("display_name", c.display_name.clone()),
            (
                "kind",
                pb::ClusterKind::try_from(c.kind)
                    .map(|k| enum_name(k.as_str_name(), "CLUSTER_KIND_"))
                    .unwrap_or_default(),
            ),
            ("organiser", c.organiser.clone()),
            ("description", c.description.clone()),
            ("etag", c.etag.clone()),
        ],
    )
}

fn method(m: i32) -> String {
    pb::LeadershipMethod::try_from(m)
        .map(|k| enum_name(k.as_str_name(), "LEADERSHIP_METHOD_"))
        .unwrap_or_default()
}

/// A term: its fields and its members.
pub fn term(t: &pb::Term) -> Vec<Section> {
    let names: std::collections::HashMap<&str, &str> = t
        .members
        .iter()
        .map(|m| (m.unit.as_str(), m.display_name.as_str()))
        .collect();
    let label = |unit: &str| match names.get(unit) {
        Some(n) => format!("{} ({n})", short_unit(unit)),
        None => short_unit(unit),
    };
    let leadership = t.leadership.clone().unwrap_or_default();
    let info = Section::fields(
        "term",
        vec![
            ("name", t.name.clone()),
            ("year", t.year.to_string()),
            ("organiser", short_unit(&t.organiser)),
            (
                "period",
                format!(
                    "{} – {}",
                    date(t.start_date.as_ref()),
                    date(t.end_date.as_ref())
                ),
            ),
            ("leader", label(&leadership.leader)),
            (
                "deputies",
                leadership
                    .deputies
                    .iter()
                    .map(|d| label(d))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ("chosen", method(leadership.method)),
            ("deciding_act", leadership.deciding_act.clone()),
            ("covenant", covenant_status(t.covenant_status)),
            ("stage", stage(t.stage)),
            ("table_version", t.table_version.clone()),
            ("etag", t.etag.clone()),
        ],
    );
    let mut members = Section::new("members", vec!["position", "unit", "display_name", "role"]);
    for m in &t.members {
        let role = if m.unit == leadership.leader {
            "leader"
        } else if leadership.deputies.contains(&m.unit) {
            "deputy"
        } else {
            ""
        };
        members.row(vec![
            m.rotation_position.to_string(),
            short_unit(&m.unit),
            m.display_name.clone(),
            role.to_owned(),
        ]);
    }
    vec![info, members]
}

/// A covenant: its fields, commitments, signatures and witnesses.
pub fn covenant(
    c: &pb::Covenant,
    member_names: &std::collections::HashMap<String, String>,
) -> Vec<Section> {
    let info = Section::fields(
        "covenant",
        vec![
            ("name", c.name.clone()),
            ("status", covenant_status(c.status)),
            ("theme", c.theme.clone()),
            ("place", c.place.clone()),
            ("signing_date", date(c.signing_date.as_ref())),
            ("text", c.text.clone()),
            ("etag", c.etag.clone()),
        ],
    );
    let mut commitments = Section::new("commitments", vec!["no", "commitment"]);
    for (i, text) in c.commitments.iter().enumerate() {
        commitments.row(vec![(i + 1).to_string(), text.clone()]);
    }
    vec![
        info,
        commitments,
        signatories(c, member_names),
        witnesses(c),
    ]
}

/// The signatures of a covenant.
pub fn signatories(
    c: &pb::Covenant,
    member_names: &std::collections::HashMap<String, String>,
) -> Section {
    let mut s = Section::new(
        "signatories",
        vec!["unit", "display_name", "signatory", "office", "signed_at"],
    );
    for sig in &c.signatures {
        s.row(vec![
            short_unit(&sig.unit),
            member_names.get(&sig.unit).cloned().unwrap_or_default(),
            sig.signatory_name.clone(),
            sig.signatory_title.clone(),
            time(sig.sign_time.as_ref()),
        ]);
    }
    s
}

/// The witnesses of a covenant.
pub fn witnesses(c: &pb::Covenant) -> Section {
    let mut s = Section::new("witnesses", vec!["person", "office", "unit"]);
    for w in &c.witnesses {
        s.row(vec![
            w.person_name.clone(),
            w.title.clone(),
            short_unit(&w.unit),
        ]);
    }
    s
}

/// A decimal's text, or empty.
pub fn decimal(d: Option<&pb::Decimal>) -> String {
    d.map(|d| d.value.clone()).unwrap_or_default()
}

/// A score layer's display form.
pub fn layer(l: i32) -> String {
    match pb::ScoreLayer::try_from(l).unwrap_or(pb::ScoreLayer::Unspecified) {
        pb::ScoreLayer::Results => "results".into(),
        pb::ScoreLayer::Self_ => "self".into(),
        pb::ScoreLayer::Review => "review".into(),
        pb::ScoreLayer::Adjustment | pb::ScoreLayer::Unspecified => "final".into(),
    }
}

/// An award kind's display form, e.g. `provincial_flag`.
pub fn award_kind(k: i32) -> String {
    pb::AwardKind::try_from(k)
        .map(|k| enum_name(k.as_str_name(), "AWARD_KIND_"))
        .unwrap_or_default()
}

/// An award state's display form, e.g. `awarded`.
pub fn award_state(s: i32) -> String {
    pb::AwardState::try_from(s)
        .map(|k| enum_name(k.as_str_name(), "AWARD_STATE_"))
        .unwrap_or_default()
}

/// A term stage's display form.
pub fn stage(s: i32) -> String {
    pb::TermStage::try_from(s)
        .map(|k| enum_name(k.as_str_name(), "TERM_STAGE_"))
        .unwrap_or_default()
}

/// A version state's display form.
pub fn version_state(s: i32) -> String {
    pb::VersionState::try_from(s)
        .map(|k| enum_name(k.as_str_name(), "VERSION_STATE_"))
        .unwrap_or_default()
}

/// One criteria table.
pub fn criteria_table(t: &pb::CriteriaTable) -> Section {
    Section::fields(
        "table",
        vec![
            ("name", t.name.clone()),
            ("title", t.title.clone()),
            ("legal_act", t.legal_act.clone()),
            ("legal_date", date(t.legal_date.as_ref())),
            ("scale", decimal(t.scale.as_ref())),
            ("rounding_step", decimal(t.rounding_step.as_ref())),
            ("latest_version", t.latest_version.to_string()),
        ],
    )
}

fn rule_text(r: Option<&pb::Rule>) -> (String, String) {
    let Some(r) = r else {
        return (String::new(), String::new());
    };
    let kind = pb::RuleKind::try_from(r.kind)
        .map(|k| enum_name(k.as_str_name(), "RULE_KIND_"))
        .unwrap_or_default();
    let params: Vec<String> = [
        ("partial", &r.partial_points),
        ("bonus_per_percent", &r.bonus_per_percent),
        ("step_percent", &r.step_percent),
        ("deduction", &r.deduction),
        ("deduction_per_unit", &r.deduction_per_unit),
        ("points", &r.points),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|d| format!("{k}={}", d.value)))
    .collect();
    (kind, params.join(";"))
}

fn criterion_rows(s: &mut Section, c: &pb::Criterion, depth: usize) {
    let (rule, params) = rule_text(c.rule.as_ref());
    let mut flags = Vec::new();
    if c.mandatory {
        flags.push("mandatory");
    }
    if c.evidence_required {
        flags.push("evidence");
    }
    s.row(vec![
        format!("{}{}", "  ".repeat(depth), c.code),
        c.title.clone(),
        decimal(c.max_points.as_ref()),
        decimal(c.bonus_cap.as_ref()),
        rule,
        params,
        c.metric.clone(),
        flags.join(","),
    ]);
    for sub in &c.sub_criteria {
        criterion_rows(s, sub, depth + 1);
    }
}

/// A version's tree, indented by level, with maxima.
pub fn tree(v: &pb::TableVersion) -> Section {
    let mut s = Section::new(
        "criteria",
        vec![
            "code",
            "title",
            "max",
            "bonus_cap",
            "rule",
            "params",
            "metric",
            "flags",
        ],
    );
    for g in &v.groups {
        s.row(vec![
            g.code.clone(),
            g.title.clone(),
            decimal(g.max_points.as_ref()),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        for c in &g.criteria {
            criterion_rows(&mut s, c, 1);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_in_vietnam_s_time() {
        let t = prost_types::Timestamp {
            seconds: 1_651_107_600,
            nanos: 0,
        };
        assert_eq!(time(Some(&t)), "2022-04-28T08:00:00+07:00");
        let late_evening = prost_types::Timestamp {
            seconds: 1_651_165_200,
            nanos: 0,
        };
        assert_eq!(
            time(Some(&late_evening)),
            "2022-04-29T00:00:00+07:00",
            "17:00 UTC is midnight in Hà Nội"
        );
    }
}
