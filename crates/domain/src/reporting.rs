//! Reporting results (báo cáo kết quả) and scoring them in layers (tự chấm, chấm chéo, điều
//! chỉnh): one report, a file of them, or one layer score, checked against the term and its
//! criteria table before anything is stored. An import is all or nothing: every bad row is
//! reported, by its line in the file.

use rustc_hash::FxHashMap as HashMap;

use rust_decimal::Decimal;

use crate::{
    criteria::{self, Criterion, Table, TableVersion},
    error::{Error, Violations},
    results::{Layer, LayerScore, ReportedResult, check_layer_score, check_result},
    stage::Action,
    term::Term,
    time::Timestamp,
    unit::UnitRef,
    words,
    words::Words,
};

/// One result as a member reports it.
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

/// The columns of a results file, in the header's words: the first three are required.
pub const RESULT_COLUMNS: [&str; 6] = [
    "unit",
    "criterion",
    "value",
    "evidence",
    "evidence_note",
    "explanation",
];

/// Reads the rows of a results file (columns `unit,criterion,value` and optionally
/// `evidence,evidence_note,explanation`, any order; (line, cells) as read): the one layout the
/// CLI sends and the demo loads.
pub fn result_rows(
    header: &[String],
    lines: &[(u32, Vec<String>)],
) -> Result<Vec<ImportRow>, Error> {
    use crate::import::{cell, column};
    let [unit, criterion, value, evidence, note, explanation] =
        RESULT_COLUMNS.map(|c| column(header, c));
    if unit.is_none() || criterion.is_none() || value.is_none() {
        return Err(Error::invalid(
            "content",
            words!("results-header", optional = RESULT_COLUMNS[3..].join(",")),
        ));
    }
    Ok(lines
        .iter()
        .map(|(line, cells)| ImportRow {
            line: *line,
            unit: cell(cells, unit),
            code: cell(cells, criterion),
            value: cell(cells, value),
            evidence_ref: cell(cells, evidence),
            evidence_note: cell(cells, note),
            explanation: cell(cells, explanation),
        })
        .collect())
}

/// The leaf criteria of `version` that carry a rule, by code.
fn leaves(version: &TableVersion) -> HashMap<&str, &Criterion> {
    let mut leaves = HashMap::default();
    criteria::walk(&version.groups, &mut |n| {
        if n.rule.is_some() {
            leaves.insert(n.code.as_str(), n);
        }
    });
    leaves
}

fn stored(
    unit: UnitRef,
    node: &Criterion,
    entry: crate::scoring::Entry,
    evidence_ref: &str,
    evidence_note: &str,
    explanation: &str,
    now: Timestamp,
) -> ReportedResult {
    ReportedResult {
        unit,
        code: node.code.clone(),
        revision: 0,
        entry,
        evidence_ref: evidence_ref.trim().to_owned(),
        evidence_note: evidence_note.trim().to_owned(),
        explanation: explanation.trim().to_owned(),
        submitted_at: now,
        late: false,
    }
}

/// Checks one report: the term takes reports in its stage, the unit is a member, the code is a
/// leaf criterion of the term's table, and the value and evidence are what its rule needs.
/// Returns the result to store (its revision is numbered when stored).
pub fn check_report(
    term: &Term,
    version: Option<&TableVersion>,
    r: &NewResult,
    now: Timestamp,
) -> Result<ReportedResult, Error> {
    term.stage.permit(Action::ReportResult, &term.resource())?;
    let version = term.with_table(version)?;
    let leaves = leaves(version);
    let mut v = Violations::default();
    if let Some(why) = term.not_a_member(&r.unit) {
        v.add("result.unit", why);
    }
    let node = leaves.get(r.code.as_str());
    if node.is_none() {
        v.add(
            "result.criterion_code",
            words!("not-a-leaf", code = r.code, version = version.resource()),
        );
    }
    v.finish(())?;
    let node = node.ok_or_else(|| Error::Internal("leaf vanished".into()))?;
    let entry = check_result(node, &r.value, &r.evidence_ref, &r.explanation, "result")
        .map_err(Error::Invalid)?;
    Ok(stored(
        r.unit.clone(),
        node,
        entry,
        &r.evidence_ref,
        &r.evidence_note,
        &r.explanation,
        now,
    ))
}

