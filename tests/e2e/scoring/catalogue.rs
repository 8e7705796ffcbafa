//! The catalogue of titles and forms as data: an administrator edits the sheet `thidua
//! catalogue show -o csv` prints and stores it as a new version; its prerequisites are checked
//! when a unit is proposed, from the register — past decisions loaded from a file count, a
//! revoked one does not. Xuất Hóa, Sông Cầu and Phùng Chí Kiên are an adopted cluster of 2022.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;
use tonic_types::StatusExt;

use super::{TERM, published_table, quota::adopted};
use crate::{
    env::Env,
    support::{date, expect_error, import_bac_kan, json_of, legacy},
    tables::TABLE_CSV,
};

/// What the refusal of a proposal says is missing.
fn missing(status: &tonic::Status) -> String {
    status
        .get_error_details()
        .precondition_failure()
        .map(|p| {
            p.violations
                .iter()
                .map(|v| v.description.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

async fn propose_merit(
    env: &Env,
    unit: &str,
) -> Result<tonic::Response<pb::ProposeAwardResponse>, tonic::Status> {
    env.scoring()
        .await
        .map_err(|e| tonic::Status::internal(e.to_string()))?
        .propose_award(pb::ProposeAwardRequest {
            award: Some(pb::Award {
                term: TERM.into(),
                unit: legacy(unit),
                kind: pb::AwardKind::CertificateOfMerit.into(),
                ..Default::default()
            }),
        })
        .await
}

pub fn catalogue_versions_and_prerequisites(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        published_table(env, "bang-2022", TABLE_CSV).await?;
        adopted(
            env,
            "cum-a",
            pb::ClusterKind::Territorial,
            &["01855", "01837", "01843"],
        )
        .await
    })?;
    let dir = tempfile::tempdir()?;
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    // The built-in version, as the sheet an administrator edits.
    let shown = env.cli(&["catalogue", "show", "-o", "csv"])?;
    ensure!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let sheet = String::from_utf8(shown.stdout)?;
    ensure!(
        sheet.starts_with("code,name,level,kind,proposed_as,secret_ballot,quota,quota_scope,prerequisites")
            && sheet.contains("CTD_CP,Cờ thi đua của Chính phủ,state,title,government_flag,yes,share:0.20,organiser_year,classified:1"),
        "{sheet}"
    );
    let merit_row = sheet
        .lines()
        .find(|l| l.starts_with("BK_UBND_TINH,"))
        .context("the certificate's row")?;
    let two_years = sheet.replace(
        merit_row,
        &merit_row.replace("classified:2", "classified:2; holds_previous:TTLDXS:2"),
    );

    // A bad sheet: a share above 1 and a prerequisite naming no entry; nothing is stored.
    let bad = two_years
        .replace("share:0.20", "share:1.5")
        .replace("holds_previous:TTLDXS:2", "holds_previous:TTLDXS_HUYEN:2");
    std::fs::write(path("danh-muc-loi.csv"), bad)?;
    let out = env.cli(&[
        "catalogue",
        "put",
        &path("danh-muc-loi.csv"),
        "--from-year",
        "2022",
    ])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !out.status.success()
            && stderr.contains("catalogue.entries[0].quota")
            && stderr.contains("TTLDXS_HUYEN"),
        "{stderr}"
    );
    let versions = json_of(&env.cli(&["catalogue", "versions", "-o", "json"])?)?;
    ensure!(
        versions.as_array().is_some_and(|v| v.len() == 1),
        "{versions}"
    );

    // Version 2, in force from 2022: a certificate of merit needs Tập thể lao động xuất sắc in
    // each of the two years before.
    std::fs::write(path("danh-muc-2022.csv"), &two_years)?;
    let out = env.cli(&[
        "catalogue",
        "put",
        &path("danh-muc-2022.csv"),
        "--from-year",
        "2022",
        "--note",
        "Điều kiện Bằng khen theo quy chế thi đua của tỉnh",
    ])?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.block_on(async {
        let listed = env
            .scoring()
            .await?
            .list_award_entries(pb::ListAwardEntriesRequest {
                year: 2022,
                version: 0,
            })
            .await?
            .into_inner();
        ensure!(
            listed
                .version
                .as_ref()
                .is_some_and(|v| v.version == 2 && v.from_year == 2022)
                && listed.entries.iter().any(|e| e.code == "BK_UBND_TINH"
                    && e.prerequisites == ["classified:2", "holds_previous:TTLDXS:2"]),
            "{listed:?}"
        );

        // Xuất Hóa holds nothing yet.
        let status = expect_error(
            propose_merit(env, "01855").await,
            Code::FailedPrecondition,
            Some("PREREQUISITE_MISSING"),
        )?;
        let said = missing(&status);
        ensure!(
            status
                .message()
                .contains("Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (BK_UBND_TINH)")
                && said.contains("Tập thể lao động xuất sắc (TTLDXS)")
                && said.contains("missing 2020, 2021"),
            "{}: {said}",
            status.message()
        );

        // Past decisions from a file: Xuất Hóa and Sông Cầu in 2020 and 2021.
        std::fs::write(
            path("quyet-dinh-cu.csv"),
            "unit_code,entry_code,number,date,authority,year,signer\n\
             01855,TTLDXS,45/QĐ-UBND,2021-01-12,06,2020,Chủ tịch UBND tỉnh Bắc Kạn\n\
             01837,TTLDXS,45/QĐ-UBND,2021-01-12,06,2020,Chủ tịch UBND tỉnh Bắc Kạn\n\
             01855,TTLDXS,31/QĐ-UBND,2022-01-14,06,2021,Chủ tịch UBND tỉnh Bắc Kạn\n\
             01837,TTLDXS,31/QĐ-UBND,2022-01-14,06,2021,Chủ tịch UBND tỉnh Bắc Kạn\n",
        )?;
        let out = env.cli(&["decision", "import", &path("quyet-dinh-cu.csv")])?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // Sông Cầu's 2021 title is revoked: it no longer counts.
        env.scoring()
            .await?
            .record_decision(pb::RecordDecisionRequest {
                decision: Some(pb::Decision {
                    number: "77/QĐ-UBND".into(),
                    decision_date: Some(date(2022, 9, 1)),
                    authority: legacy("06"),
                    signer: "Chủ tịch UBND tỉnh Bắc Kạn".into(),
                    entry: "TTLDXS".into(),
                    year: 2021,
                    kind: pb::DecisionKind::Revocation.into(),
                    reason: "Báo cáo thành tích không trung thực".into(),
                    ..Default::default()
                }),
                units: vec![legacy("01837")],
                ..Default::default()
            })
            .await?;
        let status = expect_error(
            propose_merit(env, "01837").await,
            Code::FailedPrecondition,
            Some("PREREQUISITE_MISSING"),
        )?;
        let said = missing(&status);
        ensure!(said.ends_with("missing 2021"), "{said}");

        let proposed = propose_merit(env, "01855").await?.into_inner();
        let award = proposed.award.context("the proposal")?;
        ensure!(award.entry == "BK_UBND_TINH", "{award:?}");
        Ok(())
    })
}
