//! Bảng tổng hợp kết quả chấm điểm: the summary table a cluster prints, signs and files, laid
//! out as an administrative document (Nghị định 30/2020/NĐ-CP): the issuing body and the
//! national title and motto at the top, the title, the table, the place and date, and the
//! signature block. Numbers are numbers (a sum over them works) shown at the table's rounding
//! step; unit codes are text, so their leading zeros stay. Printed on A4 landscape, fitted to
//! the page width, with the header row repeated on every page.

use rust_decimal::{Decimal, prelude::ToPrimitive};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use thidua_domain::Error;

/// One member's line.
#[derive(Debug, Clone)]
pub struct Line {
    /// Rank from 1.
    pub rank: usize,
    /// Whether the rank is shared by a tie no rule breaks.
    pub tied: bool,
    /// The unit's code, as text.
    pub code: String,
    /// The unit's name.
    pub name: String,
    /// The total.
    pub total: Decimal,
    /// Each group's subtotal, in the table's order.
    pub groups: Vec<Decimal>,
    /// The classification, as officials write it.
    pub classification: String,
    /// Tie and classification notes.
    pub note: String,
}

/// What the document shows.
#[derive(Debug, Clone)]
pub struct SummaryTable {
    /// The cluster's name (the issuing body).
    pub cluster: String,
    /// The emulation year.
    pub year: i32,
    /// The criteria table's title.
    pub table_title: String,
    /// Decimal places of the table's rounding step.
    pub decimals: u32,
    /// Group headers, e.g. `I. Phát triển kinh tế`.
    pub groups: Vec<String>,
    /// The members, best first.
    pub lines: Vec<Line>,
    /// The leading unit's name, under "TRƯỞNG CỤM".
    pub leader: String,
}

/// Columns before the groups: rank, code, name, total.
const LEADING: u16 = 4;
/// Widths, in characters, of the columns whose text wraps.
const NAME_WIDTH: u16 = 26;
const CLASS_WIDTH: u16 = 24;
const NOTE_WIDTH: u16 = 40;

fn xl(e: XlsxError) -> Error {
    Error::Internal(format!("writing the summary table: {e}"))
}

