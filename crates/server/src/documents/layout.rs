//! The parts every administrative document shares (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4
//! with its margins, Times New Roman, the issuing body beside the national title and motto,
//! the number and symbol, place and date, the title, tables, recipients and the signature
//! block. Documents are built with `docx-rs` and officers edit and sign them in Word or Writer.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, Paragraph, Run, RunFonts, SpecialIndentType, Table,
    TableBorders, TableCell, TableRow, VAlignType, WidthType,
};
use thidua_domain::Error;

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11_906, 16_838);
/// The text width between the margins (left 30 mm, right 15 mm), in twentieths of a point.
pub const TEXT_WIDTH: usize = 9_355;
/// Body text, in half-points (13 pt).
const BODY: usize = 26;
/// Tables' text, in half-points (11 pt), so that their columns keep whole words.
const TABLE: usize = 22;
/// The heading's text, in half-points (12 pt).
const HEADING: usize = 24;
/// The issuing body's column of the heading; the national title takes the rest.
const ISSUER_WIDTH: usize = 3_755;

/// A run of text in the documents' font.
pub fn run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(
            RunFonts::new()
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman")
                .cs("Times New Roman"),
        )
        .size(BODY)
}

/// A paragraph of one run, aligned.
pub fn line(r: Run, align: AlignmentType) -> Paragraph {
    Paragraph::new().add_run(r).align(align)
}

/// A justified body paragraph, its first line indented, with a little space above.
pub fn body(text: &str) -> Paragraph {
    line(run(text), AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None)
        .line_spacing(LineSpacing::new().before(120))
}

/// A centred bold line, as titles are.
pub fn title(text: &str) -> Paragraph {
    line(run(text).bold(), AlignmentType::Center)
}

/// A new A4 document with the margins of the rules.
pub fn document() -> Docx {
    Docx::new().page_size(A4.0, A4.1).page_margin(
        docx_rs::PageMargin::new()
            .top(1_134)
            .bottom(1_134)
            .left(1_701)
            .right(850),
    )
}

fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .width(width, WidthType::Dxa)
}

fn borderless(rows: Vec<TableRow>, widths: Vec<usize>) -> Table {
    Table::new(rows)
        .set_grid(widths)
        .set_borders(TableBorders::with_empty())
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// The top of a document: the issuing body (and the body above it, if any) with the number
/// and symbol on the left; the national title, the motto and the place and date on the right.
pub fn heading(above: &str, issuer: &str, number: &str, place: &str) -> Table {
    // The heading is set a point smaller than the body (12 pt), as the rules show it.
    let centred = |r: Run| line(r.size(HEADING), AlignmentType::Center);
    let mut left = Vec::new();
    if !above.is_empty() {
        left.push(centred(run(&above.to_uppercase())));
    }
    left.push(centred(run(&issuer.to_uppercase()).bold()));
    if !number.is_empty() {
        left.push(centred(run(number)));
    }
    let right = vec![
        centred(run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold()),
        centred(
            run("Độc lập - Tự do - Hạnh phúc")
                .bold()
                .underline("single"),
        ),
        centred(run(&format!("{place}, ngày … tháng … năm …")).italic()),
    ];
    borderless(
        vec![TableRow::new(vec![
            cell(left, ISSUER_WIDTH),
            cell(right, TEXT_WIDTH - ISSUER_WIDTH),
        ])],
        vec![ISSUER_WIDTH, TEXT_WIDTH - ISSUER_WIDTH],
    )
}

/// A bordered table: a bold header row and the rows, columns `widths` wide (twentieths of a
/// point); columns listed in `right` are aligned right (numbers).
pub fn grid(headers: &[&str], rows: &[Vec<String>], widths: &[usize], right: &[usize]) -> Table {
    let head = TableRow::new(
        headers
            .iter()
            .zip(widths)
            .map(|(h, w)| {
                cell(
                    vec![line(run(h).bold().size(TABLE), AlignmentType::Center)],
                    *w,
                )
                .vertical_align(VAlignType::Center)
            })
            .collect(),
    );
    let mut all = vec![head];
    all.extend(rows.iter().map(|r| {
        TableRow::new(
            r.iter()
                .zip(widths)
                .enumerate()
                .map(|(i, (text, w))| {
                    let align = if right.contains(&i) {
                        AlignmentType::Right
                    } else {
                        AlignmentType::Left
                    };
                    cell(vec![line(run(text).size(TABLE), align)], *w)
                        .vertical_align(VAlignType::Center)
                })
                .collect(),
        )
    }));
    Table::new(all)
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa)
}

