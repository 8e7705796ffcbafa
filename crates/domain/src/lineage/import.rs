//! A whole reform's lineage at once (nhập liên kết kế thừa): a file of `legacy_code →
//! new code` rows, checked whole before anything is stored.
//!
//! Two layouts are read: `legacy_code,code_2025,change,share` (communes: `change` is
//! `merged_into` or `split_into`, `share` is `whole`, `main` or `part`) and
//! `legacy_code,code_2025` (provinces: every row a whole merger). Every row is checked against
//! the units and the links already stored; each bad one is reported by its line and column.

use std::collections::{HashMap, HashSet};

use super::{LineageKind, LineageLink, Share};
use crate::{
    Error,
    error::FieldViolation,
    import::{cell, column},
    time::Date,
    unit::{Scheme, Unit, UnitRef},
    words::Words,
};

/// One row of a lineage file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageRow {
    /// Its line in the file (the header is line 1).
    pub line: u32,
    /// The unit that ceased, in the file's old scheme.
    pub legacy_code: String,
    /// The unit it went into, in the new scheme.
    pub new_code: String,
    /// `merged_into` or `split_into`.
    pub kind: LineageKind,
    /// How much of it.
    pub share: Share,
}

/// The columns of the two layouts.
const LEGACY: &str = "legacy_code";
const NEW: &str = "code_2025";
const CHANGE: &str = "change";
const SHARE: &str = "share";

/// A violation of row `i` (file line `line`) in `column`, with its line to sort by.
fn row_error(i: usize, column: &str, line: u32, what: Words) -> (u32, FieldViolation) {
    (
        line,
        FieldViolation::new(
            format!("rows[{i}].{column}"),
            crate::words!("at-line", line = line, what => what),
        ),
    )
}

/// The violations in file order.
fn in_file_order(mut bad: Vec<(u32, FieldViolation)>) -> Error {
    bad.sort_by_key(|(line, _)| *line);
    Error::Invalid(bad.into_iter().map(|(_, v)| v).collect())
}

/// Reads the rows of a lineage file ((line, cells) as read); every bad cell is reported.
pub fn lineage_rows(
    header: &[String],
    lines: &[(u32, Vec<String>)],
) -> Result<Vec<LineageRow>, Error> {
    let (legacy, new) = (column(header, LEGACY), column(header, NEW));
    let (change, share) = (column(header, CHANGE), column(header, SHARE));
    if legacy.is_none() || new.is_none() || change.is_some() != share.is_some() {
        return Err(Error::invalid("content", crate::words!("lineage-header")));
    }
    let mut rows = Vec::with_capacity(lines.len());
    let mut bad = Vec::new();
    for (i, (line, cells)) in lines.iter().enumerate() {
        let line = *line;
        let (kind, row_share) = if change.is_none() {
            (Some(LineageKind::MergedInto), Some(Share::Whole))
        } else {
            let text = cell(cells, change);
            let kind = match text.as_str() {
                "merged_into" => Some(LineageKind::MergedInto),
                "split_into" => Some(LineageKind::SplitInto),
                _ => {
                    bad.push(row_error(
                        i,
                        CHANGE,
                        line,
                        crate::words!("lineage-change-form", change = crate::text::quote(&text)),
                    ));
                    None
                }
            };
            let text = cell(cells, share);
            let row_share = match (kind, text.parse::<Share>()) {
                (Some(LineageKind::MergedInto), Ok(Share::Whole)) => Some(Share::Whole),
                (Some(LineageKind::SplitInto), Ok(s @ (Share::Main | Share::Part))) => Some(s),
                (None, _) => None,
                _ => {
                    bad.push(row_error(
                        i,
                        SHARE,
                        line,
                        crate::words!("lineage-share-form", share = crate::text::quote(&text)),
                    ));
                    None
                }
            };
            (kind, row_share)
        };
        let (legacy_code, new_code) = (cell(cells, legacy), cell(cells, new));
        for (code, name) in [(&legacy_code, LEGACY), (&new_code, NEW)] {
            if code.is_empty() {
                bad.push(row_error(i, name, line, crate::words!("code-empty")));
            }
        }
        if let (Some(kind), Some(share)) = (kind, row_share) {
            rows.push(LineageRow {
                line,
                legacy_code,
                new_code,
                kind,
                share,
            });
        }
    }
    if bad.is_empty() {
        Ok(rows)
    } else {
        Err(in_file_order(bad))
    }
}

