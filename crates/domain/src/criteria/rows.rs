//! The spreadsheet layout of a criteria table: one row per node, parents before children,
//! columns `code, title, max_points, bonus_cap, rule, params, metric, mandatory, evidence` —
//! written under Vietnamese headings ([`HEADINGS`]) and read under either.

use std::collections::HashMap;

use super::{Criterion, Rule, RuleKind};
use crate::{
    decimal,
    error::{Error, FieldViolation},
    text, words,
    words::Words,
};

/// The column names, in order.
pub const COLUMNS: [&str; 9] = [
    "code",
    "title",
    "max_points",
    "bonus_cap",
    "rule",
    "params",
    "metric",
    "mandatory",
    "evidence",
];

/// The columns' headings as officers read them, in [`COLUMNS`] order; a file may use these or
/// the column names (diacritics and case aside).
pub const HEADINGS: [&str; 9] = [
    "Mã",
    "Nội dung tiêu chí",
    "Điểm tối đa",
    "Trần điểm thưởng",
    "Cách tính",
    "Tham số",
    "Đơn vị tính",
    "Bắt buộc",
    "Cần minh chứng",
];

/// Whether header cell `h` names column `i`: its name or its heading.
fn names_column(h: &str, i: usize) -> bool {
    let key = text::search_key(h);
    key == COLUMNS[i] || key == text::search_key(HEADINGS[i])
}

/// One row as text, exactly as in the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableRow {
    /// Line in the file, for messages.
    pub line: u32,
    /// Cells in [`COLUMNS`] order.
    pub cells: [String; 9],
}

/// Reads a sheet in this layout (header, then (line, cells) rows as read) into rows: the
/// header names every column, in any order, and no other; every problem with it is reported.
pub fn rows_from_sheet(
    header: &[String],
    lines: Vec<(u32, Vec<String>)>,
) -> Result<Vec<TableRow>, Error> {
    let positions: [Option<usize>; 9] =
        std::array::from_fn(|i| header.iter().position(|h| names_column(h, i)));
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&positions)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| *c)
        .collect();
    let unknown: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| !h.is_empty() && !(0..COLUMNS.len()).any(|i| names_column(h, i)))
        .collect();
    let mut v = Vec::new();
    if !missing.is_empty() {
        v.push(FieldViolation::new(
            "content",
            words!("columns-missing", columns = missing.join(", ")),
        ));
    }
    if !unknown.is_empty() {
        v.push(FieldViolation::new(
            "content",
            words!(
                "columns-unknown",
                columns = unknown.join(", "),
                expected = COLUMNS.join(", ")
            ),
        ));
    }
    if !v.is_empty() {
        return Err(Error::Invalid(v));
    }
    Ok(lines
        .into_iter()
        .map(|(line, cells)| TableRow {
            line,
            cells: std::array::from_fn(|i| {
                positions[i]
                    .and_then(|p| cells.get(p))
                    .cloned()
                    .unwrap_or_default()
            }),
        })
        .collect())
}

fn flag(field: &str, s: &str) -> Result<bool, FieldViolation> {
    match text::search_key(s).as_str() {
        "yes" | "y" | "x" | "true" | "1" | "co" => Ok(true),
        "no" | "n" | "" | "false" | "0" | "khong" => Ok(false),
        _ => Err(FieldViolation::new(
            field,
            words!("not-yes-or-no", value = s),
        )),
    }
}

