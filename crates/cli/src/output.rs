//! Rendering results as aligned tables, JSON or CSV.

use std::io::{self, Write};

use serde_json::{Map, Value};
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
                Value::Object(
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

fn json_section(s: &Section) -> Value {
    if s.is_fields() {
        Value::Object(
            s.rows
                .iter()
                .map(|r| (r[0].clone(), Value::String(r[1].clone())))
                .collect::<Map<_, _>>(),
        )
    } else {
        Value::Array(
            s.rows
                .iter()
                .map(|r| {
                    Value::Object(
                        s.headers
                            .iter()
                            .zip(r)
                            .map(|(h, c)| (h.clone(), Value::String(c.clone())))
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