/// Who signs, and in what capacity.
#[derive(Debug, Clone, Default)]
pub struct Signer {
    /// Above the title, e.g. `TM. CỤM THI ĐUA` (may be empty).
    pub on_behalf: String,
    /// The title, e.g. `TRƯỞNG CỤM`.
    pub title: String,
    /// The name, under the space for the signature (may be empty: written by hand).
    pub name: String,
}

/// The recipients (nơi nhận) on the left, and the signer on the right; `left_signer` instead of
/// recipients when two sign (minutes).
pub fn closing(recipients: &[&str], left_signer: Option<&Signer>, signer: &Signer) -> Table {
    let signed = |s: &Signer, with_seal: bool| {
        let mut p = Vec::new();
        if !s.on_behalf.is_empty() {
            p.push(line(run(&s.on_behalf).bold(), AlignmentType::Center));
        }
        p.push(line(run(&s.title).bold(), AlignmentType::Center));
        p.push(line(
            run(if with_seal {
                "(Ký, ghi rõ họ tên, đóng dấu)"
            } else {
                "(Ký, ghi rõ họ tên)"
            })
            .italic(),
            AlignmentType::Center,
        ));
        // Room for the signature.
        p.extend((0..3).map(|_| Paragraph::new()));
        p.push(line(run(&s.name).bold(), AlignmentType::Center));
        p
    };
    let left = match left_signer {
        Some(s) => signed(s, false),
        None => {
            let mut p = vec![line(
                Run::new()
                    .add_text("Nơi nhận:")
                    .fonts(
                        RunFonts::new()
                            .ascii("Times New Roman")
                            .hi_ansi("Times New Roman"),
                    )
                    .size(24)
                    .bold()
                    .italic(),
                AlignmentType::Left,
            )];
            p.extend(recipients.iter().map(|r| {
                line(
                    Run::new()
                        .add_text(format!("- {r};"))
                        .fonts(
                            RunFonts::new()
                                .ascii("Times New Roman")
                                .hi_ansi("Times New Roman"),
                        )
                        .size(22),
                    AlignmentType::Left,
                )
            }));
            p
        }
    };
    borderless(
        vec![TableRow::new(vec![
            cell(left, TEXT_WIDTH / 2),
            cell(signed(signer, left_signer.is_none()), TEXT_WIDTH / 2),
        ])],
        vec![TEXT_WIDTH / 2, TEXT_WIDTH / 2],
    )
}

/// The document's bytes.
pub fn pack(doc: Docx) -> Result<Vec<u8>, Error> {
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::Internal(format!("writing a DOCX document: {e}")))?;
    Ok(out.into_inner())
}

/// The text of a DOCX document, paragraph by paragraph (tables' cells included), read back
/// with `docx-rs`'s reader: what the tests check documents by.
pub fn text(bytes: &[u8]) -> Result<Vec<String>, Error> {
    use docx_rs::{
        DocumentChild, ParagraphChild, RunChild, TableCellContent, TableChild, TableRowChild,
    };
    fn paragraph(p: &Paragraph) -> String {
        p.children
            .iter()
            .filter_map(|c| match c {
                ParagraphChild::Run(r) => Some(
                    r.children
                        .iter()
                        .filter_map(|c| match c {
                            RunChild::Text(t) => Some(t.text.clone()),
                            _ => None,
                        })
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect()
    }
    let doc = docx_rs::read_docx(bytes)
        .map_err(|e| Error::invalid("content", thidua_domain::words!("not-docx", cause = e)))?;
    let mut out = Vec::new();
    for child in &doc.document.children {
        match child {
            DocumentChild::Paragraph(p) => out.push(paragraph(p)),
            DocumentChild::Table(t) => {
                for TableChild::TableRow(row) in &t.rows {
                    for TableRowChild::TableCell(c) in &row.cells {
                        for content in &c.children {
                            if let TableCellContent::Paragraph(p) = content {
                                out.push(paragraph(p));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// [`text`] in a unit test.
#[cfg(test)]
pub fn read_text(bytes: &[u8]) -> Vec<String> {
    text(bytes).unwrap_or_else(|e| panic!("{e}"))
}