fn column(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// The number format of `decimals` places: `0`, `0.0`, `0.00`.
fn number_format(decimals: u32) -> String {
    if decimals == 0 {
        "0".to_owned()
    } else {
        format!("0.{}", "0".repeat(usize::try_from(decimals).unwrap_or(2)))
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(year: i32) -> String {
    format!("Tổng hợp năm {year}")
}

/// Writes the document as an XLSX workbook.
pub fn write(doc: &SummaryTable) -> Result<Vec<u8>, Error> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(doc.year)).map_err(xl)?;
    let last = LEADING + column(doc.groups.len()) + 1;
    let header_row = heading(sheet, doc, last)?;
    body(sheet, doc, header_row)?;
    let end = header_row + u32::try_from(doc.lines.len()).unwrap_or(u32::MAX);
    signatures(sheet, doc, end + 2, last)?;
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_repeat_rows(header_row, header_row).map_err(xl)?;
    sheet.set_freeze_panes(header_row + 1, 0).map_err(xl)?;
    book.save_to_buffer().map_err(xl)
}

/// The issuing body and the national title and motto, the title; returns the header row.
fn heading(sheet: &mut Worksheet, doc: &SummaryTable, last: u16) -> Result<u32, Error> {
    let centred = Format::new()
        .set_align(FormatAlign::Center)
        .set_font_name("Times New Roman");
    let bold = centred.clone().set_bold();
    let middle = last / 2;
    sheet
        .merge_range(0, 0, 0, middle - 1, &doc.cluster.to_uppercase(), &bold)
        .map_err(xl)?;
    sheet
        .merge_range(
            0,
            middle,
            0,
            last,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            &bold,
        )
        .map_err(xl)?;
    sheet
        .merge_range(
            1,
            middle,
            1,
            last,
            "Độc lập - Tự do - Hạnh phúc",
            &bold
                .clone()
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
        )
        .map_err(xl)?;
    sheet
        .merge_range(
            3,
            0,
            3,
            last,
            &format!("BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM {}", doc.year),
            &bold.clone().set_font_size(14),
        )
        .map_err(xl)?;
    sheet
        .merge_range(
            4,
            0,
            4,
            last,
            &format!("(Theo {})", doc.table_title),
            &centred.clone().set_italic(),
        )
        .map_err(xl)?;
    Ok(6)
}

/// The header row and a line per member.
fn body(sheet: &mut Worksheet, doc: &SummaryTable, header_row: u32) -> Result<(), Error> {
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_font_name("Times New Roman");
    let head = cell
        .clone()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(0x00D9_E1F2);
    let text = cell.clone().set_text_wrap();
    let number = cell.clone().set_num_format(number_format(doc.decimals));
    let rank = cell.clone().set_align(FormatAlign::Center);
    let mut headers = vec!["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm"];
    headers.extend(doc.groups.iter().map(String::as_str));
    headers.extend(["Xếp loại", "Ghi chú"]);
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, column(c), *h, &head)
            .map_err(xl)?;
    }
    sheet.set_row_height(header_row, 45).map_err(xl)?;
    let widths = [6.0, 11.0, f64::from(NAME_WIDTH), 10.0];
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(column(c), *w).map_err(xl)?;
    }
    for g in 0..doc.groups.len() {
        sheet
            .set_column_width(LEADING + column(g), 12.0)
            .map_err(xl)?;
    }
    let after = LEADING + column(doc.groups.len());
    sheet
        .set_column_width(after, f64::from(CLASS_WIDTH))
        .map_err(xl)?;
    sheet
        .set_column_width(after + 1, f64::from(NOTE_WIDTH))
        .map_err(xl)?;
    let float = |d: Decimal| d.to_f64().unwrap_or_default();
    for (i, l) in doc.lines.iter().enumerate() {
        let r = header_row + 1 + u32::try_from(i).unwrap_or(u32::MAX);
        sheet
            .write_number_with_format(r, 0, f64::from(u32::try_from(l.rank).unwrap_or(0)), &rank)
            .map_err(xl)?;
        sheet
            .write_string_with_format(r, 1, &l.code, &cell)
            .map_err(xl)?;
        sheet
            .write_string_with_format(r, 2, &l.name, &text)
            .map_err(xl)?;
        sheet
            .write_number_with_format(r, 3, float(l.total), &number)
            .map_err(xl)?;
        for (g, points) in l.groups.iter().enumerate() {
            sheet
                .write_number_with_format(r, LEADING + column(g), float(*points), &number)
                .map_err(xl)?;
        }
        sheet
            .write_string_with_format(r, after, &l.classification, &text)
            .map_err(xl)?;
        let note = if l.tied {
            format!("Đồng hạng {}. {}", l.rank, l.note)
                .trim()
                .to_owned()
        } else {
            l.note.clone()
        };
        sheet
            .write_string_with_format(r, after + 1, &note, &text)
            .map_err(xl)?;
        // Spreadsheet programs do not grow a row for wrapped text written by a program: the
        // height is set for the longest wrapped cell, at about the column's width per line.
        let lines = [
            (l.name.chars().count(), NAME_WIDTH),
            (l.classification.chars().count(), CLASS_WIDTH),
            (note.chars().count(), NOTE_WIDTH),
        ]
        .iter()
        .map(|(chars, width)| chars.div_ceil(*width as usize).max(1))
        .max()
        .unwrap_or(1);
        sheet
            .set_row_height(r, 15.0 * f64::from(u32::try_from(lines).unwrap_or(1)))
            .map_err(xl)?;
    }
    Ok(())
}

