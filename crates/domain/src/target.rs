//! Targets (chỉ tiêu): for each quantitative criterion of a term's table, a default value and
//! per-member assigned values (chỉ tiêu giao), registered before the covenant is signed.

use rustc_hash::FxHashMap as HashMap;

use rust_decimal::Decimal;

use crate::{
    Reason, decimal,
    error::{Error, FieldViolation, Violations},
    term::Term,
    unit::UnitRef,
    words,
    words::Words,
};

/// A term's targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// Default value per criterion code, for members without an assigned value.
    pub defaults: HashMap<String, Decimal>,
    /// Assigned values by member, then criterion code; keyed so lookups borrow, not clone.
    pub assigned: HashMap<UnitRef, HashMap<String, Decimal>>,
}

impl Targets {
    /// Sets a member's assigned value.
    pub fn assign(&mut self, unit: UnitRef, code: String, value: Decimal) {
        self.assigned.entry(unit).or_default().insert(code, value);
    }

    /// A member's assigned value, if any.
    pub fn assigned_value(&self, unit: &UnitRef, code: &str) -> Option<Decimal> {
        self.assigned.get(unit).and_then(|m| m.get(code)).copied()
    }

    /// The value that applies to `unit` for `code`: its assigned value, else the default.
    pub fn effective(&self, unit: &UnitRef, code: &str) -> Option<Decimal> {
        self.assigned_value(unit, code)
            .or_else(|| self.defaults.get(code).copied())
    }

    /// Every (member, criterion) that has no value, members and codes in the order given.
    pub fn missing(&self, members: &[UnitRef], codes: &[String]) -> Vec<(UnitRef, String)> {
        members
            .iter()
            .flat_map(|m| codes.iter().map(move |c| (m, c)))
            .filter(|(m, c)| self.effective(m, c).is_none())
            .map(|(m, c)| (m.clone(), c.clone()))
            .collect()
    }
}

/// Refuses signing the covenant of `term` while any member lacks a target for a quantitative
/// criterion (`missing`: each (member, code) without one), naming each.
pub fn check_complete(term: &Term, missing: &[(UnitRef, String)]) -> Result<(), Error> {
    if missing.is_empty() {
        return Ok(());
    }
    let name = |u: &UnitRef| {
        term.members
            .iter()
            .find(|m| &m.unit == u)
            .map_or("", |m| m.name.as_str())
    };
    Err(Error::Preconditions {
        reason: Reason::TargetsMissing,
        description: words!(
            "targets-missing",
            count = missing.len(),
            term = term.resource()
        ),
        violations: missing
            .iter()
            .map(|(u, c)| {
                (
                    u.to_string(),
                    words!("target-missing", name = name(u), code = c),
                )
            })
            .collect(),
    })
}

/// One target to set: `unit` `None` is the default.
#[derive(Debug, Clone)]
pub struct TargetInput {
    /// Field path prefix for messages (`targets[3]` or `rows[3]`).
    pub at: String,
    /// Column name of the value, for messages (`value` or the criterion code).
    pub value_field: String,
    /// Member, or `None` for the default.
    pub unit: Option<UnitRef>,
    /// Criterion code.
    pub code: String,
    /// Value text.
    pub value: String,
}

/// A target checked and ready to store: (member or default, criterion code, value).
pub type CheckedTarget = (Option<UnitRef>, String, Decimal);

/// Checks targets before they are set: the term has a criteria table and its covenant is not
/// signed yet (what was signed is frozen); each code is a quantitative criterion of the table
/// (`codes`), each unit a member, each value a decimal ≥ 0. All of them or none: every bad
/// input is reported.
pub fn check_inputs(
    term: &Term,
    codes: &[String],
    inputs: &[TargetInput],
) -> Result<Vec<CheckedTarget>, Error> {
    if term.table.is_none() {
        return Err(Error::precondition(
            Reason::NoTable,
            term.resource(),
            words!("term-no-table", term = term.resource()),
        ));
    }
    term.ensure_unsigned(words!("frozen-targets"))?;
    let mut v = Violations::default();
    let mut ok = Vec::with_capacity(inputs.len());
    for t in inputs {
        let mut fine = true;
        if !codes.contains(&t.code) {
            v.add(
                format!("{}.criterion_code", t.at),
                words!("not-a-quantitative-criterion", code = t.code),
            );
            fine = false;
        }
        if let Some(why) = t.unit.as_ref().and_then(|u| term.not_a_member(u)) {
            v.add(format!("{}.unit", t.at), why);
            fine = false;
        }
        let field = format!("{}.{}", t.at, t.value_field);
        match decimal::parse(&field, &t.value) {
            Ok(d) if d < Decimal::ZERO => v.add(field, words!("negative", value = d)),
            Ok(d) if fine => ok.push((t.unit.clone(), t.code.clone(), d)),
            Ok(_) => {}
            Err(e) => v.add(e.field, e.description),
        }
    }
    v.finish(ok)
}

