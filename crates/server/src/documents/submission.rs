//! Tờ trình đề nghị khen thưởng: the cluster's submission of its proposals to the organiser's
//! emulation and commendation council, on the grounds of the covenant, the scores and the
//! secret ballot, for the cluster's head to sign.

use docx_rs::AlignmentType;
use thidua_domain::Error;

use super::layout::{
    Signer, TEXT_WIDTH, body, closing, document, grid, heading, line, pack, run, title,
};

/// One proposal submitted.
#[derive(Debug, Clone)]
pub struct Proposed {
    /// The unit.
    pub unit: String,
    /// The title or form (its official name).
    pub entry: String,
    /// The total, at the table's step.
    pub total: String,
    /// Its rank.
    pub rank: String,
    /// The ballot, e.g. `8/8 phiếu đồng ý`.
    pub ballot: String,
}

/// What the submission shows.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The cluster.
    pub cluster: String,
    /// The organiser, whose council receives it.
    pub organiser: String,
    /// The year.
    pub year: i32,
    /// Where it is signed.
    pub place: String,
    /// The criteria table's title.
    pub table_title: String,
    /// The proposals.
    pub proposals: Vec<Proposed>,
    /// The leading unit, whose head signs.
    pub leader: String,
}

/// Writes the submission as a DOCX document.
pub fn write(s: &Submission) -> Result<Vec<u8>, Error> {
    let council = format!("Hội đồng Thi đua - Khen thưởng {}", s.organiser);
    let rows: Vec<Vec<String>> = s
        .proposals
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.unit.clone(),
                p.entry.clone(),
                p.total.clone(),
                p.rank.clone(),
                p.ballot.clone(),
            ]
        })
        .collect();
    let widths = [650, 2_150, 2_900, 1_000, 900, 1_755];
    debug_assert_eq!(widths.iter().sum::<usize>(), TEXT_WIDTH);
    let doc = document()
        .add_table(heading("", &s.cluster, "Số: ……/TTr-CTĐ", &s.place))
        .add_paragraph(title(""))
        .add_paragraph(title("TỜ TRÌNH"))
        .add_paragraph(line(
            run(&format!("Về việc đề nghị khen thưởng năm {}", s.year)).bold(),
            AlignmentType::Center,
        ))
        .add_paragraph(title(""))
        .add_paragraph(line(
            run(&format!("Kính gửi: {council}.")),
            AlignmentType::Center,
        ))
        .add_paragraph(body(
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022; Nghị định số \
             98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành \
             một số điều của Luật Thi đua, khen thưởng;",
        ))
        .add_paragraph(body(&format!(
            "Căn cứ giao ước thi đua năm {} và {}; căn cứ kết quả chấm điểm, xếp hạng và kết quả \
             bỏ phiếu kín tại hội nghị tổng kết của cụm,",
            s.year, s.table_title
        )))
        .add_paragraph(body(&format!(
            "{} kính đề nghị {council} xem xét, trình cấp có thẩm quyền khen thưởng cho các tập \
             thể sau:",
            s.cluster
        )))
        .add_table(grid(
            &[
                "STT",
                "Tên đơn vị",
                "Danh hiệu, hình thức đề nghị",
                "Tổng điểm",
                "Xếp hạng",
                "Kết quả bỏ phiếu",
            ],
            &rows,
            &widths,
            &[0, 3, 4],
        ))
        .add_paragraph(body(
            "(Có hồ sơ đề nghị khen thưởng của từng tập thể kèm theo.)",
        ))
        .add_paragraph(body(&format!(
            "{} kính trình {council} xem xét, quyết định./.",
            s.cluster
        )))
        .add_table(closing(
            &["Như trên", "Các đơn vị trong cụm", "Lưu: VT"],
            None,
            &Signer {
                on_behalf: "TM. CỤM THI ĐUA".into(),
                title: "TRƯỞNG CỤM".into(),
                name: s.leader.clone(),
            },
        ));
    pack(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::layout::read_text;

    #[test]
    fn the_submission_names_the_council_the_proposals_and_the_signer() {
        let bytes = write(&Submission {
            cluster: "Cụm thi đua các xã, phường thành phố Bắc Kạn".into(),
            organiser: "thành phố Bắc Kạn".into(),
            year: 2022,
            place: "Bắc Kạn".into(),
            table_title: "Bảng tiêu chí thi đua năm 2022".into(),
            proposals: vec![Proposed {
                unit: "Phùng Chí Kiên".into(),
                entry: "Cờ thi đua của Ủy ban nhân dân tỉnh".into(),
                total: "113".into(),
                rank: "1".into(),
                ballot: "8/8 phiếu đồng ý".into(),
            }],
            leader: "Phùng Chí Kiên".into(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let text = read_text(&bytes);
        for needle in [
            "Số: ……/TTr-CTĐ",
            "TỜ TRÌNH",
            "Kính gửi: Hội đồng Thi đua - Khen thưởng thành phố Bắc Kạn.",
            "Cờ thi đua của Ủy ban nhân dân tỉnh",
            "8/8 phiếu đồng ý",
            "Nơi nhận:",
            "TM. CỤM THI ĐUA",
            "TRƯỞNG CỤM",
        ] {
            assert!(text.iter().any(|t| t == needle), "{needle} in {text:?}");
        }
    }
}
