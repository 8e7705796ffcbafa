//! Criteria tables (bảng tiêu chí, thang điểm): versioned trees of groups → criteria →
//! sub-criteria with maximum points (điểm chuẩn), bonus caps and, on leaves, scoring rules.
//! A published version never changes; a correction is a new version.

mod rows;
mod rule;

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

pub use rows::{HEADINGS as TABLE_HEADINGS, TableRow, rows_from_sheet, rows_to_tree, tree_to_rows};
pub use rule::{Rule, RuleKind};

use crate::{
    decimal,
    error::{Error, FieldViolation, Reason, Violations},
    text,
    time::{Date, Timestamp},
    words,
};

/// Deepest level: group → criterion → sub-criterion.
pub const MAX_DEPTH: usize = 3;
/// Longest title accepted.
pub const MAX_TITLE_CHARS: usize = 500;
/// Longest metric (unit of measure) accepted.
pub const MAX_METRIC_CHARS: usize = 50;

/// A table's identity and settings, shared by its versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Id, the last segment of `criteriaTables/{id}`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The act that issued it, e.g. `Quyết định 1234/QĐ-UBND`.
    pub legal_act: String,
    /// Date of the act.
    pub legal_date: Option<Date>,
    /// Nominal total points (thang điểm), e.g. 100 or 1000.
    pub scale: Decimal,
    /// Rounding step (bước làm tròn), e.g. 0.01 or 0.5; every point value is a multiple.
    pub rounding_step: Decimal,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Whether a version may still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionState {
    /// Being edited.
    Draft,
    /// Issued: immutable.
    Published,
}

impl VersionState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::Published => "published",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(VersionState::Draft),
            "published" => Some(VersionState::Published),
            _ => None,
        }
    }
}

/// One version of a table with its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableVersion {
    /// The table.
    pub table_id: String,
    /// Version number, from 1.
    pub number: i32,
    /// Draft or published.
    pub state: VersionState,
    /// The groups, in order. Shared: a published version never changes, and the storage
    /// hands the same tree to every term scored with it instead of a copy each.
    pub groups: std::sync::Arc<[Criterion]>,
    /// When it was published.
    pub published_at: Option<Timestamp>,
    /// Last change.
    pub updated_at: Timestamp,
    /// Version of the row, the etag.
    pub etag: i64,
}

impl TableVersion {
    /// The resource name.
    pub fn resource(&self) -> String {
        version_resource(&self.table_id, self.number)
    }
}

/// Where an edit of a table's criteria is stored ([`TableVersion::edit_lands`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditLands {
    /// Replaces the draft `number`, whose etag must still be `expected`.
    Draft {
        /// The draft's number.
        number: i32,
        /// The etag it must have.
        expected: i64,
    },
    /// Starts version `number`.
    NewVersion {
        /// The new version's number.
        number: i32,
    },
}

/// The resource name of a table version.
pub fn version_resource(table_id: &str, number: i32) -> String {
    crate::names::VersionName::new(table_id, number).to_string()
}

impl TableVersion {
    /// Checks that this version may be published with `table`'s settings: it is a draft (a
    /// published version never changes), and its tree passes the whole-tree validation (every
    /// problem listed as `VERSION_INCOMPLETE`).
    pub fn check_publishable(&self, table: &Table) -> Result<(), Error> {
        if self.state == VersionState::Published {
            return Err(Error::precondition(
                Reason::VersionPublished,
                self.resource(),
                words!("version-already-published", version = self.resource()),
            ));
        }
        check_tree(
            table.scale,
            table.rounding_step,
            &self.groups,
            &Locator::Tree,
        )
        .map_err(|e| match e {
            Error::Invalid(v) => Error::Preconditions {
                reason: Reason::VersionIncomplete,
                description: words!("version-incomplete", version = self.resource()),
                violations: v.into_iter().map(|v| (v.field, v.description)).collect(),
            },
            other => other,
        })
    }

    /// Where an edit of the table lands when this is its latest version: a draft is replaced
    /// in place (at `etag`, or its current etag), a published version never changes, so the
    /// edit becomes the next version.
    pub fn edit_lands(&self, etag: Option<i64>) -> EditLands {
        match self.state {
            VersionState::Draft => EditLands::Draft {
                number: self.number,
                expected: etag.unwrap_or(self.etag),
            },
            VersionState::Published => EditLands::NewVersion {
                number: self.number + 1,
            },
        }
    }

    /// Checks that this version may be applied to a term: only a published version is.
    pub fn check_applicable(&self) -> Result<(), Error> {
        if self.state == VersionState::Published {
            return Ok(());
        }
        Err(Error::precondition(
            Reason::VersionNotPublished,
            self.resource(),
            words!("version-draft", version = self.resource()),
        ))
    }
}

