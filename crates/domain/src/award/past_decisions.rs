//! Past decisions loaded from a file (quyết định khen thưởng các năm trước), so that the
//! register — and what is derived from it — reaches back before the system was used. Columns
//! `unit_code,entry_code,number,date,authority,year` (and `signer`, optional), any order; one
//! row per awarded unit, the rows of one decision sharing its number and authority. The file is
//! checked whole; nothing is stored while one row is bad; a decision already stored with the
//! same number, authority and date is left as it is.

use std::collections::{HashMap, HashSet};

use super::catalogue::Catalogues;
use crate::{
    error::{Error, FieldViolation},
    import::{cell, column},
    time::Date,
};

/// The required columns.
pub const COLUMNS: [&str; 6] = [
    "unit_code",
    "entry_code",
    "number",
    "date",
    "authority",
    "year",
];

/// One decision of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastDecision {
    /// Number and symbol.
    pub number: String,
    /// Date of signing.
    pub date: Date,
    /// The authority's code, in the file's scheme.
    pub authority: String,
    /// Who signed (may be empty in old records).
    pub signer: String,
    /// The entry's code.
    pub entry: String,
    /// The emulation year.
    pub year: i32,
    /// The awarded units' codes, in file order.
    pub units: Vec<String>,
    /// Whether it is already stored (same number, authority and date): left as it is.
    pub stored: bool,
}

fn bad(line: u32, column: &str, what: crate::words::Words) -> (u32, FieldViolation) {
    (
        line,
        FieldViolation::new(
            format!("rows.{column}"),
            crate::words!("at-line", line = line, what => what),
        ),
    )
}

/// Plans a file: rows (line, cells) under `header`, against the codes of units that exist
/// (`units`), the dates of decisions already stored by (authority code, number), and the
/// catalogue versions (an entry must be in the one in force for the row's year).
pub fn plan(
    header: &[String],
    lines: &[(u32, Vec<String>)],
    units: &HashSet<String>,
    stored: &HashMap<(String, String), Date>,
    catalogues: &Catalogues,
) -> Result<Vec<PastDecision>, Error> {
    let cols = COLUMNS.map(|c| column(header, c));
    if cols.iter().any(Option::is_none) {
        return Err(Error::invalid(
            "content",
            crate::words!("decisions-header", columns = COLUMNS.join(",")),
        ));
    }
    let [unit, entry, number, date, authority, year] = cols;
    let signer = column(header, "signer");
    let mut out: Vec<PastDecision> = Vec::new();
    let mut errors = Vec::new();
    for (line, cells) in lines {
        let line = *line;
        let code = cell(cells, unit);
        let entry_code = cell(cells, entry);
        let num = cell(cells, number);
        let auth = cell(cells, authority);
        if !units.contains(&code) {
            errors.push(bad(
                line,
                "unit_code",
                crate::words!("unit-does-not-exist", unit = crate::text::quote(&code)),
            ));
        }
        if !units.contains(&auth) {
            errors.push(bad(
                line,
                "authority",
                crate::words!("unit-does-not-exist", unit = crate::text::quote(&auth)),
            ));
        }
        let y = cell(cells, year)
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y));
        let known = y.map_or_else(
            || catalogues.knows(&entry_code),
            |y| catalogues.in_force(y).entry(&entry_code).is_some(),
        );
        if !known {
            errors.push(bad(
                line,
                "entry_code",
                crate::words!(
                    "entry-not-in-catalogue",
                    entry = crate::text::quote(&entry_code)
                ),
            ));
        }
        if num.is_empty() {
            errors.push(bad(
                line,
                "number",
                crate::words!("decision-number-missing"),
            ));
        }
        let day = cell(cells, date).parse::<Date>().ok();
        if day.is_none() {
            errors.push(bad(line, "date", crate::words!("date-form")));
        }
        if y.is_none() {
            errors.push(bad(line, "year", crate::words!("year-form")));
        }
        let (Some(day), Some(y)) = (day, y) else {
            continue;
        };
        if stored
            .get(&(auth.clone(), num.clone()))
            .is_some_and(|d| *d != day)
        {
            errors.push(bad(
                line,
                "number",
                crate::words!("decision-number-other-date", number = num, authority = auth),
            ));
        }
        match out
            .iter_mut()
            .find(|d| d.number == num && d.authority == auth)
        {
            Some(d) => {
                if d.date != day || d.entry != entry_code || d.year != y {
                    errors.push(bad(
                        line,
                        "number",
                        crate::words!("decision-row-differs", number = num, authority = auth),
                    ));
                } else if d.units.contains(&code) {
                    errors.push(bad(
                        line,
                        "unit_code",
                        crate::words!("decision-unit-twice", unit = code, number = num),
                    ));
                } else {
                    d.units.push(code);
                }
            }
            None => out.push(PastDecision {
                stored: stored.get(&(auth.clone(), num.clone())) == Some(&day),
                number: num,
                date: day,
                authority: auth,
                signer: cell(cells, signer),
                entry: entry_code,
                year: y,
                units: vec![code],
            }),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|(line, _)| *line);
        Err(Error::Invalid(errors.into_iter().map(|(_, v)| v).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &str) -> (Vec<String>, Vec<(u32, Vec<String>)>) {
        let mut lines = text.lines();
        let header = lines
            .next()
            .map(|h| h.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        let rows = lines
            .zip(2..)
            .map(|(l, n)| (n, l.split(',').map(str::to_owned).collect()))
            .collect();
        (header, rows)
    }

    #[test]
    fn rows_of_one_decision_group_and_every_bad_row_is_named() {
        let units: HashSet<String> = ["06", "01843", "01840"].map(str::to_owned).into();
        let (h, rows) = sheet(
            "unit_code,entry_code,number,date,authority,year\n\
             01843,CTD_TINH,98/QĐ-UBND,2021-01-20,06,2020\n\
             01840,CTD_TINH,98/QĐ-UBND,2021-01-20,06,2020\n\
             01843,TTLDXS,12/QĐ-UBND,2022-01-15,06,2021\n",
        );
        let plan_ok = plan(&h, &rows, &units, &HashMap::new(), &Catalogues::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan_ok.len(), 2);
        assert_eq!(plan_ok[0].units, ["01843", "01840"]);
        let stored = HashMap::from([(
            ("06".to_owned(), "98/QĐ-UBND".to_owned()),
            "2021-01-20".parse().unwrap_or_else(|e| panic!("{e}")),
        )]);
        let again = plan(&h, &rows, &units, &stored, &Catalogues::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(again[0].stored && !again[1].stored);

        let (h, rows) = sheet(
            "unit_code,entry_code,number,date,authority,year\n\
             99999,CTD_HUYEN,,2021-13-01,06,1990\n\
             01843,CTD_TINH,98/QĐ-UBND,2021-01-21,06,2020\n",
        );
        match plan(&h, &rows, &units, &stored, &Catalogues::default()) {
            Err(Error::Invalid(v)) => {
                let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
                assert_eq!(
                    fields,
                    [
                        "rows.unit_code",
                        "rows.entry_code",
                        "rows.number",
                        "rows.date",
                        "rows.year",
                        "rows.number"
                    ]
                );
                assert!(
                    v[5].description.to_string().starts_with("line 3"),
                    "{}",
                    v[5].description
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
