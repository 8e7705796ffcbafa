//! Results imported from a file, all or nothing, and the scoreboard exported.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::{Code, Status};

use crate::{
    env::Env,
    support::{expect_error, fields, legacy},
};

use super::*;

async fn import_rows(
    env: &Env,
    request_id: &str,
    rows: Vec<pb::ResultRow>,
) -> Result<pb::ImportResultsResponse, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let mut messages = vec![pb::ImportResultsRequest {
        term: TERM.into(),
        request_id: request_id.into(),
        rows: Vec::new(),
    }];
    messages.extend(rows.chunks(3).map(|c| pb::ImportResultsRequest {
        rows: c.to_vec(),
        ..Default::default()
    }));
    Ok(scoring
        .import_results(tokio_stream::iter(messages))
        .await?
        .into_inner())
}

fn row(unit: &str, code: &str, value: &str) -> pb::ResultRow {
    pb::ResultRow {
        unit: unit.into(),
        criterion_code: code.into(),
        value: value.into(),
        evidence_reference: if matches!(code, "I.1" | "V.1") {
            "Báo cáo số 7/BC-UBND".into()
        } else {
            String::new()
        },
        ..Default::default()
    }
}

/// Imports are atomic, report every bad row and replay by request id; the summary table has
/// Vietnamese headers, subtotals, ranks and classification.
pub fn result_import_and_export(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01843", "01840"], &["1000", "800"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        let year: Vec<(&str, &str)> = vec![("I.1", "1000"), ("I.2", "100"), ("I.3", "5"), ("II.1", "0"), ("III.1", "100"), ("IV.1", "100"), ("V.1", "15"), ("VI.1", "1")];
        let mut good: Vec<pb::ResultRow> = year.iter().map(|(c, v)| row("01843", c, v)).collect();
        good.extend(year.iter().map(|(c, v)| row("qd124-2004~01840", c, if *c == "VI.1" { "0" } else { v })));
        let mut bad = good.clone();
        bad[1].unit = "058".into();
        bad[3].criterion_code = "IX.1".into();
        bad[5].value = "một trăm".into();
        bad[8].evidence_reference = String::new();
        let status = expect_error(import_rows(env, "nhap-2022", bad).await, Code::InvalidArgument, None)?;
        ensure!(
            fields(&status) == ["rows[1].unit", "rows[3].criterion_code", "rows[5].value", "rows[8].evidence"],
            "{:?}",
            fields(&status)
        );
        let mut scoring = env.scoring().await?;
        let stored = scoring
            .list_results(pb::ListResultsRequest {
                term: TERM.into(),
                unit: String::new(),
            })
            .await?
            .into_inner()
            .results;
        ensure!(stored.is_empty(), "a refused import stored {} results", stored.len());
        let deadline = |d: pb::Date| pb::SetStageDeadlinesRequest {
            term: TERM.into(),
            deadlines: vec![pb::StageDeadline {
                stage: pb::TermStage::Reporting.into(),
                deadline: Some(d),
            }],
        };
        let early = scoring.set_stage_deadlines(deadline(crate::support::date(2021, 12, 31))).await;
        expect_error(early, Code::InvalidArgument, None)?;
        scoring.set_stage_deadlines(deadline(crate::support::date(2099, 12, 31))).await?;
        let first = import_rows(env, "nhap-2022", good.clone()).await?;
        ensure!(first.results_stored == 16 && !first.replayed);
        let again = import_rows(env, "nhap-2022", good.clone()).await?;
        ensure!(again.results_stored == 16 && again.replayed, "{again:?}");
        let mut changed = good.clone();
        changed[0].value = "1200".into();
        expect_error(import_rows(env, "nhap-2022", changed.clone()).await, Code::FailedPrecondition, Some("REQUEST_ID_REUSED"))?;
        let correction = import_rows(env, "nhap-2022-lan-2", changed).await?;
        ensure!(correction.results_stored == 16);
        let stored = scoring
            .list_results(pb::ListResultsRequest {
                term: TERM.into(),
                unit: legacy("01843"),
            })
            .await?
            .into_inner()
            .results;
        ensure!(stored.len() == 16 && stored.iter().filter(|r| r.revision == 2).count() == 8);
        ensure!(stored.iter().all(|r| !r.late), "nothing is late before the deadline");
        scoring.set_stage_deadlines(deadline(crate::support::date(2022, 12, 15))).await?;
        let flagged = scoring
            .list_results(pb::ListResultsRequest {
                term: TERM.into(),
                unit: legacy("01843"),
            })
            .await?
            .into_inner()
            .results;
        ensure!(flagged.iter().all(|r| r.late), "results sent after 15/12/2022 are flagged late");

        let csv = scoring
            .export_scoreboard(pb::ExportScoreboardRequest {
                term: TERM.into(),
                layer: 0,
                format: pb::SpreadsheetFormat::Csv.into(),
            })
            .await?
            .into_inner();
        let text = String::from_utf8(csv.content)?;
        let text = text.strip_prefix('\u{feff}').context("CSV opens with a byte-order mark")?;
        let mut lines = text.lines();
        ensure!(
            lines.next() == Some("Hạng,Mã đơn vị,Tên đơn vị,Tổng điểm,I. Phát triển kinh tế,\"II. Văn hóa, giáo dục, y tế\",III. Xây dựng Đảng,\"IV. Quốc phòng, an ninh\",V. Cải cách hành chính,VI. Điểm thưởng,Xếp loại,Ghi chú"),
            "{text}"
        );
        ensure!(lines.next() == Some("1,01843,Phùng Chí Kiên,113,33,25,15,15,15,10,Hoàn thành xuất sắc nhiệm vụ,"), "{text}");
        let xlsx = scoring
            .export_scoreboard(pb::ExportScoreboardRequest {
                term: TERM.into(),
                layer: 0,
                format: pb::SpreadsheetFormat::Xlsx.into(),
            })
            .await?
            .into_inner();
        ensure!(xlsx.content.starts_with(b"PK") && xlsx.file_name.ends_with(".xlsx"));

        // The CLI feeds the same stream from CSV and XLSX files.
        let dir = tempfile::tempdir()?;
        let csv_file = dir.path().join("ket-qua.csv");
        // `1843`: a code Excel turned into a number, read back zero-padded with a warning.
        std::fs::write(&csv_file, "unit,criterion,value,evidence\n1843,I.2,95,\n")?;
        let xlsx_file = dir.path().join("ket-qua.xlsx");
        let sheet = thidua_server::sheets::write(
            &["unit", "criterion", "value", "evidence"],
            &[vec!["01840".into(), "I.2".into(), "90".into(), String::new()]],
            thidua_server::sheets::Format::Xlsx,
        )?;
        std::fs::write(&xlsx_file, sheet)?;
        for file in [&csv_file, &xlsx_file] {
            let out = env.cli(&["result", "import", "cum-a", "2022", file.to_str().context("path")?, "-o", "json"])?;
            ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            ensure!(json["stored"] == 1, "{json}");
            let warned = String::from_utf8_lossy(&out.stderr).contains("\"1843\" được đọc là \"01843\"");
            ensure!(warned == (file == &csv_file), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let bad_file = dir.path().join("xau.csv");
        std::fs::write(&bad_file, "unit,criterion,value\n058,I.2,1\n01843,IX.1,1\n")?;
        let out = env.cli(&["result", "import", "cum-a", "2022", bad_file.to_str().context("path")?])?;
        ensure!(out.status.code() == Some(3), "bad results: {:?}", out.status.code());
        let err = String::from_utf8_lossy(&out.stderr);
        ensure!(err.contains("rows[0].unit: dòng 2") && err.contains("rows[1].criterion_code: dòng 3"), "{err}");
        Ok(())
    })
}
