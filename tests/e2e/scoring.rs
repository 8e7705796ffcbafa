//! Scenarios of the year-end cycle: stages, results, layers, the scoreboard.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::{Code, Status};

use crate::{
    env::Env,
    support::{create_cluster, create_term, expect_error, fields, import_bac_kan, legacy},
    tables::TABLE_CSV,
};

const TERM: &str = "clusters/cum-a/terms/2022";

fn decimal(v: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal { value: v.into() })
}

/// A signed 2022 term of `members` with the test table applied and targets set.
async fn signed_term(env: &Env, members: &[&str], budget: &[&str]) -> anyhow::Result<()> {
    import_bac_kan(env).await?;
    create_cluster(env, "cum-a", pb::ClusterKind::Territorial).await?;
    let units: Vec<String> = members.iter().map(|m| legacy(m)).collect();
    create_term(env, "cum-a", 2022, &units).await?;
    let mut targets = env.targets().await?;
    targets
        .create_criteria_table(pb::CreateCriteriaTableRequest {
            table: Some(pb::CriteriaTable {
                title: "Bảng tiêu chí thi đua năm 2022".into(),
                scale: decimal("100"),
                rounding_step: decimal("0.5"),
                ..Default::default()
            }),
            table_id: "bang-2022".into(),
            request_id: String::new(),
        })
        .await?;
    targets
        .import_criteria_table(pb::ImportCriteriaTableRequest {
            table: "criteriaTables/bang-2022".into(),
            content: TABLE_CSV.as_bytes().to_vec(),
            format: pb::SpreadsheetFormat::Csv.into(),
            etag: String::new(),
        })
        .await?;
    targets
        .publish_table_version(pb::PublishTableVersionRequest {
            name: "criteriaTables/bang-2022/versions/1".into(),
            etag: String::new(),
        })
        .await?;
    targets
        .apply_criteria_table(pb::ApplyCriteriaTableRequest {
            term: TERM.into(),
            table_version: "criteriaTables/bang-2022/versions/1".into(),
        })
        .await?;
    let mut values: Vec<pb::Target> = [
        ("I.2", "100"),
        ("II.1", "0"),
        ("III.1", "100"),
        ("IV.1", "100"),
    ]
    .iter()
    .map(|(c, v)| pb::Target {
        criterion_code: (*c).into(),
        unit: String::new(),
        value: decimal(v),
    })
    .collect();
    for (unit, value) in units.iter().zip(budget) {
        values.push(pb::Target {
            criterion_code: "I.1".into(),
            unit: unit.clone(),
            value: decimal(value),
        });
    }
    targets
        .set_targets(pb::SetTargetsRequest {
            term: TERM.into(),
            targets: values,
        })
        .await?;
    let mut clusters = env.clusters().await?;
    for unit in &units {
        clusters
            .sign_covenant(pb::SignCovenantRequest {
                covenant: format!("{TERM}/covenant"),
                signature: Some(pb::Signature {
                    unit: unit.clone(),
                    signatory_name: "Đại diện UBND".into(),
                    signatory_title: String::new(),
                    sign_time: None,
                }),
            })
            .await?;
    }
    Ok(())
}

async fn advance(env: &Env, stage: pb::TermStage) -> Result<pb::Term, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    scoring
        .advance_term(pb::AdvanceTermRequest {
            term: TERM.into(),
            stage: stage.into(),
        })
        .await?
        .into_inner()
        .term
        .ok_or_else(|| Status::internal("no term"))
}

