//! Spreadsheets in and out (CSV and XLSX): officers keep criteria tables and targets in Excel.
//! Cells are read as text; numbers are written as text cells so a round trip is exact (no
//! binary floats), and a number typed into Excel is read back in its shortest exact form. CSV
//! is written with a byte-order mark (Excel on Windows reads UTF-8 only with one), with `,` or
//! `;` between cells; either is read.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use thidua_domain::{Error, FieldViolation};

/// Rows one sheet may hold; a criteria table or a cluster's targets are far smaller.
pub const MAX_ROWS: usize = 20_000;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, UTF-8.
    Csv,
    /// Semicolon-separated, UTF-8: Excel's CSV in a Vietnamese locale.
    CsvSemicolon,
    /// Office Open XML workbook.
    Xlsx,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv | Format::CsvSemicolon => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The byte-order mark that opens a UTF-8 CSV file.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// A sheet read as text: the header and the data rows with their 1-based line numbers.
#[derive(Debug)]
pub struct Sheet {
    /// Header cells, trimmed.
    pub header: Vec<String>,
    /// (line, cells) of each non-empty data row.
    pub rows: Vec<(u32, Vec<String>)>,
}

fn bad(description: impl Into<thidua_domain::Words>) -> Error {
    Error::Invalid(vec![FieldViolation::new("content", description)])
}

/// Reads the first sheet of `content`.
pub fn read(content: &[u8], format: Format) -> Result<Sheet, Error> {
    if content.is_empty() {
        return Err(bad(thidua_domain::words!("file-empty")));
    }
    let mut lines: Vec<(u32, Vec<String>)> = match format {
        Format::Csv | Format::CsvSemicolon => read_csv(content)?,
        Format::Xlsx => read_xlsx(content)?,
    };
    lines.retain(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    if lines.len() > MAX_ROWS + 1 {
        return Err(bad(thidua_domain::words!(
            "sheet-too-many-rows",
            rows = lines.len() - 1,
            max = MAX_ROWS
        )));
    }
    let mut it = lines.into_iter();
    let (_, header) = it
        .next()
        .ok_or_else(|| bad(thidua_domain::words!("sheet-no-header")))?;
    let header = header
        .into_iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    Ok(Sheet {
        header,
        rows: it.collect(),
    })
}

fn read_csv(content: &[u8]) -> Result<Vec<(u32, Vec<String>)>, Error> {
    let content = content.strip_prefix(BOM).unwrap_or(content);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(thidua_domain::import::csv_delimiter(content))
        .from_reader(content);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(thidua_domain::words!("not-csv", cause = e)))?;
        let line = record
            .position()
            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        out.push((line, record.iter().map(str::to_owned).collect()));
        if out.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(out)
}

/// Most bytes a workbook may unpack to: a 4 MiB upload cannot become gigabytes in memory.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Most columns read from a sheet; criteria and target layouts use fewer than 20.
const MAX_COLUMNS: u32 = 256;

/// Refuses a workbook that unpacks to more than [`MAX_UNPACKED_BYTES`], counting what the
/// entries really inflate to (a ZIP's declared sizes can lie).
fn check_unpacked_size(content: &[u8]) -> Result<(), Error> {
    let mut zip = zip::ZipArchive::new(Cursor::new(content))
        .map_err(|e| bad(thidua_domain::words!("not-xlsx", cause = e)))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| bad(thidua_domain::words!("not-xlsx", cause = e)))?;
        let mut limited = std::io::Read::take(entry, MAX_UNPACKED_BYTES - total + 1);
        total += std::io::copy(&mut limited, &mut std::io::sink())
            .map_err(|e| bad(thidua_domain::words!("not-xlsx", cause = e)))?;
        if total > MAX_UNPACKED_BYTES {
            return Err(bad(thidua_domain::words!(
                "workbook-too-large",
                mib = MAX_UNPACKED_BYTES / 1024 / 1024
            )));
        }
    }
    Ok(())
}