/// A node of the tree: a group (depth 1), criterion (2) or sub-criterion (3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Criterion {
    /// Stable code: `I`, `I.2`, `I.2.a`; a child's code extends its parent's.
    pub code: String,
    /// Title.
    pub title: String,
    /// Maximum points (điểm chuẩn).
    pub max_points: Decimal,
    /// Cap on bonus points above the maximum, if any.
    pub bonus_cap: Option<Decimal>,
    /// The scoring rule; leaves only.
    pub rule: Option<Rule>,
    /// Unit of measure of the target (`%`, `triệu đồng`, `vụ`); quantitative rules only.
    pub metric: String,
    /// Failing it makes a unit ineligible for awards.
    pub mandatory: bool,
    /// A result needs evidence (minh chứng).
    pub evidence_required: bool,
    /// Children, in order.
    pub children: Vec<Criterion>,
}

/// Visits every node depth-first (groups, their criteria, sub-criteria): the order of a
/// member's scores.
pub fn walk<'a>(groups: &'a [Criterion], f: &mut impl FnMut(&'a Criterion)) {
    for n in groups {
        f(n);
        walk(&n.children, f);
    }
}

/// Visits every node as [`walk`] does, with its depth (1 for groups) and tree path, written
/// for each node: for validation, whose messages name the path.
pub fn walk_paths<'a>(groups: &'a [Criterion], f: &mut impl FnMut(&'a Criterion, usize, &str)) {
    fn go<'a>(
        nodes: &'a [Criterion],
        depth: usize,
        prefix: &str,
        f: &mut impl FnMut(&'a Criterion, usize, &str),
    ) {
        let list = match depth {
            1 => "groups",
            2 => "criteria",
            _ => "sub_criteria",
        };
        for (i, n) in nodes.iter().enumerate() {
            let path = if prefix.is_empty() {
                format!("{list}[{i}]")
            } else {
                format!("{prefix}.{list}[{i}]")
            };
            f(n, depth, &path);
            go(&n.children, depth + 1, &path, f);
        }
    }
    go(groups, 1, "", f);
}

/// The leaves whose rule compares a result with a target, in table order.
pub fn quantitative_leaves(groups: &[Criterion]) -> Vec<&Criterion> {
    let mut out = Vec::new();
    walk(groups, &mut |n| {
        if n.rule.as_ref().is_some_and(|r| r.kind().is_quantitative()) {
            out.push(n);
        }
    });
    out
}

/// How violations name a node: by tree path (`groups[1].criteria[0]`) or by spreadsheet row.
pub enum Locator<'a> {
    /// Tree paths, for API requests.
    Tree,
    /// `rows[i]`, for imports; the map gives each code's row.
    Rows(&'a HashMap<String, usize>),
}

impl Locator<'_> {
    fn field(&self, node: &Criterion, path: &str, field: &str) -> String {
        match self {
            Locator::Tree => {
                let f = match field {
                    "children" => return path.to_owned(),
                    "params" => "rule",
                    other => other,
                };
                format!("{path}.{f}")
            }
            Locator::Rows(rows) => {
                let col = match field {
                    "children" => "code",
                    other => other,
                };
                match rows.get(&node.code) {
                    Some(i) => format!("rows[{i}].{col}"),
                    None => format!("{path}.{col}"),
                }
            }
        }
    }
}

/// Checks a table's settings.
pub fn check_settings(scale: Decimal, step: Decimal) -> Result<(), Error> {
    let mut v = Violations::default();
    if step <= Decimal::ZERO {
        v.add("table.rounding_step", words!("table-step-positive"));
    }
    if scale <= Decimal::ZERO {
        v.add("table.scale", words!("table-scale-positive"));
    } else if step > Decimal::ZERO && !decimal::is_multiple(scale, step) {
        v.add(
            "table.scale",
            words!("not-a-multiple", value = scale, step = step),
        );
    }
    v.finish(())
}

/// Checks a whole tree against the table's scale and rounding step, reporting every violation.
pub fn check_tree(
    scale: Decimal,
    step: Decimal,
    groups: &[Criterion],
    locator: &Locator<'_>,
) -> Result<(), Error> {
    let mut v = Violations::default();
    if groups.is_empty() {
        v.add("groups", words!("table-no-group"));
    }
    let mut codes = HashSet::new();
    walk_paths(groups, &mut |n, depth, path| {
        let at = |field: &str| locator.field(n, path, field);
        check_node(n, depth, step, &at, &mut codes, &mut v);
    });
    let total: Decimal = groups.iter().map(|g| g.max_points).sum();
    if !groups.is_empty() && total != scale {
        v.add(
            "groups",
            words!("table-groups-total", total = total, scale = scale),
        );
    }
    v.finish(())
}