async fn submit(
    env: &Env,
    unit: &str,
    code: &str,
    value: &str,
    evidence: &str,
) -> Result<pb::ReportedResult, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    scoring
        .submit_result(pb::SubmitResultRequest {
            term: TERM.into(),
            result: Some(pb::ReportedResult {
                unit: unit.into(),
                criterion_code: code.into(),
                value: decimal(value),
                evidence_reference: evidence.into(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .result
        .ok_or_else(|| Status::internal("no result"))
}

/// Reports a full year for one member: (code, value) pairs, evidence where the table asks.
async fn report(env: &Env, unit: &str, values: &[(&str, &str)]) -> anyhow::Result<()> {
    for (code, value) in values {
        let evidence = if matches!(*code, "I.1" | "V.1") {
            "Báo cáo số 12/BC-UBND"
        } else {
            ""
        };
        submit(env, &legacy(unit), code, value, evidence).await?;
    }
    Ok(())
}

/// Reports a year for Phùng Chí Kiên, Đức Xuân and Nông Thượng; Đức Xuân's budget revenue
/// (I.1) and outbreaks (II.1) vary between scenarios.
async fn report_trio(
    env: &Env,
    duc_xuan_budget: &str,
    duc_xuan_outbreaks: &str,
) -> anyhow::Result<()> {
    report(
        env,
        "01843",
        &[
            ("I.1", "1100"),
            ("I.2", "100"),
            ("I.3", "5"),
            ("II.1", "0"),
            ("III.1", "100"),
            ("IV.1", "100"),
            ("V.1", "15"),
            ("VI.1", "1"),
        ],
    )
    .await?;
    report(
        env,
        "01840",
        &[
            ("I.1", duc_xuan_budget),
            ("I.2", "95"),
            ("I.3", "4"),
            ("II.1", duc_xuan_outbreaks),
            ("III.1", "98"),
            ("IV.1", "100"),
            ("V.1", "14"),
            ("VI.1", "0"),
        ],
    )
    .await?;
    report(
        env,
        "01852",
        &[
            ("I.1", "500"),
            ("I.2", "100"),
            ("I.3", "3"),
            ("II.1", "0"),
            ("III.1", "100"),
            ("IV.1", "90"),
            ("V.1", "12"),
            ("VI.1", "0"),
        ],
    )
    .await
}

async fn board(env: &Env, layer: pb::ScoreLayer) -> anyhow::Result<Vec<(String, String)>> {
    let mut scoring = env.scoring().await?;
    let b = scoring
        .get_scoreboard(pb::GetScoreboardRequest {
            term: TERM.into(),
            layer: layer.into(),
        })
        .await?
        .into_inner();
    Ok(b.rows
        .into_iter()
        .map(|r| {
            (
                r.unit.trim_start_matches("units/qd124-2004~").to_owned(),
                r.total.map(|d| d.value).unwrap_or_default(),
            )
        })
        .collect())
}

async fn score(
    env: &Env,
    unit: &str,
    code: &str,
    layer: pb::ScoreLayer,
    points: &str,
    reason: &str,
) -> Result<pb::RecordScoreResponse, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    Ok(scoring
        .record_score(pb::RecordScoreRequest {
            term: TERM.into(),
            unit: legacy(unit),
            criterion_code: code.into(),
            layer: layer.into(),
            points: decimal(points),
            reason: reason.into(),
        })
        .await?
        .into_inner())
}

/// Stages run in order; results are validated and revised; each layer counts above the one
/// before without erasing it; the board matches hand-computed totals; adoption freezes scores
/// until a reasoned reopening.
pub fn year_end_cycle(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01843", "01840", "01852"], &["1000", "800", "500"]).await?;
        let skip = advance(env, pb::TermStage::Review).await;
        let status = expect_error(skip, Code::FailedPrecondition, Some("WRONG_STAGE"))?;
        ensure!(status.message().contains("setup"), "{}", status.message());
        expect_error(
            submit(env, &legacy("01843"), "I.2", "100", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        let term = advance(env, pb::TermStage::Reporting).await?;
        ensure!(term.stage == i32::from(pb::TermStage::Reporting));

        for (unit, code, value, evidence, field) in [
            (legacy("058"), "I.2", "100", "", "result.unit"),
            (legacy("01843"), "IX.9", "100", "", "result.criterion_code"),
            (legacy("01843"), "I.2", "1,5", "", "result.value"),
            (legacy("01843"), "I.1", "1100", "", "result.evidence"),
            (legacy("01843"), "VI.1", "2", "", "result.value"),
        ] {
            let status = expect_error(
                submit(env, &unit, code, value, evidence).await,
                Code::InvalidArgument,
                None,
            )?;
            ensure!(
                fields(&status) == [field],
                "{code} {value}: {:?}",
                fields(&status)
            );
        }
        report_trio(env, "720", "1").await?;
        let expected = |a: &str, b: &str, c: &str| {
            vec![
                ("01843".to_owned(), a.to_owned()),
                ("01840".to_owned(), b.to_owned()),
                ("01852".to_owned(), c.to_owned()),
            ]
        };
        ensure!(
            board(env, pb::ScoreLayer::Results).await? == expected("113", "89", "85"),
            "{:?}",
            board(env, pb::ScoreLayer::Results).await?
        );
        let corrected =
            // 760 of 800 is 95%: 14.25 points, rounded half away from zero to 14.5.
            submit(env, &legacy("01840"), "I.1", "760", "Báo cáo số 15/BC-UBND").await?;
        ensure!(corrected.revision == 2);
        ensure!(board(env, pb::ScoreLayer::Results).await? == expected("113", "90", "85"));
        // Eight officers correct the same result at once: each gets the next revision, none
        // is lost, and the board still counts the latest.
        let mut corrections = Vec::new();
        for i in 0..8 {
            let mut scoring = env.scoring().await?;
            corrections.push(tokio::spawn(async move {
                scoring
                    .submit_result(pb::SubmitResultRequest {
                        term: TERM.into(),
                        result: Some(pb::ReportedResult {
                            unit: legacy("01840"),
                            criterion_code: "I.1".into(),
                            value: decimal("760"),
                            evidence_reference: format!("Báo cáo số {}/BC-UBND", 16 + i),
                            ..Default::default()
                        }),
                    })
                    .await
                    .map(|r| r.into_inner().result.map(|r| r.revision))
            }));
        }
        let mut revisions = Vec::new();
        for c in corrections {
            revisions.push(c.await??.context("no result")?);
        }
        revisions.sort_unstable();
        ensure!(revisions == (3..=10).collect::<Vec<_>>(), "{revisions:?}");
        let next = submit(env, &legacy("01840"), "I.1", "760", "Báo cáo số 24/BC-UBND").await?;
        ensure!(next.revision == 11, "{}", next.revision);
        ensure!(board(env, pb::ScoreLayer::Results).await? == expected("113", "90", "85"));

        expect_error(
            score(env, "01852", "V.1", pb::ScoreLayer::Self_, "14", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        advance(env, pb::TermStage::SelfScoring).await?;
        score(env, "01852", "V.1", pb::ScoreLayer::Self_, "14", "").await?;
        expect_error(
            score(env, "01852", "V.1", pb::ScoreLayer::Self_, "16", "").await,
            Code::InvalidArgument,
            None,
        )?;
        advance(env, pb::TermStage::Review).await?;
        expect_error(
            submit(env, &legacy("01852"), "I.2", "100", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        score(env, "01852", "V.1", pb::ScoreLayer::Review, "11", "").await?;
        let status = expect_error(
            score(env, "01840", "III.1", pb::ScoreLayer::Adjustment, "15", " ").await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["reason"]);
        score(
            env,
            "01840",
            "III.1",
            pb::ScoreLayer::Adjustment,
            "15",
            "Số liệu học tập nghị quyết được bổ sung",
        )
        .await?;
        ensure!(
            board(env, pb::ScoreLayer::Results).await? == expected("113", "90", "85"),
            "results layer unchanged"
        );
        ensure!(board(env, pb::ScoreLayer::Self_).await? == expected("113", "90", "87"));
        ensure!(board(env, pb::ScoreLayer::Review).await? == expected("113", "90", "84"));
        ensure!(board(env, pb::ScoreLayer::Adjustment).await? == expected("113", "92", "84"));

        let mut scoring = env.scoring().await?;
        let history = scoring
            .list_scores(pb::ListScoresRequest {
                term: TERM.into(),
                unit: legacy("01852"),
            })
            .await?
            .into_inner()
            .scores;
        let layers: Vec<i32> = history.iter().map(|s| s.layer).collect();
        ensure!(
            layers
                == [
                    i32::from(pb::ScoreLayer::Review),
                    i32::from(pb::ScoreLayer::Self_)
                ]
                || layers
                    == [
                        i32::from(pb::ScoreLayer::Self_),
                        i32::from(pb::ScoreLayer::Review)
                    ],
            "both layers kept: {history:?}"
        );
        let explained = scoring
            .explain_score(pb::ExplainScoreRequest {
                term: TERM.into(),
                unit: legacy("01843"),
                layer: pb::ScoreLayer::Adjustment.into(),
            })
            .await?
            .into_inner();
        let i1 = explained
            .criteria
            .iter()
            .find(|c| c.code == "I.1")
            .context("no I.1")?;
        ensure!(
            i1.points.as_ref().map(|d| d.value.as_str()) == Some("18"),
            "{i1:?}"
        );
        ensure!(
            i1.target.as_ref().map(|d| d.value.as_str()) == Some("1000")
                && i1.why.contains("bonus"),
            "{i1:?}"
        );
        let b = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(b.leading_unit == legacy("01843"));
        ensure!(
            b.rows[0].classification == "hoàn thành xuất sắc",
            "{:?}",
            b.rows[0]
        );

        advance(env, pb::TermStage::Adopted).await?;
        expect_error(
            score(env, "01852", "V.1", pb::ScoreLayer::Review, "12", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        let no_reason = scoring
            .reopen_term(pb::ReopenTermRequest {
                term: TERM.into(),
                reason: String::new(),
            })
            .await;
        expect_error(no_reason, Code::InvalidArgument, None)?;
        let reopened = scoring
            .reopen_term(pb::ReopenTermRequest {
                term: TERM.into(),
                reason: "Phát hiện sai sót số liệu thu ngân sách".into(),
            })
            .await?
            .into_inner()
            .term
            .context("no term")?;
        ensure!(reopened.stage == i32::from(pb::TermStage::Review));
        let history = scoring
            .list_results(pb::ListResultsRequest {
                term: TERM.into(),
                unit: legacy("01840"),
            })
            .await?
            .into_inner()
            .results;
        ensure!(
            history.iter().filter(|r| r.criterion_code == "I.1").count() == 11,
            "revisions kept: the report, its correction, and nine concurrent ones"
        );
        ensure!(
            board(env, pb::ScoreLayer::Adjustment).await? == expected("113", "92", "84"),
            "reopening kept every score"
        );
        Ok(())
    })
}

/// Xuất Hóa and Dương Quang with identical results, in review: tied under every rule.
async fn tied_pair_in_review(env: &Env) -> anyhow::Result<()> {
    signed_term(env, &["01855", "01849"], &["700", "700"]).await?;
    advance(env, pb::TermStage::Reporting).await?;
    for unit in ["01855", "01849"] {
        report(
            env,
            unit,
            &[
                ("I.1", "700"),
                ("I.2", "100"),
                ("I.3", "4"),
                ("II.1", "0"),
                ("III.1", "99"),
                ("IV.1", "100"),
                ("V.1", "13"),
                ("VI.1", "0"),
            ],
        )
        .await?;
    }
    advance(env, pb::TermStage::SelfScoring).await?;
    advance(env, pb::TermStage::Review).await?;
    Ok(())
}

/// Two members with the same results tie under every rule: adoption waits for a decision.
pub fn unresolved_tie_blocks_adoption(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        tied_pair_in_review(env).await?;
        let mut scoring = env.scoring().await?;
        let b = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(
            b.rows.iter().all(|r| r.unresolved_tie && r.rank == 1),
            "{:?}",
            b.rows
        );
        ensure!(b.leading_unit.is_empty(), "no leader while the top is tied");
        expect_error(
            advance(env, pb::TermStage::Adopted).await,
            Code::FailedPrecondition,
            Some("UNRESOLVED_TIE"),
        )?;
        Ok(())
    })
}

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
        let mut lines = text.lines();
        ensure!(
            lines.next() == Some("Hạng,Mã đơn vị,Tên đơn vị,Tổng điểm,I. Phát triển kinh tế,\"II. Văn hóa, giáo dục, y tế\",III. Xây dựng Đảng,\"IV. Quốc phòng, an ninh\",V. Cải cách hành chính,VI. Điểm thưởng,Xếp loại,Ghi chú"),
            "{text}"
        );
        ensure!(lines.next() == Some("1,01843,Phùng Chí Kiên,113,33,25,15,15,15,10,hoàn thành xuất sắc,"), "{text}");
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
        std::fs::write(&csv_file, "unit,criterion,value,evidence\n01843,I.2,95,\n")?;
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
            ensure!(json["stored"] == "1", "{json}");
        }
        let bad_file = dir.path().join("xau.csv");
        std::fs::write(&bad_file, "unit,criterion,value\n058,I.2,1\n01843,IX.1,1\n")?;
        let out = env.cli(&["result", "import", "cum-a", "2022", bad_file.to_str().context("path")?])?;
        ensure!(out.status.code() == Some(3), "bad results: {:?}", out.status.code());
        let err = String::from_utf8_lossy(&out.stderr);
        ensure!(err.contains("rows[0].unit: line 2") && err.contains("rows[1].criterion_code: line 3"), "{err}");
        Ok(())
    })
}

async fn propose(env: &Env, unit: &str, kind: pb::AwardKind) -> Result<pb::Award, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    scoring
        .propose_award(pb::ProposeAwardRequest {
            award: Some(pb::Award {
                term: TERM.into(),
                unit: legacy(unit),
                kind: kind.into(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .award
        .ok_or_else(|| Status::internal("no award"))
}

async fn ballot(env: &Env, award: &str, counts: [i64; 5]) -> Result<pb::Award, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let [eligible, present, valid, yes, no] = counts;
    scoring
        .record_ballot(pb::RecordBallotRequest {
            award: award.into(),
            ballot: Some(pb::Ballot {
                eligible,
                present,
                valid,
                yes,
                no,
                threshold: None,
                base: pb::BallotBase::Present.into(),
                passed: false,
            }),
        })
        .await?
        .into_inner()
        .award
        .ok_or_else(|| Status::internal("no award"))
}

/// Awards after adoption: eligibility, one award per unit, ballots that must add up, a complete
/// dossier before submission, and revocation that keeps history.
pub fn awards_and_ballots(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01843", "01840", "01852"], &["1000", "800", "500"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        report_trio(env, "760", "0").await?;
        expect_error(
            propose(env, "01843", pb::AwardKind::ProvincialFlag).await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        for stage in [
            pb::TermStage::SelfScoring,
            pb::TermStage::Review,
            pb::TermStage::Adopted,
        ] {
            advance(env, stage).await?;
        }
        let status = expect_error(
            propose(env, "01852", pb::AwardKind::ProvincialFlag).await,
            Code::FailedPrecondition,
            Some("NOT_ELIGIBLE"),
        )?;
        ensure!(status.message().contains("01852"), "{}", status.message());
        expect_error(
            propose(env, "01840", pb::AwardKind::ProvincialFlag).await,
            Code::FailedPrecondition,
            Some("NOT_ELIGIBLE"),
        )?;
        let flag = propose(env, "01843", pb::AwardKind::ProvincialFlag).await?;
        let merit = propose(env, "01840", pb::AwardKind::CertificateOfMerit).await?;
        expect_error(
            propose(env, "01843", pb::AwardKind::GovernmentFlag).await,
            Code::AlreadyExists,
            None,
        )?;

        expect_error(
            ballot(env, &flag.name, [3, 3, 3, 2, 1]).await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        advance(env, pb::TermStage::Ballot).await?;
        for counts in [
            [3, 3, 4, 2, 1],
            [3, 4, 3, 2, 1],
            [3, 3, 3, 3, 1],
            [3, 3, 3, -1, 1],
            [8, 3, 3, 2, 1],
        ] {
            expect_error(
                ballot(env, &flag.name, counts).await,
                Code::InvalidArgument,
                None,
            )?;
        }
        let passed = ballot(env, &flag.name, [3, 3, 3, 2, 1]).await?;
        ensure!(
            passed.state == i32::from(pb::AwardState::Passed)
                && passed.ballot.as_ref().is_some_and(|b| b.passed)
        );
        let failed = ballot(env, &merit.name, [3, 2, 2, 1, 1]).await?;
        ensure!(
            failed.state == i32::from(pb::AwardState::Failed),
            "1 of 2 present is not more than half"
        );

        let mut scoring = env.scoring().await?;
        let submit = |name: &str, dossier: Option<pb::Dossier>| pb::SubmitAwardRequest {
            award: name.into(),
            dossier,
        };
        expect_error(
            scoring.submit_award(submit(&merit.name, None)).await,
            Code::FailedPrecondition,
            Some("AWARD_STATE"),
        )?;
        let status = expect_error(
            scoring.submit_award(submit(&flag.name, None)).await,
            Code::FailedPrecondition,
            Some("DOSSIER_INCOMPLETE"),
        )?;
        ensure!(status.message().contains("incomplete"));
        let dossier = pb::Dossier {
            submission_letter: "Tờ trình 05/TTr-CTĐ ngày 20/12/2022".into(),
            minutes: "Biên bản họp cụm ngày 15/12/2022".into(),
            achievement_report: "Báo cáo thành tích phường Phùng Chí Kiên năm 2022".into(),
        };
        let submitted = scoring
            .submit_award(submit(&flag.name, Some(dossier)))
            .await?
            .into_inner()
            .award
            .context("no award")?;
        ensure!(submitted.state == i32::from(pb::AwardState::Submitted));
        let revoke = |act: &str| pb::RevokeAwardRequest {
            award: flag.name.clone(),
            legal_ground: "Kê khai thành tích không trung thực".into(),
            legal_act: act.into(),
        };
        expect_error(
            scoring.revoke_award(revoke("")).await,
            Code::InvalidArgument,
            None,
        )?;
        scoring
            .revoke_award(revoke("Quyết định 99/QĐ-UBND"))
            .await?;
        let list = scoring
            .list_awards(pb::ListAwardsRequest { term: TERM.into() })
            .await?
            .into_inner()
            .awards;
        ensure!(list.len() == 2, "revoked awards stay listed");
        ensure!(
            list.iter()
                .any(|a| a.state == i32::from(pb::AwardState::Revoked)
                    && a.revocation_act == "Quyết định 99/QĐ-UBND")
        );
        Ok(())
    })
}

/// A recorded decision breaks a tie no rule breaks, and adoption may then go ahead.
pub fn tie_decision_allows_adoption(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        tied_pair_in_review(env).await?;
        let mut scoring = env.scoring().await?;
        let decide = |units: Vec<String>, reason: &str| pb::RecordTieDecisionRequest {
            term: TERM.into(),
            units,
            decided_by: "Hội nghị tổng kết cụm".into(),
            reason: reason.into(),
        };
        let status = expect_error(
            scoring
                .record_tie_decision(decide(vec![legacy("01855")], "x"))
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["units"]);
        let board = scoring
            .record_tie_decision(decide(
                vec![legacy("01849"), legacy("01855")],
                "Biểu quyết tại hội nghị ngày 15/12/2022",
            ))
            .await?
            .into_inner()
            .scoreboard
            .context("no board")?;
        ensure!(board.leading_unit == legacy("01849"), "{board:?}");
        ensure!(
            board.rows[1].tie_note.contains("Hội nghị tổng kết cụm"),
            "{}",
            board.rows[1].tie_note
        );
        advance(env, pb::TermStage::Adopted).await?;
        Ok(())
    })
}

async fn read_board(env: &Env) -> anyhow::Result<pb::GetScoreboardResponse> {
    let request = pb::GetScoreboardRequest {
        term: TERM.into(),
        layer: pb::ScoreLayer::Results.into(),
    };
    Ok(env
        .scoring()
        .await?
        .get_scoreboard(request)
        .await?
        .into_inner())
}

async fn next_board(
    stream: &mut tonic::Streaming<pb::WatchScoreboardResponse>,
) -> anyhow::Result<pb::GetScoreboardResponse> {
    let message = tokio::time::timeout(std::time::Duration::from_secs(30), stream.message())
        .await
        .context("no scoreboard within 30 s")??
        .context("the watch ended")?;
    message.scoreboard.context("an empty message")
}

fn total_of(board: &pb::GetScoreboardResponse, unit: &str) -> String {
    board
        .rows
        .iter()
        .find(|r| r.unit == legacy(unit))
        .and_then(|r| r.total.as_ref())
        .map(|d| d.value.clone())
        .unwrap_or_default()
}

/// A watcher gets the board at once and again after each change; on PostgreSQL a change made
/// through one server reaches a watcher connected to another (LISTEN/NOTIFY).
pub fn watch_scoreboard(env: &Env) -> anyhow::Result<()> {
    let other = env.twin()?;
    env.block_on(async {
        signed_term(env, &["01843", "01840"], &["1000", "800"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        let watch = |layer: pb::ScoreLayer| pb::WatchScoreboardRequest {
            term: TERM.into(),
            layer: layer.into(),
        };
        let mut here = env
            .scoring()
            .await?
            .watch_scoreboard(watch(pb::ScoreLayer::Results))
            .await?
            .into_inner();
        let first = next_board(&mut here).await?;
        ensure!(total_of(&first, "01843") == "0", "{first:?}");
        submit(env, &legacy("01843"), "I.2", "100", "").await?;
        let second = next_board(&mut here).await?;
        ensure!(total_of(&second, "01843") == "10", "{second:?}");
        // Read once everywhere, so each server keeps the board in memory.
        read_board(env).await?;
        if env.is_postgres() {
            read_board(&other).await?;
        }
        // A member renamed through another service: its watchers wake, and no server keeps the
        // old name.
        let mut units = env.units().await?;
        let unit = units
            .get_unit(pb::GetUnitRequest {
                name: legacy("01840"),
            })
            .await?
            .into_inner()
            .unit
            .context("the server answered without a unit")?;
        units
            .update_unit(pb::UpdateUnitRequest {
                unit: Some(pb::Unit {
                    name: legacy("01840"),
                    display_name: "Phường Đức Xuân".into(),
                    etag: unit.etag,
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["display_name".into()],
                }),
            })
            .await?;
        let renamed = next_board(&mut here).await?;
        let name_on = |board: &pb::GetScoreboardResponse| {
            board
                .rows
                .iter()
                .find(|r| r.unit == legacy("01840"))
                .map(|r| r.display_name.clone())
        };
        ensure!(
            name_on(&renamed).as_deref() == Some("Phường Đức Xuân"),
            "the watcher saw {renamed:?}"
        );
        let kept = read_board(env).await?;
        ensure!(
            name_on(&kept).as_deref() == Some("Phường Đức Xuân"),
            "a kept board shows {:?}",
            name_on(&kept)
        );
        if env.is_postgres() {
            let kept = read_board(&other).await?;
            ensure!(
                name_on(&kept).as_deref() == Some("Phường Đức Xuân"),
                "the other server's kept board shows {:?}",
                name_on(&kept)
            );
        }
        if env.is_postgres() {
            let mut there = other
                .scoring()
                .await?
                .watch_scoreboard(watch(pb::ScoreLayer::Results))
                .await?
                .into_inner();
            let start = next_board(&mut there).await?;
            ensure!(total_of(&start, "01843") == "10");
            submit(env, &legacy("01843"), "I.3", "5", "").await?;
            let relayed = next_board(&mut there).await?;
            ensure!(
                total_of(&relayed, "01843") == "15",
                "the other server's watcher saw {relayed:?}"
            );
        }
        Ok(())
    })
}

/// A term's policy sets the tie-break chain, the classification levels and the ballot rule,
/// until adoption.
pub fn scoring_policy(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01855", "01849"], &["700", "700"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        let common = [
            ("I.1", "700"),
            ("I.2", "100"),
            ("II.1", "0"),
            ("III.1", "100"),
            ("IV.1", "100"),
            ("VI.1", "0"),
        ];
        report(env, "01855", &common).await?;
        report(env, "01855", &[("I.3", "5"), ("V.1", "13")]).await?;
        report(env, "01849", &common).await?;
        report(env, "01849", &[("I.3", "3"), ("V.1", "15")]).await?;
        advance(env, pb::TermStage::SelfScoring).await?;
        advance(env, pb::TermStage::Review).await?;
        let mut scoring = env.scoring().await?;
        let leader = |b: pb::GetScoreboardResponse| b.leading_unit;
        let board = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(
            leader(board) == legacy("01855"),
            "the default chain starts with group I"
        );
        let set = |policy: pb::ScoringPolicy| pb::SetScoringPolicyRequest {
            term: TERM.into(),
            policy: Some(policy),
        };
        let bad = pb::ScoringPolicy {
            tie_breaks: vec![pb::TieBreakStep {
                kind: pb::TieBreakKind::Subtotal.into(),
                code: "IX".into(),
            }],
            certificates_of_merit: -1,
            ..Default::default()
        };
        let status = expect_error(
            scoring.set_scoring_policy(set(bad)).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(
            fields(&status) == ["policy.certificates_of_merit"],
            "{:?}",
            fields(&status)
        );
        let unknown_code = pb::ScoringPolicy {
            tie_breaks: vec![pb::TieBreakStep {
                kind: pb::TieBreakKind::Subtotal.into(),
                code: "IX".into(),
            }],
            ..Default::default()
        };
        let status = expect_error(
            scoring.set_scoring_policy(set(unknown_code)).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(
            fields(&status) == ["policy.tie_breaks[0].code"],
            "{:?}",
            fields(&status)
        );
        let policy = pb::ScoringPolicy {
            tie_breaks: vec![pb::TieBreakStep {
                kind: pb::TieBreakKind::Subtotal.into(),
                code: "V".into(),
            }],
            levels: vec![pb::ClassificationLevel {
                name: "Đạt yêu cầu".into(),
                min_total_share: decimal("0.5"),
                min_criterion_share: decimal("0"),
            }],
            ballot_threshold: decimal("0.6"),
            ballot_base: pb::BallotBase::All.into(),
            ..Default::default()
        };
        scoring.set_scoring_policy(set(policy.clone())).await?;
        let board = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(
            board.rows[1].tie_note.contains("subtotal of V"),
            "{:?}",
            board.rows[1]
        );
        ensure!(board.rows.iter().all(|r| r.classification == "Đạt yêu cầu"));
        ensure!(
            leader(board) == legacy("01849"),
            "the configured chain puts group V first"
        );
        advance(env, pb::TermStage::Adopted).await?;
        expect_error(
            scoring.set_scoring_policy(set(policy)).await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        let flag = propose(env, "01849", pb::AwardKind::ProvincialFlag).await?;
        advance(env, pb::TermStage::Ballot).await?;
        let voted = ballot(env, &flag.name, [2, 2, 2, 2, 0]).await?;
        let b = voted.ballot.context("no ballot")?;
        ensure!(
            b.passed
                && b.threshold.map(|d| d.value).as_deref() == Some("0.6")
                && b.base == i32::from(pb::BallotBase::All)
        );
        Ok(())
    })
}
