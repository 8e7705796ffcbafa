//! Unit import: validates a whole GSO-style list at once, so every bad row is reported and
//! nothing is written unless all rows are good.

use std::collections::HashMap;

use crate::{
    error::{Error, FieldViolation, Violations},
    time::Validity,
    unit::{self, Scheme, Unit, UnitDraft, UnitKind, UnitRef},
};

/// One row of an import, as read from `code,name,kind,parent_code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Line in the client's file, for messages.
    pub line: u32,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind, CSV form.
    pub kind: String,
    /// Parent code in the same scheme, or empty.
    pub parent_code: String,
}

/// The columns of a units file, in the header's words.
pub const UNIT_COLUMNS: [&str; 4] = ["code", "name", "kind", "parent_code"];

/// Where the column `name` stands in `header` (cells trimmed, a byte-order mark ignored).
pub fn column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
}

/// The delimiter of a CSV file: `;` when its first line has more semicolons than commas
/// outside quotes (Excel in a Vietnamese locale writes `;`), `,` otherwise.
pub fn csv_delimiter(content: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0_usize, 0_usize, false);
    for &b in content.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// A cell of a row, empty when the row is short or the column absent.
pub fn cell(cells: &[String], at: Option<usize>) -> String {
    at.and_then(|i| cells.get(i))
        .map(|c| c.trim().to_owned())
        .unwrap_or_default()
}

/// Reads the rows of a units file (columns `code,name,kind,parent_code`, any order; (line,
/// cells) as read): the one layout the CLI sends and the demo loads.
pub fn unit_rows(header: &[String], lines: &[(u32, Vec<String>)]) -> Result<Vec<ImportRow>, Error> {
    let [code, name, kind, parent] = UNIT_COLUMNS.map(|c| column(header, c));
    if code.is_none() || name.is_none() || kind.is_none() || parent.is_none() {
        return Err(Error::invalid(
            "content",
            crate::words!("units-header", columns = UNIT_COLUMNS.join(",")),
        ));
    }
    Ok(lines
        .iter()
        .map(|(line, cells)| ImportRow {
            line: *line,
            code: cell(cells, code),
            name: cell(cells, name),
            kind: cell(cells, kind),
            parent_code: cell(cells, parent),
        })
        .collect())
}

/// What an import will do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// Units to create, parents before children.
    pub create: Vec<UnitDraft>,
    /// Rows identical to a stored unit.
    pub unchanged: usize,
}

