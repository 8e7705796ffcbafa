//! Scenarios of the year-end cycle, one file per topic: the cycle, ties, imports, awards, the
//! watched scoreboard and the scoring policy. The helpers here set up a signed term and act on
//! it.

mod awards;
mod catalogue;
mod cycle;
mod decisions;
mod imports;
mod policy;
mod quota;
mod register_bonus;
mod ties;
mod watch;

pub use awards::awards_and_ballots;
pub use catalogue::catalogue_versions_and_prerequisites;
pub use cycle::year_end_cycle;
pub use decisions::decisions_and_register;
pub use imports::result_import_and_export;
pub use policy::scoring_policy;
pub use quota::government_flag_quota;
pub use register_bonus::bonus_from_the_register;
pub use ties::{tie_decision_allows_adoption, unresolved_tie_blocks_adoption};
pub use watch::watch_scoreboard;

use thidua_proto::v1 as pb;
use tonic::Status;

use crate::{
    env::Env,
    support::{create_cluster, create_term, import_bac_kan, legacy},
    tables::TABLE_CSV,
};

pub(super) const TERM: &str = "clusters/cum-a/terms/2022";

pub(super) fn decimal(v: &str) -> Option<pb::Decimal> {
    Some(pb::Decimal { value: v.into() })
}

/// A signed 2022 term of `members` with the test table applied and targets set.
pub(super) async fn signed_term(
    env: &Env,
    members: &[&str],
    budget: &[&str],
) -> anyhow::Result<()> {
    import_bac_kan(env).await?;
    create_cluster(env, "cum-a", pb::ClusterKind::Territorial).await?;
    let units: Vec<String> = members.iter().map(|m| legacy(m)).collect();
    create_term(env, "cum-a", 2022, &units).await?;
    published_table(env, "bang-2022", TABLE_CSV).await?;
    let mut targets = env.targets().await?;
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

/// Creates table `id` from `csv` (the test layout) and publishes its first version.
pub(super) async fn published_table(env: &Env, id: &str, csv: &str) -> anyhow::Result<()> {
    let mut targets = env.targets().await?;
    targets
        .create_criteria_table(pb::CreateCriteriaTableRequest {
            table: Some(pb::CriteriaTable {
                title: "Bảng tiêu chí thi đua năm 2022".into(),
                scale: decimal("100"),
                rounding_step: decimal("0.5"),
                ..Default::default()
            }),
            table_id: id.into(),
            request_id: String::new(),
        })
        .await?;
    targets
        .import_criteria_table(pb::ImportCriteriaTableRequest {
            table: format!("criteriaTables/{id}"),
            content: csv.as_bytes().to_vec(),
            format: pb::SpreadsheetFormat::Csv.into(),
            etag: String::new(),
        })
        .await?;
    targets
        .publish_table_version(pb::PublishTableVersionRequest {
            name: format!("criteriaTables/{id}/versions/1"),
            etag: String::new(),
        })
        .await?;
    Ok(())
}

pub(super) async fn advance(env: &Env, stage: pb::TermStage) -> Result<pb::Term, Status> {
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

pub(super) async fn submit(
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
pub(super) async fn report(env: &Env, unit: &str, values: &[(&str, &str)]) -> anyhow::Result<()> {
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
pub(super) async fn report_trio(
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

pub(super) async fn board(
    env: &Env,
    layer: pb::ScoreLayer,
) -> anyhow::Result<Vec<(String, String)>> {
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

pub(super) async fn score(
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
