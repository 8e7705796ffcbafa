//! "Received the provincial flag last year", derived from the award register: the seed's 2022
//! flag, decided by the province, gives Phùng Chí Kiên its 2023 bonus, named by the decision,
//! and a revocation takes it away. (That nobody can report it is `results`' unit test.)

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use super::decimal;
use crate::{
    env::Env,
    support::{date, expect_error, legacy},
    tables::TABLE_CSV,
};

const TERM_2023: &str = "clusters/bac-kan-city/terms/2023";

async fn bonus(env: &Env, unit: &str) -> anyhow::Result<(String, String)> {
    let explained = env
        .scoring()
        .await?
        .explain_score(pb::ExplainScoreRequest {
            term: TERM_2023.into(),
            unit: legacy(unit),
            layer: 0,
        })
        .await?
        .into_inner();
    let c = explained
        .criteria
        .into_iter()
        .find(|c| c.code == "VI.1")
        .context("VI.1 explained")?;
    Ok((c.points.map(|d| d.value).unwrap_or_default(), c.why))
}

pub fn bonus_from_the_register(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    env.block_on(async {
        let mut targets = env.targets().await?;
        targets
            .create_criteria_table(pb::CreateCriteriaTableRequest {
                table: Some(pb::CriteriaTable {
                    title: "Bảng tiêu chí thi đua năm 2023".into(),
                    scale: decimal("100"),
                    rounding_step: decimal("0.5"),
                    ..Default::default()
                }),
                table_id: "bang-2023".into(),
                request_id: String::new(),
            })
            .await?;
        let bound = TABLE_CSV.replace("event,points=10,", "event,points=10;register=CTD_TINH,");
        ensure!(
            bound != TABLE_CSV,
            "the test table has the prior-flag bonus"
        );
        let unknown = TABLE_CSV.replace("event,points=10,", "event,points=10;register=CTD_HUYEN,");
        expect_error(
            targets
                .import_criteria_table(pb::ImportCriteriaTableRequest {
                    table: "criteriaTables/bang-2023".into(),
                    content: unknown.into_bytes(),
                    format: pb::SpreadsheetFormat::Csv.into(),
                    etag: String::new(),
                })
                .await,
            Code::InvalidArgument,
            None,
        )?;
        targets
            .import_criteria_table(pb::ImportCriteriaTableRequest {
                table: "criteriaTables/bang-2023".into(),
                content: bound.into_bytes(),
                format: pb::SpreadsheetFormat::Csv.into(),
                etag: String::new(),
            })
            .await?;
        targets
            .publish_table_version(pb::PublishTableVersionRequest {
                name: "criteriaTables/bang-2023/versions/1".into(),
                etag: String::new(),
            })
            .await?;
        env.clusters()
            .await?
            .carry_forward_term(pb::CarryForwardTermRequest {
                term: "clusters/bac-kan-city/terms/2022".into(),
                ..Default::default()
            })
            .await?;
        targets
            .apply_criteria_table(pb::ApplyCriteriaTableRequest {
                term: TERM_2023.into(),
                table_version: "criteriaTables/bang-2023/versions/1".into(),
            })
            .await?;

        let (points, why) = bonus(env, "01843").await?;
        ensure!(
            points == "10" && why.contains("215/QĐ-UBND"),
            "{points}: {why}"
        );
        let (points, _) = bonus(env, "01840").await?;
        ensure!(points == "0", "Đức Xuân held no flag in 2022: {points}");

        // A past decision loaded from a file counts the same; a bad file stores nothing.
        let dir = tempfile::tempdir()?;
        let bad = dir.path().join("quyết-định-lỗi.csv");
        std::fs::write(
            &bad,
            "unit_code,entry_code,number,date,authority,year\n\
             01840,CTD_TINH,98/QĐ-UBND,2023-01-05,06,2022\n\
             99999,CTD_TINH,98/QĐ-UBND,2023-01-05,06,2022\n",
        )?;
        let out = env.cli(&["decision", "import", bad.to_str().context("utf-8")?])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            !out.status.success() && stderr.contains("dòng 3"),
            "{stderr}"
        );
        let (points, _) = bonus(env, "01840").await?;
        ensure!(points == "0", "nothing stored from a bad file");
        let good = dir.path().join("quyết-định-2022.csv");
        std::fs::write(
            &good,
            "unit_code,entry_code,number,date,authority,year,signer\n\
             01840,CTD_TINH,98/QĐ-UBND,2023-01-05,06,2022,Chủ tịch UBND tỉnh\n",
        )?;
        for created in [1, 0] {
            let out = env.cli(&[
                "decision",
                "import",
                good.to_str().context("utf-8")?,
                "-o",
                "json",
            ])?;
            ensure!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let r: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            ensure!(r["decisions_created"] == created, "{r}");
        }
        let (points, why) = bonus(env, "01840").await?;
        ensure!(
            points == "10" && why.contains("98/QĐ-UBND"),
            "{points}: {why}"
        );

        // Revoked, it no longer counts.
        env.scoring()
            .await?
            .record_decision(pb::RecordDecisionRequest {
                decision: Some(pb::Decision {
                    number: "88/QĐ-UBND".into(),
                    decision_date: Some(date(2023, 6, 1)),
                    authority: legacy("06"),
                    signer: "Chủ tịch UBND tỉnh Bắc Kạn".into(),
                    entry: "CTD_TINH".into(),
                    year: 2022,
                    kind: pb::DecisionKind::Revocation.into(),
                    reason: "Khai man thành tích".into(),
                    ..Default::default()
                }),
                units: vec![legacy("01843")],
                ..Default::default()
            })
            .await?;
        let (points, why) = bonus(env, "01843").await?;
        ensure!(points == "0", "revoked: {points} {why}");
        Ok(())
    })
}