/// Plans the import of `rows` into `scheme`, given the scheme's stored units by code.
/// Every violation is named by row index and column: `rows[3].parent_code`.
pub fn plan_import(
    scheme: Scheme,
    validity: Validity,
    rows: &[ImportRow],
    existing: &HashMap<String, Unit>,
) -> Result<ImportPlan, Error> {
    if rows.is_empty() {
        return Err(Error::invalid("rows", crate::words!("import-no-rows")));
    }
    // (row index, violation), sorted by row at the end so each row's problems read together.
    let mut found: Vec<(usize, FieldViolation)> = Vec::new();
    let mut first_line: HashMap<&str, u32> = HashMap::new();
    let mut kinds: HashMap<&str, UnitKind> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let code = row.code.trim();
        if let Ok(kind) = UnitKind::parse_field("", &row.kind) {
            kinds.entry(code).or_insert(kind);
        }
        if let Some(line) = first_line.get(code) {
            found.push((
                i,
                FieldViolation::new(
                    format!("rows[{i}].code"),
                    crate::words!(
                        "at-line",
                        line = row.line,
                        what => crate::words!("code-appears-on", code = code, first = line)
                    ),
                ),
            ));
        } else {
            first_line.insert(code, row.line);
        }
    }
    let mut plan = ImportPlan::default();
    for (i, row) in rows.iter().enumerate() {
        let at = |col: &str| format!("rows[{i}].{col}");
        let line = row.line;
        let mut local = Violations::default();
        let code = row.code.trim();
        let name = local.check(unit::validate_name(&at("name"), &row.name));
        let kind = local.check(UnitKind::parse_field(&at("kind"), &row.kind));
        if let Some(kind) = kind {
            local.check(unit::check_code(&at("code"), scheme, kind, code));
            let parent_code = row.parent_code.trim();
            let parent = if parent_code.is_empty() {
                Some(None)
            } else {
                let parent_ref = UnitRef::new(scheme, parent_code);
                let parent_kind = kinds
                    .get(parent_code)
                    .copied()
                    .or_else(|| existing.get(parent_code).map(|u| u.kind));
                match parent_kind {
                    Some(pk) => Some(Some((parent_ref, pk))),
                    None => {
                        local.add(
                            at("parent_code"),
                            crate::words!(
                                "unknown-parent-code",
                                code = parent_code,
                                scheme = scheme
                            ),
                        );
                        None
                    }
                }
            };
            if let Some(parent) = parent {
                local.check(unit::check_parent(
                    &at("parent_code"),
                    scheme,
                    kind,
                    parent.as_ref().map(|(r, k)| (r, *k)),
                ));
            }
        }
        if local.is_empty()
            && let (Some(name), Some(kind)) = (name, kind)
        {
            let parent_code = row.parent_code.trim();
            let draft = UnitDraft {
                id: UnitRef::new(scheme, code),
                name,
                kind,
                parent: (!parent_code.is_empty()).then(|| UnitRef::new(scheme, parent_code)),
                validity,
            };
            match existing.get(code) {
                Some(stored) if draft.same_as(stored) => plan.unchanged += 1,
                Some(stored) => found.push((
                    i,
                    FieldViolation::new(
                        at("code"),
                        crate::words!(
                            "at-line",
                            line = line,
                            what => crate::words!(
                                "unit-exists-differently",
                                unit = stored.id,
                                name = stored.name,
                                kind = stored.kind.as_str()
                            )
                        ),
                    ),
                )),
                None => plan.create.push(draft),
            }
        } else {
            for v in local.into_inner() {
                found.push((
                    i,
                    FieldViolation::new(
                        v.field,
                        crate::words!("at-line", line = line, what => v.description),
                    ),
                ));
            }
        }
    }
    if !found.is_empty() {
        found.sort_by_key(|(i, _)| *i);
        return Err(Error::Invalid(found.into_iter().map(|(_, v)| v).collect()));
    }
    plan.create = parents_first(plan.create);
    Ok(plan)
}