/// The headings of a targets sheet's first two columns, as written; `unit` and `name` are
/// read too.
pub const SHEET_HEADINGS: [&str; 2] = ["Mã đơn vị", "Tên đơn vị"];

/// Between a criterion's code and its title in a targets sheet's heading.
pub const CODE_TITLE_SEPARATOR: &str = " — ";

/// A targets sheet's heading for criterion `code` titled `title`: `I.1 — Thu ngân sách …`.
pub fn criterion_heading(code: &str, title: &str) -> String {
    format!("{code}{CODE_TITLE_SEPARATOR}{title}")
}

/// Reads a targets sheet (the member's code, its name, then one column per criterion — headed
/// by its code, or its code, ` — ` and its title; a `*` row holds the defaults) into inputs,
/// naming each member by code, or `scheme~code` where codes are shared. `rows` are (line,
/// cells) as read from the file. Returns the inputs and warnings (a code read zero-padded).
pub fn inputs_from_sheet(
    term: &Term,
    header: &[String],
    rows: &[(u32, Vec<String>)],
) -> Result<(Vec<TargetInput>, Vec<Words>), Error> {
    let is = |h: &str, name: &str, heading: &str| {
        let key = crate::text::search_key(h);
        key == name || key == crate::text::search_key(heading)
    };
    if !header
        .first()
        .is_some_and(|h| is(h, "unit", SHEET_HEADINGS[0]))
    {
        return Err(Error::Invalid(vec![FieldViolation::new(
            "content",
            words!("targets-sheet-columns"),
        )]));
    }
    let code_columns: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| !h.is_empty() && !is(h, "name", SHEET_HEADINGS[1]))
        .map(|(i, h)| {
            let code = h.split(CODE_TITLE_SEPARATOR).next().unwrap_or(h).trim();
            (i, code.to_owned())
        })
        .collect();
    let mut v = Violations::default();
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    for (i, (line, cells)) in rows.iter().enumerate() {
        let cell = |c: usize| cells.get(c).map(|s| s.trim()).unwrap_or_default();
        let who = cell(0);
        let unit = if who == "*" {
            None
        } else {
            match term.find_member_padded(who) {
                Ok((unit, warning)) => {
                    warnings.extend(warning.map(|w| words!("at-line", line = line, what => w)));
                    Some(unit.clone())
                }
                Err(why) => {
                    v.add(
                        format!("rows[{i}].unit"),
                        words!("at-line", line = line, what => why),
                    );
                    continue;
                }
            }
        };
        for (c, code) in &code_columns {
            let value = cell(*c);
            if !value.is_empty() {
                inputs.push(TargetInput {
                    at: format!("rows[{i}]"),
                    value_field: code.clone(),
                    unit: unit.clone(),
                    code: code.clone(),
                    value: value.to_owned(),
                });
            }
        }
    }
    v.finish((inputs, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Scheme;

    #[test]
    fn assigned_values_override_the_default_and_gaps_are_listed() {
        let phung_chi_kien = UnitRef::new(Scheme::Qd124_2004, "01843");
        let duc_xuan = UnitRef::new(Scheme::Qd124_2004, "01840");
        let mut t = Targets::default();
        t.assign(phung_chi_kien.clone(), "I.1".into(), Decimal::new(12500, 0));
        t.defaults.insert("II.1".into(), Decimal::ONE_HUNDRED);
        assert_eq!(
            t.effective(&phung_chi_kien, "I.1"),
            Some(Decimal::new(12500, 0))
        );
        assert_eq!(t.effective(&duc_xuan, "II.1"), Some(Decimal::ONE_HUNDRED));
        let missing = t.missing(
            &[phung_chi_kien, duc_xuan.clone()],
            &["I.1".into(), "II.1".into()],
        );
        assert_eq!(missing, [(duc_xuan, "I.1".to_owned())]);
    }

    #[test]
    fn targets_are_checked_whole_before_the_covenant_is_signed() {
        use crate::{
            covenant::CovenantStatus,
            fixtures::{term, unit},
        };
        let mut t = term(&["01843", "01840"]);
        let codes = vec!["I.1".to_owned(), "I.2".to_owned()];
        let input = |at: usize, unit: Option<UnitRef>, code: &str, value: &str| TargetInput {
            at: format!("targets[{at}]"),
            value_field: "value".into(),
            unit,
            code: code.into(),
            value: value.into(),
        };
        let good = [
            input(0, None, "I.2", "120"),
            input(1, Some(unit("01843")), "I.1", "12500"),
        ];
        assert!(matches!(
            check_inputs(&t, &codes, &good),
            Err(Error::FailedPrecondition {
                reason: Reason::NoTable,
                ..
            })
        ));
        t.table = Some(("bac-kan-2022".into(), 1));
        let checked = check_inputs(&t, &codes, &good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.len(), 2);
        let bad = [
            input(0, Some(unit("01855")), "I.1", "1"),
            input(1, None, "II.9", "1"),
            input(2, None, "I.1", "-3"),
            input(3, None, "I.1", "mười"),
        ];
        let Err(Error::Invalid(v)) = check_inputs(&t, &codes, &bad) else {
            panic!("bad inputs must be refused");
        };
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "targets[0].unit",
                "targets[1].criterion_code",
                "targets[2].value",
                "targets[3].value"
            ]
        );
        t.covenant_status = CovenantStatus::PartlySigned;
        assert!(matches!(
            check_inputs(&t, &codes, &good),
            Err(Error::FailedPrecondition {
                reason: Reason::CovenantSigned,
                ..
            })
        ));
    }

    #[test]
    fn signing_waits_for_every_target() {
        use crate::fixtures::{term, unit};
        let t = term(&["01843", "01840"]);
        assert!(check_complete(&t, &[]).is_ok());
        let Err(Error::Preconditions {
            reason, violations, ..
        }) = check_complete(&t, &[(unit("01840"), "I.1".to_owned())])
        else {
            panic!("a missing target must block signing");
        };
        assert_eq!(reason, Reason::TargetsMissing);
        assert!(violations[0].1.contains("Đức Xuân"), "{violations:?}");
    }

    #[test]
    fn a_targets_sheet_names_members_by_code() {
        use crate::fixtures::{term, unit};
        let t = term(&["01843", "01840"]);
        let header: Vec<String> = ["unit", "name", "I.1", "I.2"].map(String::from).to_vec();
        let row =
            |line: u32, cells: &[&str]| (line, cells.iter().map(|c| (*c).to_owned()).collect());
        let (inputs, warnings) = inputs_from_sheet(
            &t,
            &header,
            &[
                row(2, &["*", "(mặc định)", "", "120"]),
                row(3, &["01843", "Phùng Chí Kiên", "12500", ""]),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[0].unit, None);
        assert_eq!(inputs[1].unit, Some(unit("01843")));
        assert!(warnings.is_empty());
        // As an officer's Excel writes it back: Vietnamese headings with titles, and a code
        // turned into a number.
        let vietnamese: Vec<String> = [
            "Mã đơn vị",
            "Tên đơn vị",
            "I.1 — Thu ngân sách đạt và vượt chỉ tiêu giao",
            "I.2",
        ]
        .map(String::from)
        .to_vec();
        let (inputs, warnings) = inputs_from_sheet(
            &t,
            &vietnamese,
            &[row(3, &["1843", "Phùng Chí Kiên", "12500", ""])],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inputs[0].unit, Some(unit("01843")));
        assert_eq!(inputs[0].code, "I.1");
        assert!(
            warnings.len() == 1
                && warnings[0]
                    .to_string()
                    .starts_with("line 3: \"1843\" read as \"01843\""),
            "{warnings:?}"
        );
        let Err(Error::Invalid(v)) =
            inputs_from_sheet(&t, &header, &[row(4, &["01855", "Xuất Hóa", "1", "1"])])
        else {
            panic!("a non-member's row must be refused");
        };
        assert!(v[0].description.to_string().starts_with("line 4:"), "{v:?}");
        assert!(inputs_from_sheet(&t, &["code".to_owned()], &[]).is_err());
    }
}