/// What importing a lineage file changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineagePlan {
    /// Links to store.
    pub links: Vec<(UnitRef, UnitRef, LineageKind, Share)>,
    /// Units that cease on the date (their validity ends then).
    pub ending: Vec<UnitRef>,
    /// Rows whose link is already stored.
    pub unchanged: usize,
}

/// Plans the import of `rows` from scheme `from` to scheme `to` on `date`, against `units`
/// (every unit the rows name that exists, by reference) and `stored` (the links already
/// recorded for those units). Refused, with every bad row, when a code is unknown in its scheme,
/// a unit is not valid on the date, a divided unit has not exactly one `main` successor, a unit
/// both merges and divides, or a row contradicts a stored link (another successor, or another
/// date for the same unit's end).
pub fn plan_lineage_import(
    rows: &[LineageRow],
    from: Scheme,
    to: Scheme,
    date: Date,
    units: &HashMap<UnitRef, Unit>,
    stored: &[LineageLink],
) -> Result<LineagePlan, Error> {
    let mut bad = Vec::new();
    let mut plan = LineagePlan::default();
    // The stored ends of each unit: a unit has few links, a reform many units.
    let mut ends_of: HashMap<&UnitRef, Vec<&LineageLink>> = HashMap::new();
    for link in stored.iter().filter(|l| l.kind.ends_subject()) {
        ends_of.entry(&link.unit).or_default().push(link);
    }
    // What each legacy unit becomes, row by row: (row index, kind, share).
    let mut by_legacy: HashMap<&str, Vec<(usize, LineageKind, Share)>> = HashMap::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let old = UnitRef::new(from, &row.legacy_code);
        let new = UnitRef::new(to, &row.new_code);
        let mut ok = true;
        match units.get(&old) {
            None => {
                ok = false;
                bad.push(row_error(
                    i,
                    LEGACY,
                    row.line,
                    crate::words!(
                        "not-a-unit-of",
                        code = crate::text::quote(&row.legacy_code),
                        scheme = from.as_str()
                    ),
                ));
            }
            Some(u)
                if u.validity.from.is_some_and(|f| f >= date)
                    || u.validity.to.is_some_and(|t| t < date) =>
            {
                ok = false;
                bad.push(row_error(
                    i,
                    LEGACY,
                    row.line,
                    crate::words!("lineage-not-valid-until", unit = old, date => date.words()),
                ));
            }
            Some(_) => {}
        }
        match units.get(&new) {
            None => {
                ok = false;
                bad.push(row_error(
                    i,
                    NEW,
                    row.line,
                    crate::words!(
                        "not-a-unit-of",
                        code = crate::text::quote(&row.new_code),
                        scheme = to.as_str()
                    ),
                ));
            }
            Some(u) if !u.validity.contains(date) => {
                ok = false;
                bad.push(row_error(
                    i,
                    NEW,
                    row.line,
                    crate::words!("unit-absent-on-date", unit = new, date => date.words()),
                ));
            }
            Some(_) => {}
        }
        if !seen.insert((row.legacy_code.as_str(), row.new_code.as_str())) {
            ok = false;
            bad.push(row_error(
                i,
                NEW,
                row.line,
                crate::words!("lineage-twice", old = old, new = new),
            ));
        }
        // A stored end of the legacy unit on another day, or into another unit on this one.
        for link in stored
            .iter()
            .filter(|l| l.unit == old && l.kind.ends_subject())
        {
            if link.effective_date != date {
                ok = false;
                bad.push(row_error(
                    i,
                    LEGACY,
                    row.line,
                    crate::words!(
                        "lineage-ceased-already",
                        unit = old,
                        date => link.effective_date.words(),
                        act = link.legal_act
                    ),
                ));
            }
        }
        if ok {
            by_legacy
                .entry(row.legacy_code.as_str())
                .or_default()
                .push((i, row.kind, row.share));
        }
    }
    for (legacy, successors) in &by_legacy {
        let kinds: HashSet<LineageKind> = successors.iter().map(|(_, k, _)| *k).collect();
        let first = successors[0].0;
        let line = rows[first].line;
        if kinds.len() > 1 {
            bad.push(row_error(
                first,
                CHANGE,
                line,
                crate::words!("lineage-merged-and-divided", unit = legacy),
            ));
            continue;
        }
        let mains = successors
            .iter()
            .filter(|(_, _, s)| *s == Share::Main)
            .count();
        if kinds.contains(&LineageKind::MergedInto) && successors.len() > 1 {
            bad.push(row_error(
                first,
                NEW,
                line,
                crate::words!(
                    "lineage-merged-into-many",
                    unit = legacy,
                    count = successors.len()
                ),
            ));
        } else if kinds.contains(&LineageKind::SplitInto) && mains != 1 {
            bad.push(row_error(
                first,
                SHARE,
                line,
                crate::words!("lineage-main-count", unit = legacy, mains = mains),
            ));
        }
    }
    // Against the stored links of the same date: the same link again is unchanged; another
    // successor of a unit that already has its links is a contradiction.
    let stored_on_date: HashMap<&UnitRef, Vec<&LineageLink>> = ends_of
        .iter()
        .map(|(unit, links)| {
            let on_date = links.iter().copied().filter(|l| l.effective_date == date);
            (*unit, on_date.collect())
        })
        .collect();
    let mut ended: HashSet<UnitRef> = HashSet::new();
    for successors in by_legacy.values() {
        for (i, kind, share) in successors {
            let row = &rows[*i];
            let old = UnitRef::new(from, &row.legacy_code);
            let new = UnitRef::new(to, &row.new_code);
            let existing = stored_on_date
                .get(&old)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let same = existing
                .iter()
                .any(|l| l.related == new && l.kind == *kind && l.share == *share);
            if same {
                plan.unchanged += 1;
            } else if !existing.is_empty()
                && existing.iter().all(|l| l.related != new)
                && *kind == LineageKind::MergedInto
            {
                bad.push(row_error(
                    *i,
                    NEW,
                    row.line,
                    crate::words!(
                        "lineage-recorded-other",
                        unit = old,
                        related = existing[0].related,
                        date => date.words()
                    ),
                ));
            } else if let Some(other) = existing.iter().find(|l| l.related == new) {
                bad.push(row_error(
                    *i,
                    CHANGE,
                    row.line,
                    crate::words!(
                        "lineage-recorded-as",
                        old = old,
                        new = new,
                        kind = other.kind.as_str(),
                        share = other.share.as_str()
                    ),
                ));
            } else {
                plan.links.push((old.clone(), new, *kind, *share));
            }
            let still_valid = units.get(&old).is_some_and(|u| u.validity.to.is_none());
            if still_valid && ended.insert(old.clone()) {
                plan.ending.push(old);
            }
        }
    }
    if !bad.is_empty() {
        return Err(in_file_order(bad));
    }
    plan.links.sort_by_key(|a| (a.0.key(), a.1.key()));
    plan.ending.sort_by_key(UnitRef::key);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        time::{Timestamp, Validity},
        unit::UnitKind,
    };

    fn date(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn unit(scheme: Scheme, code: &str, name: &str, from: Option<&str>) -> Unit {
        Unit {
            id: UnitRef::new(scheme, code),
            name: name.into(),
            kind: UnitKind::Ward,
            parent: None,
            validity: Validity {
                from: from.map(date),
                to: None,
            },
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            version: 1,
        }
    }

    /// Bắc Kạn city's eight wards and communes, and their three successors of 2025.
    fn bac_kan() -> HashMap<UnitRef, Unit> {
        let legacy = [
            ("01834", "Nguyễn Thị Minh Khai"),
            ("01837", "Sông Cầu"),
            ("01840", "Đức Xuân"),
            ("01843", "Phùng Chí Kiên"),
            ("01846", "Huyền Tụng"),
            ("01849", "Dương Quang"),
            ("01852", "Nông Thượng"),
            ("01855", "Xuất Hóa"),
        ]
        .map(|(c, n)| unit(Scheme::Qd124_2004, c, n, None));
        let new = [
            ("01840", "Đức Xuân"),
            ("01843", "Bắc Kạn"),
            ("01849", "Phong Quang"),
        ]
        .map(|(c, n)| unit(Scheme::Qd19_2025, c, n, Some("2025-07-01")));
        legacy
            .into_iter()
            .chain(new)
            .map(|u| (u.id.clone(), u))
            .collect()
    }

    fn sheet(text: &str) -> (Vec<String>, Vec<(u32, Vec<String>)>) {
        let mut lines = text.lines();
        let header = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::to_owned)
            .collect();
        let rows = lines
            .enumerate()
            .map(|(i, l)| {
                let line = u32::try_from(i).unwrap_or(0) + 2;
                (line, l.split(',').map(str::to_owned).collect())
            })
            .collect();
        (header, rows)
    }

    const BAC_KAN: &str = "legacy_code,code_2025,change,share
