//! Reading and writing spreadsheet files for the server, which parses them.

use std::path::Path;

use thidua_proto::v1 as pb;

use crate::failure::Failure;

/// Largest file sent: the server's message limit is 4 MiB.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 - 64 * 1024;

/// The delimiter of the CSV this run writes (`--delimiter`), set once at start: every file
/// and listing of one command uses the same, so it is not threaded through each call.
static DELIMITER: std::sync::OnceLock<u8> = std::sync::OnceLock::new();

/// Sets the CSV delimiter from `--delimiter` (`,` or `;`).
pub fn set_delimiter(given: &str) -> Result<(), Failure> {
    let d = match given {
        "," => b',',
        ";" => b';',
        other => {
            return Err(Failure::flag_value("--delimiter", other, ", ;"));
        }
    };
    DELIMITER.get_or_init(|| d);
    Ok(())
}

/// The CSV delimiter of this run (`,` unless `--delimiter ';'`).
pub fn delimiter() -> u8 {
    DELIMITER.get().copied().unwrap_or(b',')
}

/// The format of a file, from `--format` or its extension; a CSV file is written with the
/// run's delimiter (either is read).
pub fn format(path: &Path, given: Option<&str>) -> Result<pb::SpreadsheetFormat, Failure> {
    let ext = given
        .map(str::to_owned)
        .or_else(|| {
            path.extension()
                .and_then(|e| e.to_str())
                .map(str::to_lowercase)
        })
        .unwrap_or_default();
    match ext.as_str() {
        "csv" if delimiter() == b';' => Ok(pb::SpreadsheetFormat::CsvSemicolon),
        "csv" => Ok(pb::SpreadsheetFormat::Csv),
        "xlsx" => Ok(pb::SpreadsheetFormat::Xlsx),
        other => Err(Failure::input(crate::i18n::text_with(
            "err-file-format",
            &[
                ("path", path.display().to_string()),
                ("extension", other.to_string()),
            ],
        ))),
    }
}

/// Reads a file to send, refusing one over the server's message limit before sending it.
pub fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::input(crate::i18n::text_with(
            "err-file-too-large",
            &[
                ("path", path.display().to_string()),
                ("size", size.to_string()),
                ("max", MAX_FILE_BYTES.to_string()),
            ],
        )));
    }
    std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
}

/// Writes the DOCX document `ask` fetches from the server to `path` and says so (`what`: the
/// message id of what it is); a name not ending in `.docx` is refused before asking.
pub async fn document(
    path: &Path,
    what: &str,
    ask: impl Future<Output = Result<Vec<u8>, tonic::Status>>,
) -> Result<(), Failure> {
    docx(path)?;
    let content = ask.await?;
    save(path, &content, what)
}

/// Checks that a document is written to a `.docx` file, before asking the server for it.
fn docx(path: &Path) -> Result<(), Failure> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase);
    if ext.as_deref() == Some("docx") {
        Ok(())
    } else {
        Err(Failure::input(crate::i18n::text_with(
            "err-docx-name",
            &[("path", path.display().to_string())],
        )))
    }
}

/// Writes a file received from the server and says so (`what`: the message id of what it is,
/// e.g. `doc-covenant`).
pub fn save(path: &Path, content: &[u8], what: &str) -> Result<(), Failure> {
    write(path, content)?;
    eprintln!(
        "{}",
        crate::i18n::text_with(
            "wrote-file",
            &[
                ("what", crate::i18n::text(what)),
                ("file", path.display().to_string())
            ]
        )
    );
    Ok(())
}

/// Writes a file received from the server.
pub fn write(path: &Path, content: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, content).map_err(|e| Failure::other(format!("{}: {e}", path.display())))
}

/// A data row: its line in the file and its cells.
pub type Line = (u32, Vec<String>);

/// Reads a CSV or XLSX file (first sheet) as a trimmed header and (line, cells) rows; blank
/// rows are skipped, and every malformed CSV line is reported before anything is sent.
pub fn read_rows(path: &Path) -> Result<(Vec<String>, Vec<Line>), Failure> {
    let bad = |e: &dyn std::fmt::Display| Failure::input(format!("{}: {e}", path.display()));
    let mut lines: Vec<Line> = Vec::new();
    match format(path, None)? {
        pb::SpreadsheetFormat::Xlsx => {
            use calamine::Reader;
            let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).map_err(|e| bad(&e))?;
            let range = book
                .worksheet_range_at(0)
                .ok_or_else(|| {
                    Failure::input(crate::i18n::text_with(
                        "err-workbook-no-sheet",
                        &[("path", path.display().to_string())],
                    ))
                })?
                .map_err(|e| bad(&e))?;
            let (row0, col0) = range.start().unwrap_or((0, 0));
            for (i, row) in range.rows().enumerate() {
                let line = row0
                    .saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
                    .saturating_add(1);
                let mut cells = vec![String::new(); usize::try_from(col0).unwrap_or(0)];
                cells.extend(row.iter().map(|c| match c {
                    calamine::Data::Float(f) => f.to_string(),
                    other => other.to_string(),
                }));
                lines.push((line, cells));
            }
        }
        _ => {
            let content = std::fs::read(path).map_err(|e| bad(&e))?;
            let content = content
                .strip_prefix("\u{feff}".as_bytes())
                .unwrap_or(&content);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(thidua_domain::import::csv_delimiter(content))
                .from_reader(content);
            let mut problems = Vec::new();
            for record in reader.records() {
                match record {
                    Ok(r) => lines.push((
                        r.position()
                            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX)),
                        r.iter().map(str::to_owned).collect(),
                    )),
                    Err(e) => problems.push(format!("  {e}")),
                }
            }
            if !problems.is_empty() {
                return Err(Failure::input(crate::i18n::text_with(
                    "err-malformed-lines",
                    &[
                        ("path", path.display().to_string()),
                        ("count", problems.len().to_string()),
                        ("lines", format!("\n{}", problems.join("\n"))),
                    ],
                )));
            }
        }
    }
    lines.retain(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let mut it = lines.into_iter();
    let header = it
        .next()
        .map(|(_, h)| {
            h.into_iter()
                .map(|c| c.trim().trim_start_matches('\u{feff}').to_owned())
                .collect()
        })
        .ok_or_else(|| {
            Failure::input(crate::i18n::text_with(
                "err-file-empty",
                &[("path", path.display().to_string())],
            ))
        })?;
    Ok((header, it.collect()))
}

/// A progress bar for sending `total` rows, drawn on stderr when it is a terminal.
pub fn progress(total: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({per_sec})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(crate::i18n::text("sending"));
    bar
}
