//! Biên bản kiểm phiếu: the minutes of the cluster's secret ballot on its proposals — who was
//! entitled, present, the valid ballots, the votes for and against, the share against the
//! term's threshold, and the result — for the vote-counting board to sign.

use docx_rs::AlignmentType;
use thidua_domain::Error;

use super::layout::{
    Signer, TEXT_WIDTH, body, closing, document, grid, heading, line, pack, run, title,
};

/// One proposal's ballot.
#[derive(Debug, Clone)]
pub struct BallotLine {
    /// The unit proposed.
    pub unit: String,
    /// The title or form proposed (its official name).
    pub entry: String,
    /// Members entitled, present, valid ballots, for, against.
    pub counts: [i64; 5],
    /// The share of the base the votes for reached, e.g. `100%`.
    pub share: String,
    /// The rule, e.g. `trên 50% số thành viên có mặt`.
    pub rule: String,
    /// Whether it passed.
    pub passed: bool,
}

/// What the minutes show.
#[derive(Debug, Clone)]
pub struct BallotMinutes {
    /// The cluster.
    pub cluster: String,
    /// The year.
    pub year: i32,
    /// Where the meeting is held.
    pub place: String,
    /// The ballots, in proposal order.
    pub lines: Vec<BallotLine>,
}

/// Writes the minutes as a DOCX document.
pub fn write(m: &BallotMinutes) -> Result<Vec<u8>, Error> {
    let rows: Vec<Vec<String>> = m
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut row = vec![(i + 1).to_string(), l.unit.clone(), l.entry.clone()];
            row.extend(l.counts.iter().map(ToString::to_string));
            row.push(l.share.clone());
            row.push(if l.passed { "Đạt" } else { "Không đạt" }.to_owned());
            row
        })
        .collect();
    let widths = [650, 1_700, 2_100, 800, 700, 700, 700, 750, 655, 600];
    debug_assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
    let doc = document()
        .add_table(heading("", &m.cluster, "", &m.place))
        .add_paragraph(title(""))
        .add_paragraph(title("BIÊN BẢN KIỂM PHIẾU"))
        .add_paragraph(line(
            run(&format!(
                "Bầu chọn đơn vị đề nghị khen thưởng năm {}",
                m.year
            ))
            .bold(),
            AlignmentType::Center,
        ))
        .add_paragraph(body(&format!(
            "Hôm nay, vào hồi …… giờ …… ngày …… tháng …… năm ……, tại {}, hội nghị {} tổ chức \
             bỏ phiếu kín bầu chọn các đơn vị đề nghị khen thưởng năm {}.",
            m.place, m.cluster, m.year
        )))
        .add_paragraph(body("Ban kiểm phiếu gồm:"))
        .add_paragraph(body("1. ……………………………………… – Trưởng ban;"))
        .add_paragraph(body("2. ……………………………………… – Thư ký;"))
        .add_paragraph(body("3. ……………………………………… – Thành viên."))
        .add_paragraph(body(&match m.lines.first() {
            Some(l) => format!(
                "Đơn vị được đề nghị khi số phiếu đồng ý {}. Kết quả kiểm phiếu như sau:",
                l.rule
            ),
            None => "Không có đề nghị nào được bỏ phiếu.".to_owned(),
        }))
        .add_table(grid(
            &[
                "STT",
                "Đơn vị",
                "Danh hiệu, hình thức đề nghị",
                "Thành viên",
                "Có mặt",
                "Hợp lệ",
                "Đồng ý",
                "Không đồng ý",
                "Tỷ lệ",
                "Kết quả",
            ],
            &rows,
            &widths,
            &[0, 3, 4, 5, 6, 7, 8],
        ))
        .add_paragraph(body(
            "Biên bản kết thúc vào hồi …… giờ …… cùng ngày, đã được đọc lại cho các thành viên dự \
             hội nghị cùng nghe và thống nhất.",
        ))
        .add_table(closing(
            &[],
            Some(&Signer {
                title: "THƯ KÝ".into(),
                ..Signer::default()
            }),
            &Signer {
                title: "TRƯỞNG BAN KIỂM PHIẾU".into(),
                ..Signer::default()
            },
        ));
    pack(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::layout::read_text;

    #[test]
    fn the_minutes_show_each_ballot_and_its_result() {
        let bytes = write(&BallotMinutes {
            cluster: "Cụm thi đua các xã, phường thành phố Bắc Kạn".into(),
            year: 2022,
            place: "Bắc Kạn".into(),
            lines: vec![BallotLine {
                unit: "Phùng Chí Kiên".into(),
                entry: "Cờ thi đua của Ủy ban nhân dân tỉnh".into(),
                counts: [8, 8, 8, 7, 1],
                share: "87,5%".into(),
                rule: "trên 50% số thành viên có mặt".into(),
                passed: true,
            }],
        })
        .unwrap_or_else(|e| panic!("{e}"));
        // The page the rules set: A4, margins 20 mm top and bottom, 30 mm left, 15 mm right,
        // Times New Roman.
        let xml = {
            use std::io::Read;
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone()))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut text = String::new();
            zip.by_name("word/document.xml")
                .unwrap_or_else(|e| panic!("{e}"))
                .read_to_string(&mut text)
                .unwrap_or_else(|e| panic!("{e}"));
            text
        };
        for needle in [
            r#"w:w="11906""#,
            r#"w:h="16838""#,
            r#"w:top="1134""#,
            r#"w:left="1701""#,
            r#"w:right="850""#,
            r#"w:ascii="Times New Roman""#,
        ] {
            assert!(xml.contains(needle), "{needle}");
        }
        let text = read_text(&bytes);
        for needle in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "CỤM THI ĐUA CÁC XÃ, PHƯỜNG THÀNH PHỐ BẮC KẠN",
            "BIÊN BẢN KIỂM PHIẾU",
            "Phùng Chí Kiên",
            "87,5%",
            "Đạt",
            "Đơn vị được đề nghị khi số phiếu đồng ý trên 50% số thành viên có mặt. Kết quả kiểm phiếu như sau:",
            "TRƯỞNG BAN KIỂM PHIẾU",
            "THƯ KÝ",
        ] {
            assert!(text.iter().any(|t| t == needle), "{needle} in {text:?}");
        }
    }
}
