//! Giao ước thi đua: the covenant the members sign at the start of the year — its theme, text
//! and commitments, where and when it is signed, and a line for each member's signatory, with
//! the witnesses.

use docx_rs::AlignmentType;
use thidua_domain::Error;

use super::layout::{TEXT_WIDTH, body, document, grid, heading, line, pack, run, title};

/// A member's signatory.
#[derive(Debug, Clone)]
pub struct Signatory {
    /// The member.
    pub unit: String,
    /// Who signs for it (empty until signed).
    pub person: String,
    /// Their title.
    pub title: String,
    /// When signed, `dd/mm/yyyy` (empty until signed).
    pub signed: String,
}

/// What the covenant shows.
#[derive(Debug, Clone)]
pub struct CovenantDoc {
    /// The cluster.
    pub cluster: String,
    /// The year.
    pub year: i32,
    /// The theme.
    pub theme: String,
    /// The body, paragraphs separated by blank lines.
    pub text: String,
    /// The commitments, in order.
    pub commitments: Vec<String>,
    /// Where it is signed.
    pub place: String,
    /// When, `dd/mm/yyyy`, if set.
    pub signing_date: String,
    /// Every member, in the term's order.
    pub signatories: Vec<Signatory>,
    /// The witnesses: name and title.
    pub witnesses: Vec<(String, String)>,
}

/// Writes the covenant as a DOCX document.
pub fn write(c: &CovenantDoc) -> Result<Vec<u8>, Error> {
    let mut doc = document()
        .add_table(heading("", &c.cluster, "", &c.place))
        .add_paragraph(title(""))
        .add_paragraph(title(&format!("GIAO ƯỚC THI ĐUA NĂM {}", c.year)));
    if !c.theme.is_empty() {
        doc = doc.add_paragraph(line(run(&c.theme).italic(), AlignmentType::Center));
    }
    for p in c
        .text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        doc = doc.add_paragraph(body(p));
    }
    if !c.commitments.is_empty() {
        doc = doc.add_paragraph(body("Các đơn vị trong cụm thống nhất giao ước thực hiện:"));
        for (i, item) in c.commitments.iter().enumerate() {
            doc = doc.add_paragraph(body(&format!("{}. {item}", i + 1)));
        }
    }
    let when = if c.signing_date.is_empty() {
        "ngày …… tháng …… năm ……".to_owned()
    } else {
        format!("ngày {}", c.signing_date)
    };
    doc = doc.add_paragraph(body(&format!(
        "Giao ước được ký tại {} {when}, có hiệu lực kể từ ngày ký.",
        c.place
    )));
    let rows: Vec<Vec<String>> = c
        .signatories
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                (i + 1).to_string(),
                s.unit.clone(),
                s.person.clone(),
                s.title.clone(),
                s.signed.clone(),
                String::new(),
            ]
        })
        .collect();
    let widths = [650, 1_900, 2_000, 2_000, 1_300, 1_505];
    debug_assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
    doc = doc
        .add_paragraph(title("ĐẠI DIỆN CÁC ĐƠN VỊ KÝ GIAO ƯỚC"))
        .add_table(grid(
            &["STT", "Đơn vị", "Người ký", "Chức vụ", "Ngày ký", "Chữ ký"],
            &rows,
            &widths,
            &[0],
        ));
    if !c.witnesses.is_empty() {
        doc = doc.add_paragraph(body("Chứng kiến:"));
        for (name, role) in &c.witnesses {
            doc = doc.add_paragraph(body(&format!("- {name}, {role}.")));
        }
    }
    pack(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::layout::read_text;

    #[test]
    fn the_covenant_lists_its_commitments_and_every_signatory() {
        let bytes = write(&CovenantDoc {
            cluster: "Cụm thi đua các xã, phường thành phố Bắc Kạn".into(),
            year: 2022,
            theme: "Đoàn kết, đổi mới, phát triển".into(),
            text: "Thực hiện phong trào thi đua yêu nước năm 2022.".into(),
            commitments: vec!["Hoàn thành thu ngân sách được giao.".into()],
            place: "phường Phùng Chí Kiên".into(),
            signing_date: "28/04/2022".into(),
            signatories: vec![
                Signatory {
                    unit: "Phùng Chí Kiên".into(),
                    person: "Hoàng Văn Thụ".into(),
                    title: "Chủ tịch UBND phường".into(),
                    signed: "28/04/2022".into(),
                },
                Signatory {
                    unit: "Nông Thượng".into(),
                    person: String::new(),
                    title: String::new(),
                    signed: String::new(),
                },
            ],
            witnesses: vec![(
                "Nguyễn Văn Bình".into(),
                "Phó Chủ tịch HĐND thành phố".into(),
            )],
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let text = read_text(&bytes);
        for needle in [
            "GIAO ƯỚC THI ĐUA NĂM 2022",
            "1. Hoàn thành thu ngân sách được giao.",
            "Giao ước được ký tại phường Phùng Chí Kiên ngày 28/04/2022, có hiệu lực kể từ ngày ký.",
            "Hoàng Văn Thụ",
            "Nông Thượng",
            "- Nguyễn Văn Bình, Phó Chủ tịch HĐND thành phố.",
        ] {
            assert!(text.iter().any(|t| t == needle), "{needle} in {text:?}");
        }
    }
}