fn check_node(
    n: &Criterion,
    depth: usize,
    step: Decimal,
    at: &dyn Fn(&str) -> String,
    codes: &mut HashSet<String>,
    v: &mut Violations,
) {
    let segments: Vec<&str> = n.code.split('.').collect();
    let well_formed = segments
        .iter()
        .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if !well_formed {
        v.add(at("code"), words!("criterion-code-form", code = n.code));
    } else if segments.len() != depth {
        v.add(
            at("code"),
            words!(
                "criterion-code-level",
                code = n.code,
                parts = segments.len(),
                depth = depth
            ),
        );
    } else if !codes.insert(n.code.clone()) {
        v.add(at("code"), words!("criterion-code-twice", code = n.code));
    }
    for child in &n.children {
        if !child.code.starts_with(&format!("{}.", n.code)) {
            v.add(
                at("children"),
                words!("criterion-child-code", child = child.code, code = n.code),
            );
        }
    }
    if depth > MAX_DEPTH {
        v.add(at("code"), words!("criterion-too-deep", levels = MAX_DEPTH));
    }
    if text::required_name("title", &n.title, MAX_TITLE_CHARS).is_err() {
        v.add(
            at("title"),
            words!("criterion-title", max = MAX_TITLE_CHARS),
        );
    }
    check_points(v, at("max_points"), n.max_points, step, true);
    if let Some(cap) = n.bonus_cap {
        check_points(v, at("bonus_cap"), cap, step, false);
    }
    let children_total: Decimal = n.children.iter().map(|c| c.max_points).sum();
    if children_total > n.max_points {
        v.add(
            at("max_points"),
            words!(
                "criterion-children-total",
                total = children_total,
                max = n.max_points
            ),
        );
    }
    match (&n.rule, n.children.is_empty()) {
        (None, true) if depth == 1 => v.add(at("children"), words!("group-without-criteria")),
        (None, true) => v.add(at("rule"), words!("leaf-without-rule")),
        (Some(_), false) => v.add(at("rule"), words!("rule-on-a-parent")),
        (Some(_), true) if depth == 1 => v.add(at("rule"), words!("rule-on-a-group")),
        (Some(rule), true) => check_rule(n, rule, step, at, v),
        (None, false) => {}
    }
}

fn check_points(v: &mut Violations, field: String, value: Decimal, step: Decimal, zero_ok: bool) {
    if value < Decimal::ZERO || (!zero_ok && value.is_zero()) {
        v.add(
            field,
            if zero_ok {
                words!("points-not-negative", value = value)
            } else {
                words!("points-positive", value = value)
            },
        );
    } else if step > Decimal::ZERO && !decimal::is_multiple(value, step) {
        v.add(field, words!("not-a-multiple", value = value, step = step));
    }
}

fn check_rule(
    n: &Criterion,
    rule: &Rule,
    step: Decimal,
    at: &dyn Fn(&str) -> String,
    v: &mut Violations,
) {
    let kind = rule.kind();
    if kind.is_quantitative() {
        match text::required_name("metric", &n.metric, MAX_METRIC_CHARS) {
            Ok(_) => {}
            Err(_) => v.add(
                at("metric"),
                words!("rule-needs-metric", kind = kind, max = MAX_METRIC_CHARS),
            ),
        }
    }
    let params = at("params");
    match rule {
        Rule::Threshold { partial: Some(p) } => {
            check_points(v, params.clone(), *p, step, true);
            if *p > n.max_points {
                v.add(
                    params,
                    words!("partial-over-max", partial = p, max = n.max_points),
                );
            }
        }
        Rule::Threshold { partial: None } | Rule::Proportional => {}
        Rule::ProportionalWithBonus { bonus_per_percent } => {
            if *bonus_per_percent <= Decimal::ZERO {
                v.add(params, words!("bonus-per-percent-positive"));
            }
            if n.bonus_cap.is_none() {
                v.add(at("bonus_cap"), words!("bonus-needs-cap"));
            }
        }
        Rule::DeductionPerShortfall {
            step_percent,
            deduction,
        } => {
            if *step_percent <= Decimal::ZERO || *step_percent > Decimal::ONE_HUNDRED {
                v.add(params.clone(), words!("step-percent-range"));
            }
            check_points(v, params, *deduction, step, false);
        }
        Rule::LowerIsBetter { deduction_per_unit } => {
            check_points(v, params, *deduction_per_unit, step, false)
        }
        Rule::Judged => {
            if n.max_points.is_zero() {
                v.add(at("max_points"), words!("judged-needs-max"));
            }
        }
        Rule::Event { points, .. } => {
            if points.is_zero() {
                v.add(params.clone(), words!("event-points-zero"));
            } else if !decimal::is_multiple(points.abs(), step) {
                v.add(
                    params.clone(),
                    words!("not-a-multiple", value = points, step = step),
                );
            }
            if !n.max_points.is_zero() {
                v.add(at("max_points"), words!("event-max-zero"));
            }
            if let Some(cap) = n.bonus_cap
                && *points > cap
            {
                v.add(params, words!("event-over-cap", points = points, cap = cap));
            }
        }
    }
    if !kind.is_quantitative() && !n.metric.trim().is_empty() && kind != RuleKind::Judged {
        v.add(at("metric"), words!("rule-without-metric", kind = kind));
    }
}

/// Checks a table id: 1–63 of a-z, 0-9 and '-', starting with a letter.
pub fn check_table_id(field: &str, id: &str) -> Result<(), FieldViolation> {
    crate::cluster::check_cluster_id(field, id)
        .map_err(|_| FieldViolation::new(field, words!("table-id-form", id = id)))
}

#[cfg(test)]
mod tests;