/// The warnings of an import's rows: members' codes a spreadsheet turned into numbers, read
/// zero-padded (as [`plan_import`] reads them).
pub fn padding_warnings(term: &Term, rows: &[ImportRow]) -> Vec<Words> {
    rows.iter()
        .filter_map(|r| {
            let (_, warning) = term.find_member_padded(&r.unit).ok()?;
            warning.map(|w| words!("at-line", line = r.line, what => w))
        })
        .collect()
}

/// Plans an import: the term takes reports in its stage, the file has rows, and each row names
/// one member (by code, or `scheme~code` where codes are shared) and a leaf criterion, with a
/// value and evidence as its rule needs. Every bad row is reported by line; while any is bad
/// nothing is to be stored. Returns the results to store, in file order. A member's code a
/// spreadsheet turned into a number is read zero-padded ([`padding_warnings`] says so).
pub fn plan_import(
    term: &Term,
    version: Option<&TableVersion>,
    rows: &[ImportRow],
    now: Timestamp,
) -> Result<Vec<ReportedResult>, Error> {
    term.stage.permit(Action::ReportResult, &term.resource())?;
    let version = term.with_table(version)?;
    if rows.is_empty() {
        return Err(Error::invalid("rows", words!("import-no-rows")));
    }
    let leaves = leaves(version);
    let mut v = Violations::default();
    let mut planned = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let at = format!("rows[{i}]");
        let line = r.line;
        let unit = term
            .find_member_padded(&r.unit)
            .map(|(unit, _)| unit)
            .map_err(|why| {
                v.add(
                    format!("{at}.unit"),
                    words!("at-line", line = line, what => why),
                )
            })
            .ok();
        let Some(node) = leaves.get(r.code.trim()) else {
            v.add(
                format!("{at}.criterion_code"),
                words!(
                    "at-line",
                    line = line,
                    what => words!("not-a-leaf", code = r.code, version = version.resource())
                ),
            );
            continue;
        };
        match check_result(node, &r.value, &r.evidence_ref, &r.explanation, &at) {
            Ok(entry) => {
                if let Some(unit) = unit {
                    planned.push(stored(
                        unit.clone(),
                        node,
                        entry,
                        &r.evidence_ref,
                        &r.evidence_note,
                        &r.explanation,
                        now,
                    ));
                }
            }
            Err(errors) => {
                for e in errors {
                    v.add(
                        e.field,
                        words!("at-line", line = line, what => e.description),
                    );
                }
            }
        }
    }
    v.finish(planned)
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