01834,01840,merged_into,whole
01837,01843,merged_into,whole
01840,01840,merged_into,whole
01843,01843,merged_into,whole
01846,01840,merged_into,whole
01849,01849,merged_into,whole
01852,01843,merged_into,whole
01855,01843,merged_into,whole";

    fn plan(text: &str, stored: &[LineageLink]) -> Result<LineagePlan, Error> {
        let (header, lines) = sheet(text);
        let rows = lineage_rows(&header, &lines)?;
        plan_lineage_import(
            &rows,
            Scheme::Qd124_2004,
            Scheme::Qd19_2025,
            date("2025-07-01"),
            &bac_kan(),
            stored,
        )
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Invalid(v) => v.into_iter().map(|v| v.field).collect(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn the_eight_units_of_bac_kan_city_go_into_three() {
        let p = plan(BAC_KAN, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.links.len(), p.ending.len(), p.unchanged), (8, 8, 0));
        let successors: HashSet<String> = p.links.iter().map(|l| l.1.key()).collect();
        assert_eq!(successors.len(), 3);
    }

    #[test]
    fn the_same_file_again_changes_nothing() {
        let first = plan(BAC_KAN, &[]).unwrap_or_else(|e| panic!("{e}"));
        let stored: Vec<LineageLink> = first
            .links
            .iter()
            .map(|(u, r, k, s)| LineageLink {
                id: u.key(),
                kind: *k,
                unit: u.clone(),
                related: r.clone(),
                share: *s,
                legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
                effective_date: date("2025-07-01"),
                note: String::new(),
                created_at: Timestamp(0),
            })
            .collect();
        let again = plan(BAC_KAN, &stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((again.links.len(), again.unchanged), (0, 8));
        // Another successor for a unit already recorded is a contradiction.
        let other = BAC_KAN.replace("01852,01843", "01852,01849");
        assert_eq!(
            fields(plan(&other, &stored).err().unwrap_or(Error::Cancelled)),
            ["rows[6].code_2025"]
        );
    }

    #[test]
    fn every_bad_row_is_named_by_line_and_column() {
        let bad = "legacy_code,code_2025,change,share
01834,01840,merged_into,whole
99999,01843,merged_into,whole
01840,77777,merged_into,whole
01843,01843,split_into,main
01843,01840,split_into,main
01846,01840,moved_into,whole
01849,01849,merged_into,main";
        let found = fields(plan(bad, &[]).err().unwrap_or(Error::Cancelled));
        assert_eq!(
            found,
            ["rows[5].change", "rows[6].share"],
            "cells are read first"
        );
        let bad = "legacy_code,code_2025,change,share
01834,01840,merged_into,whole
99999,01843,merged_into,whole
01840,77777,merged_into,whole
01843,01843,split_into,main
01843,01840,split_into,main";
        let found = fields(plan(bad, &[]).err().unwrap_or(Error::Cancelled));
        assert_eq!(
            found,
            ["rows[1].legacy_code", "rows[2].code_2025", "rows[3].share"]
        );
    }

    #[test]
    fn the_province_layout_is_all_whole_mergers() {
        let (header, lines) = sheet("legacy_code,code_2025\n06,19\n04,04");
        let rows = lineage_rows(&header, &lines).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            rows.iter()
                .all(|r| r.kind == LineageKind::MergedInto && r.share == Share::Whole)
        );
        let (header, lines) = sheet("code,name\n06,Bắc Kạn");
        assert!(lineage_rows(&header, &lines).is_err());
    }
}