fn read_xlsx(content: &[u8]) -> Result<Vec<(u32, Vec<String>)>, Error> {
    check_unpacked_size(content)?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(content))
        .map_err(|e: calamine::XlsxError| bad(thidua_domain::words!("not-xlsx", cause = e)))?;
    let merged = book
        .merge_cells_by_sheet_id(0)
        .map_err(|e| bad(thidua_domain::words!("first-sheet-unreadable", cause = e)))?;
    if let Some(m) = merged.first() {
        return Err(bad(thidua_domain::words!(
            "merged-cells",
            row = m.start.0 + 1,
            column = m.start.1 + 1,
            last_row = m.end.0 + 1,
            last_column = m.end.1 + 1
        )));
    }
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| bad(thidua_domain::words!("workbook-no-sheet")))?;
    // Cell by cell, never as a dense range: a sheet with one cell at A1 and one at XFD1048576
    // would otherwise allocate seventeen billion cells.
    let mut reader = book
        .worksheet_cells_reader(&first)
        .map_err(|e| bad(thidua_domain::words!("first-sheet-unreadable", cause = e)))?;
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| bad(thidua_domain::words!("first-sheet-unreadable", cause = e)))?
    {
        let (row, column) = cell.get_position();
        if column >= MAX_COLUMNS {
            return Err(bad(thidua_domain::words!(
                "sheet-too-many-columns",
                column = column + 1,
                max = MAX_COLUMNS
            )));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if !rows.contains_key(&row) && rows.len() > MAX_ROWS + 1 {
            break;
        }
        let cells = rows.entry(row).or_default();
        let column = usize::try_from(column).unwrap_or(0);
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| (row.saturating_add(1), cells))
        .collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Rust prints the shortest text that reads back as the same f64: 97.5, not 97.499999.
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Writes a header and rows.
pub fn write(header: &[&str], rows: &[Vec<String>], format: Format) -> Result<Vec<u8>, Error> {
    match format {
        Format::Csv | Format::CsvSemicolon => {
            let delimiter = if format == Format::CsvSemicolon {
                b';'
            } else {
                b','
            };
            let mut w = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .from_writer(BOM.to_vec());
            w.write_record(header)
                .map_err(|e| Error::Internal(e.to_string()))?;
            for r in rows {
                w.write_record(r)
                    .map_err(|e| Error::Internal(e.to_string()))?;
            }
            w.into_inner().map_err(|e| Error::Internal(e.to_string()))
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let xl = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("writing XLSX: {e}"));
            // The first column holds codes (units', criteria's): formatted as text, so what
            // an officer types there keeps its leading zeros.
            sheet
                .set_column_format(0, &rust_xlsxwriter::Format::new().set_num_format("@"))
                .map_err(xl)?;
            for (c, h) in header.iter().enumerate() {
                sheet
                    .write_string(0, u16::try_from(c).unwrap_or(u16::MAX), *h)
                    .map_err(xl)?;
            }
            for (r, row) in rows.iter().enumerate() {
                let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
                for (c, cell) in row.iter().enumerate() {
                    if !cell.is_empty() {
                        sheet
                            .write_string(r, u16::try_from(c).unwrap_or(u16::MAX), cell)
                            .map_err(xl)?;
                    }
                }
            }
            book.save_to_buffer().map_err(xl)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, column, text) in cells {
            let _ = sheet.write_string(*row, *column, *text);
        }
        book.save_to_buffer().unwrap_or_default()
    }

    #[test]
    fn far_away_cells_are_read_sparsely_or_refused() {
        let far_row = workbook(&[(0, 0, "code"), (1_048_575, 0, "Phùng Chí Kiên")]);
        let sheet = read(&far_row, Format::Xlsx).map_err(|e| e.to_string());
        assert_eq!(
            sheet.map(|s| s.rows),
            Ok(vec![(1_048_576, vec!["Phùng Chí Kiên".to_owned()])])
        );
        let far_column = workbook(&[(0, 0, "code"), (1_048_575, 16_383, "x")]);
        assert!(read(&far_column, Format::Xlsx).is_err());
    }

    #[test]
    fn a_workbook_that_unpacks_too_far_is_refused() {
        // Distinct strings, or the shared-string table would store one.
        let long = "Nông Thượng ".repeat(2_500);
        let texts: Vec<String> = (0..2_400).map(|r| format!("{r} {long}")).collect();
        let cells: Vec<(u32, u16, &str)> = texts
            .iter()
            .zip(0..)
            .map(|(t, r)| (r, 0, t.as_str()))
            .collect();
        let bomb = workbook(&cells);
        assert!(bomb.len() < 4 * 1024 * 1024, "{} bytes", bomb.len());
        let err = read(&bomb, Format::Xlsx).map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("unpacks")));
    }

    #[test]
    fn both_formats_round_trip_text() {
        let rows = vec![
            vec![
                "I".to_owned(),
                "Phát triển kinh tế".to_owned(),
                "60".to_owned(),
                String::new(),
            ],
            vec![
                "I.1".to_owned(),
                "Thu ngân sách, \"vượt\" chỉ tiêu".to_owned(),
                "30.5".to_owned(),
                "5".to_owned(),
            ],
        ];
        for format in [Format::Csv, Format::Xlsx] {
            let bytes = write(&["code", "title", "max_points", "bonus_cap"], &rows, format)
                .unwrap_or_default();
            let sheet = read(&bytes, format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(sheet.header, ["code", "title", "max_points", "bonus_cap"]);
            let back: Vec<Vec<String>> = sheet
                .rows
                .iter()
                .map(|(_, r)| {
                    let mut r = r.clone();
                    r.resize(4, String::new());
                    r
                })
                .collect();
            assert_eq!(back, rows, "{format:?}");
            assert_eq!(sheet.rows[1].0, 3, "line numbers count the header");
        }
    }

    #[test]
    fn garbage_is_refused_clearly() {
        assert!(read(b"", Format::Csv).is_err());
        assert!(read(b"not a zip", Format::Xlsx).is_err());
        assert!(read(&[0xff, 0xfe, 0x00], Format::Csv).is_err());
    }

    #[test]
    fn merged_cells_are_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let format = rust_xlsxwriter::Format::new();
        let _ = sheet.write_string(0, 0, "code");
        let _ = sheet.merge_range(1, 0, 1, 2, "Nhóm I", &format);
        let bytes = book.save_to_buffer().unwrap_or_default();
        let err = read(&bytes, Format::Xlsx)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("merged"), "{err}");
    }
}