/// Checks a layer score: the term's stage takes scores of that layer (self-scores while
/// members score themselves, review scores and adjustments during review), the term has a
/// table, the unit is a member, the code a leaf criterion, and the points fit the criterion
/// and the table's rounding step. Returns the score to store (its sequence is numbered when
/// stored).
pub fn check_score(
    term: &Term,
    table: Option<(&Table, &TableVersion)>,
    s: &NewScore,
    now: Timestamp,
) -> Result<LayerScore, Error> {
    term.stage
        .permit(Action::record_score(s.layer), &term.resource())?;
    let (table, version) = term.with_table(table)?;
    term.require_member("unit", &s.unit)?;
    let node = leaves(version)
        .get(s.code.as_str())
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                "criterion_code",
                words!("not-a-leaf", code = s.code, version = version.resource()),
            )
        })?;
    check_layer_score(node, s.layer, s.points, &s.reason, table.rounding_step)
        .map_err(Error::Invalid)?;
    Ok(LayerScore {
        unit: s.unit.clone(),
        code: s.code.clone(),
        layer: s.layer,
        seq: 0,
        points: s.points,
        reason: s.reason.trim().to_owned(),
        recorded_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{table, term, unit},
        stage::Stage,
    };

    #[test]
    fn a_results_file_is_read_by_its_header_names() {
        let header: Vec<String> = ["criterion", "unit", "value", "evidence"]
            .map(String::from)
            .to_vec();
        let rows = result_rows(
            &header,
            &[(
                5,
                ["I.1", "01843", "13800", "Báo cáo 31/BC-UBND"]
                    .map(String::from)
                    .to_vec(),
            )],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (rows[0].unit.as_str(), rows[0].code.as_str()),
            ("01843", "I.1")
        );
        assert_eq!(rows[0].evidence_ref, "Báo cáo 31/BC-UBND");
        assert!(rows[0].explanation.is_empty());
        assert!(result_rows(&["unit".to_owned(), "value".to_owned()], &[]).is_err());
    }

    fn row(line: u32, unit: &str, code: &str, value: &str, evidence: &str) -> ImportRow {
        ImportRow {
            line,
            unit: unit.into(),
            code: code.into(),
            value: value.into(),
            evidence_ref: evidence.into(),
            evidence_note: String::new(),
            explanation: String::new(),
        }
    }

    fn reporting(codes: &[&str]) -> Term {
        Term {
            stage: Stage::Reporting,
            ..term(codes)
        }
    }

    #[test]
    fn an_import_is_planned_whole_or_refused_with_every_bad_line() {
        let t = reporting(&["01843", "01840"]);
        let version = table();
        let rows = [
            row(2, "01843", "I.1", "12500", "Báo cáo số 15/BC-UBND"),
            row(3, "qd124-2004~01840", "I.2", "118", ""),
        ];
        let planned = plan_import(&t, Some(&version), &rows, Timestamp(7));
        let planned = planned.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(planned.len(), 2);
        assert_eq!(planned[1].unit, unit("01840"));
        assert_eq!(planned[0].evidence_ref, "Báo cáo số 15/BC-UBND");

        let bad = [
            row(2, "01855", "I.2", "100", ""),
            row(3, "01843", "IX.9", "1", ""),
            row(4, "01843", "I.1", "12500", ""),
            row(5, "01840", "I.2", "-1", ""),
        ];
        let Err(Error::Invalid(violations)) = plan_import(&t, Some(&version), &bad, Timestamp(7))
        else {
            panic!("a bad file must be refused");
        };
        let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
        assert!(fields.contains(&"rows[0].unit"), "{fields:?}");
        assert!(fields.contains(&"rows[1].criterion_code"), "{fields:?}");
        assert!(
            fields.iter().any(|f| f.starts_with("rows[2]")),
            "{fields:?}"
        );
        assert!(
            fields.iter().any(|f| f.starts_with("rows[3]")),
            "{fields:?}"
        );
        assert!(
            violations
                .iter()
                .all(|v| v.description.to_string().starts_with("line ")),
            "each names its line: {violations:?}"
        );
    }

    #[test]
    fn reports_need_the_reporting_stage_a_table_and_rows() {
        let version = table();
        let rows = [row(2, "01843", "I.2", "100", "")];
        let setup = term(&["01843"]);
        assert!(matches!(
            plan_import(&setup, Some(&version), &rows, Timestamp(0)),
            Err(Error::FailedPrecondition {
                reason: crate::Reason::WrongStage,
                ..
            })
        ));
        let t = reporting(&["01843"]);
        assert!(matches!(
            plan_import(&t, None, &rows, Timestamp(0)),
            Err(Error::FailedPrecondition {
                reason: crate::Reason::NoTable,
                ..
            })
        ));
        assert!(matches!(
            plan_import(&t, Some(&version), &[], Timestamp(0)),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn one_report_names_a_member_and_a_leaf() {
        let t = reporting(&["01843"]);
        let version = table();
        let report = |unit_code: &str, code: &str| NewResult {
            unit: unit(unit_code),
            code: code.into(),
            value: "5".into(),
            evidence_ref: String::new(),
            evidence_note: String::new(),
            explanation: String::new(),
        };
        assert!(check_report(&t, Some(&version), &report("01843", "I.2"), Timestamp(0)).is_ok());
        let Err(Error::Invalid(v)) =
            check_report(&t, Some(&version), &report("01855", "I"), Timestamp(0))
        else {
            panic!("a non-member and a group must be refused");
        };
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["result.unit", "result.criterion_code"]);
    }
}