/// Reads rows into a tree. Returns the tree and each code's row index (for messages), or every
/// row-level problem at once (`rows[3].max_points`).
pub fn rows_to_tree(rows: &[TableRow]) -> Result<(Vec<Criterion>, HashMap<String, usize>), Error> {
    let mut errors: Vec<FieldViolation> = Vec::new();
    if rows.is_empty() {
        return Err(Error::invalid("rows", words!("table-no-rows")));
    }
    // Nodes by code, and each node's parent code (None for groups).
    let mut nodes: Vec<(Criterion, Option<String>)> = Vec::with_capacity(rows.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let at = |col: &str| format!("rows[{i}].{col}");
        let line = row.line;
        let mut push = |field: String, d: Words| {
            errors.push(FieldViolation::new(
                field,
                words!("at-line", line = line, what => d),
            ))
        };
        let [
            code,
            title,
            max,
            cap,
            rule,
            params,
            metric,
            mandatory,
            evidence,
        ] = &row.cells;
        let code = code.trim().to_owned();
        let max_points = match decimal::parse(&at("max_points"), max) {
            Ok(d) => d,
            Err(e) => {
                push(e.field, e.description);
                Default::default()
            }
        };
        let bonus_cap = match decimal::parse_optional(&at("bonus_cap"), cap) {
            Ok(d) => d,
            Err(e) => {
                push(e.field, e.description);
                None
            }
        };
        let rule = if rule.trim().is_empty() {
            if !params.trim().is_empty() {
                push(at("params"), words!("params-without-rule"));
            }
            None
        } else {
            match RuleKind::parse_field(&at("rule"), rule) {
                Ok(kind) => match Rule::parse(kind, params, &at("params")) {
                    Ok(r) => Some(r),
                    Err(es) => {
                        for e in es {
                            push(e.field, e.description);
                        }
                        None
                    }
                },
                Err(e) => {
                    push(e.field, e.description);
                    None
                }
            }
        };
        let mandatory = flag(&at("mandatory"), mandatory).unwrap_or_else(|e| {
            push(e.field, e.description);
            false
        });
        let evidence_required = flag(&at("evidence"), evidence).unwrap_or_else(|e| {
            push(e.field, e.description);
            false
        });
        let parent = code.rsplit_once('.').map(|(p, _)| p.to_owned());
        if let Some(p) = &parent
            && !index.contains_key(p)
        {
            push(
                at("code"),
                words!("parent-row-later", parent = p, code = code),
            );
        }
        if index.contains_key(&code) {
            push(at("code"), words!("criterion-code-twice", code = code));
        } else {
            index.insert(code.clone(), i);
        }
        nodes.push((
            Criterion {
                code,
                title: text::normalize(title),
                max_points,
                bonus_cap,
                rule,
                metric: text::normalize(metric),
                mandatory,
                evidence_required,
                children: Vec::new(),
            },
            parent,
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    // Attach children to parents, last rows first, so each node is complete when it moves.
    let mut slots: Vec<Option<Criterion>> = nodes.iter().map(|(n, _)| Some(n.clone())).collect();
    for i in (0..nodes.len()).rev() {
        if let Some(parent) = &nodes[i].1
            && let Some(&p) = index.get(parent)
            && let Some(child) = slots[i].take()
            && let Some(parent_node) = slots[p].as_mut()
        {
            parent_node.children.insert(0, child);
        }
    }
    let groups = slots.into_iter().flatten().collect();
    Ok((groups, index))
}

/// Writes a tree as rows, parents before children (the inverse of [`rows_to_tree`]).
pub fn tree_to_rows(groups: &[Criterion]) -> Vec<TableRow> {
    let mut out = Vec::new();
    super::walk(groups, &mut |n| {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        out.push(TableRow {
            line: u32::try_from(out.len() + 2).unwrap_or(u32::MAX),
            cells: [
                n.code.clone(),
                n.title.clone(),
                decimal::format(n.max_points),
                n.bonus_cap.map(decimal::format).unwrap_or_default(),
                n.rule
                    .as_ref()
                    .map(|r| r.kind().as_str().to_owned())
                    .unwrap_or_default(),
                n.rule.as_ref().map(Rule::params_text).unwrap_or_default(),
                n.metric.clone(),
                yes_no(n.mandatory),
                yes_no(n.evidence_required),
            ],
        });
    });
    out
}
