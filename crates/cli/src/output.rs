//! Rendering results as aligned tables, JSON or CSV.

use std::io::{self, Write};

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
    /// CSV for spreadsheets.
    Csv,
}

/// A titled table.
#[derive(Debug, Clone)]
pub struct Section {
    /// Title; printed above the table, and the key in JSON.
    pub title: String,
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Section {
    /// A section.
    pub fn new(title: impl Into<String>, headers: Vec<&str>) -> Self {
        Self {
            title: title.into(),
            headers: headers.into_iter().map(str::to_owned).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it has one cell per header (a row of another width is a bug of the
    /// command, caught by the tests' debug builds).
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(
            cells.len(),
            self.headers.len(),
            "a row of section {} has {} cells for {} headers",
            self.title,
            cells.len(),
            self.headers.len()
        );
        self.rows.push(cells);
    }

    /// A two-column section of fields and values.
    pub fn fields(title: impl Into<String>, pairs: Vec<(&'static str, String)>) -> Self {
        let mut s = Self::new(title, vec!["field", "value"]);
        for (k, v) in pairs {
            s.row(vec![k.to_owned(), v]);
        }
        s
    }

    fn is_fields(&self) -> bool {
        self.headers == ["field", "value"]
    }
}

/// The sections to print: those `wanted` names (by title, any case, `-` for spaces), or all;
/// CSV holds one table, so a command printing several needs `--section` for CSV.
pub fn choose(
    sections: &[Section],
    wanted: &[String],
    format: Format,
) -> Result<Vec<Section>, crate::failure::Failure> {
    let id = |t: &str| crate::i18n::section_id(t);
    let titles = || {
        sections
            .iter()
            .map(|s| id(&s.title).trim_start_matches("section-").to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen: Vec<Section> = if wanted.is_empty() {
        sections.to_vec()
    } else {
        for w in wanted {
            if !sections.iter().any(|s| id(&s.title) == id(w)) {
                return Err(crate::failure::Failure::input(crate::i18n::text_with(
                    "err-section-unknown",
                    &[("section", w.to_string()), ("titles", titles())],
                )));
            }
        }
        sections
            .iter()
            .filter(|s| wanted.iter().any(|w| id(&s.title) == id(w)))
            .cloned()
            .collect()
    };
    if format == Format::Csv && chosen.len() > 1 {
        return Err(crate::failure::Failure::input(crate::i18n::text_with(
            "err-csv-one-table",
            &[("titles", titles())],
        )));
    }
    Ok(chosen)
}

/// Prints `sections` to stdout in `format`.
pub fn print(format: Format, sections: &[Section]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Table => {
            for (i, s) in sections.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                if sections.len() > 1 {
                    writeln!(out, "{}", crate::i18n::section(&s.title))?;
                }
                table(&mut out, &for_people(s))?;
            }
        }
        Format::Json => {
            let value = if sections.len() == 1 {
                json_section(&sections[0])
            } else {
                Json::Object(
                    sections
                        .iter()
                        .map(|s| (s.title.clone(), json_section(s)))
                        .collect(),
                )
            };
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        Format::Csv => {
            for (i, s) in sections.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                let mut w = csv::WriterBuilder::new()
                    .delimiter(crate::sheets::delimiter())
                    .from_writer(&mut out);
                w.write_record(&s.headers)?;
                for r in &s.rows {
                    w.write_record(r)?;
                }
                w.flush()?;
            }
        }
    }
    out.flush()
}

/// Columns whose values are counts or years: numbers in JSON. Decimals (points, totals,
/// targets) stay strings, exact, as the contract's JSON mapping writes them.
const INTEGER_COLUMNS: [&str; 29] = [
    "rank",
    "revision",
    "position",
    "rows",
    "created",
    "unchanged",
    "registered",
    "stored",
    "replayed",
    "entries",
    "version",
    "from_year",
    "year",
    "seq",
    "events_checked",
    "links_created",
    "links_unchanged",
    "units_ended",
    "decisions_created",
    "decisions_unchanged",
    "groups",
    "nodes",
    "provincial_flags",
    "certificates_of_merit",
    "latest_version",
    "members",
    "targets_missing",
    "eligible",
    "present",
];

/// Columns that answer yes or no: booleans in JSON.
const YES_NO_COLUMNS: [&str; 2] = ["secret_ballot", "intact"];

/// A cell as JSON: empty is null; a count a number; a yes/no a boolean; the rest a string.
fn json_cell(header: &str, cell: &str) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    if INTEGER_COLUMNS.contains(&header)
        && let Ok(n) = cell.parse::<i64>()
    {
        return Value::from(n);
    }
    if YES_NO_COLUMNS.contains(&header) {
        match cell {
            "yes" | "true" => return Value::Bool(true),
            "no" | "false" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::String(cell.to_owned())
}

/// JSON whose objects keep their keys in the order the section gives them.
enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    Value(Value),
}

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Object(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Value(v) => v.serialize(serializer),
        }
    }
}

fn json_section(s: &Section) -> Json {
    if s.is_fields() {
        Json::Object(
            s.rows
                .iter()
                .map(|r| (r[0].clone(), Json::Value(json_cell(&r[0], &r[1]))))
                .collect(),
        )
    } else {
        Json::Array(
            s.rows
                .iter()
                .map(|r| {
                    Json::Object(
                        s.headers
                            .iter()
                            .zip(r)
                            .map(|(h, c)| (h.clone(), Json::Value(json_cell(h, c))))
                            .collect(),
                    )
                })
                .collect(),
        )
    }
}

/// A section as people read it: its column names and enumeration values in the run's
/// language (a fields section's names and values likewise).
fn for_people(s: &Section) -> Section {
    let fields = s.is_fields();
    Section {
        title: s.title.clone(),
        headers: if fields {
            s.headers.clone()
        } else {
            s.headers.iter().map(|h| crate::i18n::column(h)).collect()
        },
        rows: s
            .rows
            .iter()
            .map(|r| {
                if fields {
                    let key = r.first().map_or("", String::as_str);
                    let value = r.get(1).map_or("", String::as_str);
                    vec![crate::i18n::column(key), crate::i18n::value(key, value)]
                } else {
                    s.headers
                        .iter()
                        .zip(r)
                        .map(|(h, c)| crate::i18n::value(h, c))
                        .collect()
                }
            })
            .collect(),
    }
}

fn table(out: &mut impl Write, s: &Section) -> io::Result<()> {
    let mut widths: Vec<usize> = s.headers.iter().map(|h| h.as_str().width()).collect();
    for r in &s.rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(c);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(w.saturating_sub(c.width())));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    if !s.is_fields() {
        let headers: Vec<String> = s.headers.iter().map(|h| h.to_uppercase()).collect();
        line(out, &headers)?;
    }
    for r in &s.rows {
        line(out, r)?;
    }
    if s.rows.is_empty() && !s.is_fields() {
        writeln!(out, "{}", crate::i18n::text("none"))?;
    }
    Ok(())
}