/// Orders drafts so that a parent created by the same import precedes its children, whatever
/// order the file used (the database checks parent references).
fn parents_first(drafts: Vec<UnitDraft>) -> Vec<UnitDraft> {
    let mut pending: HashMap<String, UnitDraft> = HashMap::new();
    let mut order = Vec::with_capacity(drafts.len());
    for d in drafts {
        order.push(d.id.code.clone());
        pending.insert(d.id.code.clone(), d);
    }
    let mut out = Vec::with_capacity(order.len());
    for code in order {
        let mut chain = Vec::new();
        let mut next = Some(code);
        while let Some(c) = next.take() {
            if let Some(d) = pending.remove(&c) {
                next = d.parent.as_ref().map(|p| p.code.clone());
                chain.push(d);
            }
        }
        out.extend(chain.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_told_from_the_header() {
        assert_eq!(csv_delimiter(b"code,name,kind\n01843;x,y"), b',');
        assert_eq!(
            csv_delimiter("\u{feff}code;name;kind\n01843,x".as_bytes()),
            b';'
        );
        assert_eq!(
            csv_delimiter(b"\"a;b;c\",name\n"),
            b',',
            "inside quotes it is text"
        );
    }

    #[test]
    fn a_units_file_is_read_by_its_header_names() {
        let header: Vec<String> = ["\u{feff}code", "parent_code", "name", "kind"]
            .map(String::from)
            .to_vec();
        let rows = unit_rows(
            &header,
            &[(
                2,
                ["01843", "058", " Phùng Chí Kiên ", "phuong"]
                    .map(String::from)
                    .to_vec(),
            )],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows[0].name, "Phùng Chí Kiên");
        assert_eq!(rows[0].parent_code, "058");
        assert_eq!(rows[0].line, 2);
        assert!(unit_rows(&["code".to_owned(), "name".to_owned()], &[]).is_err());
    }

    fn row(line: u32, code: &str, name: &str, kind: &str, parent: &str) -> ImportRow {
        ImportRow {
            line,
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            parent_code: parent.into(),
        }
    }

    fn bac_kan() -> Vec<ImportRow> {
        vec![
            row(2, "06", "Bắc Kạn", "tinh", ""),
            row(3, "058", "Bắc Kạn", "thanh_pho", "06"),
            row(4, "01843", "Phùng Chí Kiên", "phuong", "058"),
            row(5, "01852", "Nông Thượng", "xa", "058"),
        ]
    }

    #[test]
    fn a_good_list_is_planned_parents_first() {
        let plan = plan_import(
            Scheme::Qd124_2004,
            Validity::default(),
            &bac_kan(),
            &HashMap::new(),
        );
        let plan = plan.unwrap_or_default();
        assert_eq!(plan.create.len(), 4);
        assert_eq!(plan.create[2].name, "Phùng Chí Kiên");
        assert_eq!(
            plan.create[2].parent,
            Some(UnitRef::new(Scheme::Qd124_2004, "058"))
        );
    }

    #[test]
    fn children_listed_before_parents_are_reordered() {
        let mut rows = bac_kan();
        rows.reverse();
        let plan = plan_import(
            Scheme::Qd124_2004,
            Validity::default(),
            &rows,
            &HashMap::new(),
        )
        .unwrap_or_default();
        let codes: Vec<_> = plan.create.iter().map(|d| d.id.code.as_str()).collect();
        assert_eq!(codes, ["06", "058", "01852", "01843"]);
    }

    #[test]
    fn every_bad_row_is_reported_with_row_and_column() {
        let mut rows = bac_kan();
        rows.push(row(6, "01843", "Phùng Chí Kiên", "phuong", "058"));
        rows.push(row(7, "01840", "", "phuong", "058"));
        rows.push(row(8, "01846", "Huyền Tụng", "phuong", "999"));
        rows.push(row(9, "01849", "Dương Quang", "village", "058"));
        let Err(Error::Invalid(v)) = plan_import(
            Scheme::Qd124_2004,
            Validity::default(),
            &rows,
            &HashMap::new(),
        ) else {
            panic!("bad rows must be refused");
        };
        let fields: Vec<_> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rows[4].code",
                "rows[5].name",
                "rows[6].parent_code",
                "rows[7].kind"
            ]
        );
        assert!(v[0].description.contains("line 6"), "{}", v[0].description);
        assert!(
            v[0].description.contains("line 4"),
            "names the first occurrence: {}",
            v[0].description
        );
        assert!(v[2].description.contains("999"));
    }

    #[test]
    fn reimporting_is_unchanged_and_conflicts_are_refused() {
        let plan = plan_import(
            Scheme::Qd124_2004,
            Validity::default(),
            &bac_kan(),
            &HashMap::new(),
        )
        .unwrap_or_default();
        let existing: HashMap<String, Unit> = plan
            .create
            .into_iter()
            .map(|d| {
                let unit = Unit {
                    id: d.id.clone(),
                    name: d.name,
                    kind: d.kind,
                    parent: d.parent,
                    validity: d.validity,
                    created_at: crate::time::Timestamp(0),
                    updated_at: crate::time::Timestamp(0),
                    version: 1,
                };
                (d.id.code, unit)
            })
            .collect();
        let again = plan_import(
            Scheme::Qd124_2004,
            Validity::default(),
            &bac_kan(),
            &existing,
        );
        assert_eq!(
            again.ok().map(|p| (p.create.len(), p.unchanged)),
            Some((0, 4))
        );
        let mut changed = bac_kan();
        changed[2].name = "Phùng Chí Kiên Mới".into();
        assert!(plan_import(Scheme::Qd124_2004, Validity::default(), &changed, &existing).is_err());
    }
}