/// The place and date, and the two who sign: who drew the table up, and the cluster's head.
fn signatures(sheet: &mut Worksheet, doc: &SummaryTable, row: u32, last: u16) -> Result<(), Error> {
    let centred = Format::new()
        .set_align(FormatAlign::Center)
        .set_font_name("Times New Roman");
    let bold = centred.clone().set_bold();
    let italic = centred.clone().set_italic();
    let middle = last / 2;
    sheet
        .merge_range(
            row,
            middle,
            row,
            last,
            "…………, ngày …… tháng …… năm ……",
            &italic,
        )
        .map_err(xl)?;
    sheet
        .merge_range(row + 1, 0, row + 1, middle - 1, "NGƯỜI LẬP BIỂU", &bold)
        .map_err(xl)?;
    sheet
        .merge_range(row + 1, middle, row + 1, last, "TRƯỞNG CỤM", &bold)
        .map_err(xl)?;
    sheet
        .merge_range(
            row + 2,
            0,
            row + 2,
            middle - 1,
            "(Ký, ghi rõ họ tên)",
            &italic,
        )
        .map_err(xl)?;
    sheet
        .merge_range(
            row + 2,
            middle,
            row + 2,
            last,
            "(Ký, ghi rõ họ tên, đóng dấu)",
            &italic,
        )
        .map_err(xl)?;
    // Room for the signature and the seal, then who leads the cluster this year.
    sheet
        .merge_range(row + 6, middle, row + 6, last, &doc.leader, &bold)
        .map_err(xl)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::*;

    fn seed() -> SummaryTable {
        let line = |rank, code: &str, name: &str, total: i64, tied| Line {
            rank,
            tied,
            code: code.into(),
            name: name.into(),
            total: Decimal::new(total, 1),
            groups: vec![Decimal::new(330, 1), Decimal::new(total - 330, 1)],
            classification: "Hoàn thành xuất sắc nhiệm vụ".into(),
            note: String::new(),
        };
        SummaryTable {
            cluster: "Cụm thi đua các xã, phường thành phố Bắc Kạn".into(),
            year: 2022,
            table_title: "Bảng tiêu chí thi đua năm 2022".into(),
            decimals: 1,
            groups: vec![
                "I. Phát triển kinh tế".into(),
                "II. Văn hóa - xã hội".into(),
            ],
            lines: vec![
                line(1, "01843", "Phùng Chí Kiên", 1130, false),
                line(2, "01840", "Đức Xuân", 1125, true),
                line(2, "01852", "Nông Thượng", 1125, true),
            ],
            leader: "UBND phường Phùng Chí Kiên".into(),
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{e}"));
        text
    }

    #[test]
    fn numbers_are_numbers_codes_keep_their_zeros_and_the_page_is_set_for_print() {
        let bytes = write(&seed()).unwrap_or_else(|e| panic!("{e}"));
        let mut book: Xlsx<_> =
            open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(book.sheet_names(), ["Tổng hợp năm 2022"]);
        let range = book
            .worksheet_range("Tổng hợp năm 2022")
            .unwrap_or_else(|e| panic!("{e}"));
        let at = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(
            at(0, 3),
            Data::String("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into())
        );
        assert_eq!(
            at(3, 0),
            Data::String("BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM 2022".into())
        );
        assert_eq!(at(6, 3), Data::String("Tổng điểm".into()));
        assert_eq!(at(7, 1), Data::String("01843".into()), "a code is text");
        assert_eq!(at(7, 3), Data::Float(113.0), "a total is a number");
        assert_eq!(at(8, 4), Data::Float(33.0));
        assert_eq!(at(9, 0), Data::Float(2.0));
        assert_eq!(at(9, 7), Data::String("Đồng hạng 2.".into()));
        assert!(
            range
                .used_cells()
                .any(|(_, _, v)| *v == Data::String("NGƯỜI LẬP BIỂU".into())),
            "the signature block"
        );
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        for needle in [
            r#"orientation="landscape""#,
            r#"paperSize="9""#,
            r#"fitToHeight="0""#,
            r#"state="frozen""#,
            r#"formatCode="0.0""#,
        ] {
            assert!(
                sheet.contains(needle) || part(&bytes, "xl/styles.xml").contains(needle),
                "{needle}"
            );
        }
        assert!(
            part(&bytes, "xl/workbook.xml").contains("_xlnm.Print_Titles"),
            "the header row repeats on each page"
        );
    }
}
