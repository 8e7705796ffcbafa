//! The Government flag's quota at its real scope: a share of the collectives meeting the
//! provincial-flag standard across every cluster the organiser runs that year, not within one.

use anyhow::ensure;
use thidua_proto::v1 as pb;
use tonic::Code;
use tonic_types::StatusExt;

use super::{decimal, published_table};
use crate::{
    env::Env,
    support::{create_cluster, create_term, expect_error, import_bac_kan, legacy},
    tables::TABLE_CSV,
};

/// Full marks on the test table for a unit whose budget target is 1,000.
const EXCELLENT: [(&str, &str); 8] = [
    ("I.1", "1100"),
    ("I.2", "100"),
    ("I.3", "5"),
    ("II.1", "0"),
    ("III.1", "100"),
    ("IV.1", "100"),
    ("V.1", "15"),
    ("VI.1", "0"),
];

/// A cluster of Bắc Kạn city's with a 2022 term of `members`, all excellent, adopted (best
/// first).
pub(super) async fn adopted(
    env: &Env,
    cluster: &str,
    kind: pb::ClusterKind,
    members: &[&str],
) -> anyhow::Result<String> {
    create_cluster(env, cluster, kind).await?;
    let units: Vec<String> = members.iter().map(|m| legacy(m)).collect();
    create_term(env, cluster, 2022, &units).await?;
    let term = format!("clusters/{cluster}/terms/2022");
    let mut targets = env.targets().await?;
    targets
        .apply_criteria_table(pb::ApplyCriteriaTableRequest {
            term: term.clone(),
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
    values.extend(units.iter().map(|u| pb::Target {
        criterion_code: "I.1".into(),
        unit: u.clone(),
        value: decimal("1000"),
    }));
    targets
        .set_targets(pb::SetTargetsRequest {
            term: term.clone(),
            targets: values,
        })
        .await?;
    let mut clusters = env.clusters().await?;
    for unit in &units {
        clusters
            .sign_covenant(pb::SignCovenantRequest {
                covenant: format!("{term}/covenant"),
                signature: Some(pb::Signature {
                    unit: unit.clone(),
                    signatory_name: "Đại diện UBND".into(),
                    ..Default::default()
                }),
            })
            .await?;
    }
    let mut scoring = env.scoring().await?;
    let advance = |stage: pb::TermStage| pb::AdvanceTermRequest {
        term: term.clone(),
        stage: stage.into(),
    };
    scoring
        .advance_term(advance(pb::TermStage::Reporting))
        .await?;
    // Each member a little below the one before on I.2, so no tie blocks adoption.
    for (i, unit) in units.iter().enumerate() {
        let income = (100 - 5 * i).to_string();
        for (code, value) in EXCELLENT {
            let value = if code == "I.2" {
                income.as_str()
            } else {
                value
            };
            scoring
                .submit_result(pb::SubmitResultRequest {
                    term: term.clone(),
                    result: Some(pb::ReportedResult {
                        unit: unit.clone(),
                        criterion_code: code.into(),
                        value: decimal(value),
                        evidence_reference: "Báo cáo số 12/BC-UBND".into(),
                        ..Default::default()
                    }),
                })
                .await?;
        }
    }
    for stage in [
        pb::TermStage::SelfScoring,
        pb::TermStage::Review,
        pb::TermStage::Adopted,
    ] {
        scoring.advance_term(advance(stage)).await?;
    }
    Ok(term)
}

async fn propose(env: &Env, term: &str, unit: &str) -> Result<pb::Award, tonic::Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    Ok(scoring
        .propose_award(pb::ProposeAwardRequest {
            award: Some(pb::Award {
                term: term.into(),
                unit: legacy(unit),
                kind: pb::AwardKind::GovernmentFlag.into(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .award
        .unwrap_or_default())
}

/// Three clusters of the city, three, three and two excellent units: none alone reaches one
/// Government flag (20% of 3 is 0), the city's eight together do, once.
pub fn government_flag_quota(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        published_table(env, "bang-2022", TABLE_CSV).await?;
        let a = adopted(
            env,
            "cum-a",
            pb::ClusterKind::Territorial,
            &["01843", "01840", "01834"],
        )
        .await?;
        let b = adopted(
            env,
            "khoi-b",
            pb::ClusterKind::FunctionalBlock,
            &["01849", "01852", "01855"],
        )
        .await?;
        // With two clusters adopted the base is 6: 20% is 1.2, one flag.
        let first = propose(env, &a, "01843").await?;
        let status = expect_error(
            propose(env, &b, "01849").await,
            Code::FailedPrecondition,
            Some("QUOTA_EXCEEDED"),
        )?;
        ensure!(
            status.message().contains("6 collectives") && status.message().contains("2 term(s)"),
            "{}",
            status.message()
        );
        let named: Vec<String> = status
            .get_error_details()
            .precondition_failure()
            .map(|p| p.violations.iter().map(|v| v.subject.clone()).collect())
            .unwrap_or_default();
        ensure!(
            named.contains(&first.name),
            "the refusal names the flag counted: {named:?}"
        );
        let c = adopted(
            env,
            "cum-c",
            pb::ClusterKind::Territorial,
            &["01837", "01846"],
        )
        .await?;
        expect_error(
            propose(env, &c, "01837").await,
            Code::FailedPrecondition,
            Some("QUOTA_EXCEEDED"),
        )?;
        Ok(())
    })
}
