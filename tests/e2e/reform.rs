//! Across the 2025 reform, as an officer does it with the CLI: the seed cluster's city ceased,
//! its eight wards and communes became three units of Thái Nguyên. The cluster is handed to the
//! province, its 2022 term carried forward to 2026 with the successors, and access follows.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    security::create_key_for,
    support::{
        bac_kan_members, create_cluster, create_term, expect_error, fields, import, import_bac_kan,
        json_of, legacy, reform,
    },
};

const ACT: &str = "Nghị quyết 1683/NQ-UBTVQH15";
const THAI_NGUYEN: &str = "units/qd19-2025~19";

fn refused(out: &std::process::Output, needle: &str) -> anyhow::Result<()> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "expected a refusal, got success");
    ensure!(stderr.contains(needle), "expected `{needle}` in: {stderr}");
    Ok(())
}

/// Thái Nguyên and the three units Bắc Kạn city's eight became, and the links between them.
async fn reform_data(env: &Env, dir: &std::path::Path) -> anyhow::Result<()> {
    let rows = [
        ("19", "Thái Nguyên", "tinh", ""),
        ("01840", "Đức Xuân", "phuong", "19"),
        ("01843", "Bắc Kạn", "phuong", "19"),
        ("01849", "Phong Quang", "xa", "19"),
    ]
    .into_iter()
    .map(|(code, name, kind, parent)| pb::UnitRow {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        parent_code: parent.into(),
        line: 0,
    })
    .collect();
    import(env, "qd19-2025", rows, "", Some(reform()), None).await?;
    let communes = dir.join("sáp-nhập-bắc-kạn.csv");
    std::fs::write(
        &communes,
        "legacy_code,code_2025,change,share\n\
         01834,01840,merged_into,whole\n01837,01843,merged_into,whole\n\
         01840,01840,merged_into,whole\n01843,01843,merged_into,whole\n\
         01846,01840,merged_into,whole\n01849,01849,merged_into,whole\n\
         01852,01843,merged_into,whole\n01855,01843,merged_into,whole\n",
    )?;
    let provinces = dir.join("tỉnh.csv");
    std::fs::write(&provinces, "legacy_code,code_2025\n06,19\n")?;
    for file in [&communes, &provinces] {
        let file = file.to_str().context("path is not UTF-8")?;
        json_of(&env.cli(&[
            "unit",
            "lineage",
            "import",
            file,
            "--date",
            "2025-07-01",
            "--act",
            ACT,
            "-o",
            "json",
        ])?)?;
    }
    Ok(())
}

pub fn reform_carry_forward(env: &Env) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    env.block_on(async {
        import_bac_kan(env).await?;
        reform_data(env, dir.path()).await?;
        create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        let term = create_term(env, "bac-kan-city", 2022, &bac_kan_members()).await?;
        ensure!(term.organiser == legacy("058"));
        env.clusters()
            .await?
            .set_term_leadership(pb::SetTermLeadershipRequest {
                term: "clusters/bac-kan-city/terms/2022".into(),
                leadership: Some(pb::Leadership {
                    leader: legacy("01843"),
                    deputies: vec![legacy("01840"), legacy("01852")],
                    method: pb::LeadershipMethod::Elected.into(),
                    deciding_act: "Hội nghị tổng kết phong trào thi đua năm 2021".into(),
                    ..Default::default()
                }),
                etag: term.etag,
            })
            .await?;

        // The city ceased on 1 July 2025: no 2026 term under it; the error offers Thái Nguyên.
        let status = expect_error(
            create_term(
                env,
                "bac-kan-city",
                2026,
                &[THAI_NGUYEN.replace("~19", "~01843")],
            )
            .await,
            Code::FailedPrecondition,
            Some("ORGANISER_NOT_VALID"),
        )?;
        ensure!(
            status.message().contains(THAI_NGUYEN),
            "the lineage's successor is offered: {}",
            status.message()
        );
        Ok::<_, anyhow::Error>(())
    })?;

    // Bad transfers are refused, each naming its field; nothing changes.
    let transfer = |to: &str, date: &str, act: &str| {
        env.cli(&[
            "cluster",
            "transfer",
            "bac-kan-city",
            "--to",
            to,
            "--date",
            date,
            "--act",
            act,
            "-o",
            "json",
        ])
    };
    refused(
        &transfer("qd19-2025~01843", "2025-07-01", ACT)?,
        "xã, phường không tổ chức cụm thi đua",
    )?;
    refused(
        &transfer("qd19-2025~19", "2021-12-31", ACT)?,
        "kỳ thi đua cuối của cụm",
    )?;
    refused(
        &transfer("qd19-2025~99", "2025-07-01", ACT)?,
        "không tồn tại",
    )?;
    env.block_on(async {
        let status = expect_error(
            env.clusters()
                .await?
                .transfer_cluster(pb::TransferClusterRequest {
                    cluster: "clusters/bac-kan-city".into(),
                    to_organiser: THAI_NGUYEN.into(),
                    effective_date: Some(reform()),
                    legal_act: " ".into(),
                    ..Default::default()
                })
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["legal_act"], "{:?}", fields(&status));
        Ok::<_, anyhow::Error>(())
    })?;

    let moved = json_of(&transfer("qd19-2025~19", "2025-07-01", ACT)?)?;
    ensure!(moved["cluster"]["organiser"] == THAI_NGUYEN, "{moved}");
    ensure!(
        moved["transfers"][0]["from_organiser"] == "qd124-2004~058",
        "{moved}"
    );

    // Carrying 2022 to 2026: the leader ceased, so the officer must say who leads.
    let carry = |extra: &[&str]| {
        let mut args = vec![
            "term",
            "carry-forward",
            "bac-kan-city",
            "2022",
            "--to-year",
            "2026",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        env.cli(&args)
    };
    refused(&carry(&["--dry-run"])?, "--leader-from-lineage")?;
    let plan = json_of(&carry(&["--dry-run", "--leader-from-lineage"])?)?;
    let members: Vec<&str> = plan["members"]
        .as_array()
        .context("members")?
        .iter()
        .filter_map(|m| m["display_name"].as_str())
        .collect();
    ensure!(members == ["Đức Xuân", "Bắc Kạn", "Phong Quang"], "{plan}");
    ensure!(
        plan["successions"].as_array().map(Vec::len) == Some(8),
        "{plan}"
    );
    env.block_on(async {
        expect_error(
            env.clusters()
                .await?
                .get_term(pb::GetTermRequest {
                    name: "clusters/bac-kan-city/terms/2026".into(),
                })
                .await,
            Code::NotFound,
            None,
        )
        .map(|_| ())
        .context("a dry run stores nothing")
    })?;
    json_of(&carry(&[
        "--leader-from-lineage",
        "--request-id",
        "ket-chuyen-2026",
    ])?)?;

    env.block_on(async {
        let term = env
            .clusters()
            .await?
            .get_term(pb::GetTermRequest {
                name: "clusters/bac-kan-city/terms/2026".into(),
            })
            .await?
            .into_inner()
            .term
            .context("no term")?;
        let codes: Vec<&str> = term.members.iter().map(|m| m.unit.as_str()).collect();
        ensure!(
            codes
                == [
                    "units/qd19-2025~01840",
                    "units/qd19-2025~01843",
                    "units/qd19-2025~01849"
                ],
            "{codes:?}"
        );
        ensure!(term.organiser == THAI_NGUYEN);
        let leadership = term.leadership.unwrap_or_default();
        ensure!(leadership.leader == "units/qd19-2025~01843");
        ensure!(
            leadership.deputies == ["units/qd19-2025~01840"],
            "{:?}",
            leadership.deputies
        );

        // Access follows the transfer.
        let province = create_key_for(
            env,
            "Sở Nội vụ Thái Nguyên",
            pb::Role::Organiser,
            THAI_NGUYEN,
        )
        .await?;
        let city = create_key_for(
            env,
            "Ban tổ chức thành phố Bắc Kạn",
            pb::Role::Organiser,
            &legacy("058"),
        )
        .await?;
        let as_province = env.channel_as(Some(&province)).await?;
        let as_city = env.channel_as(Some(&city)).await?;
        let mut province_clusters =
            pb::cluster_service_client::ClusterServiceClient::new(as_province.clone());
        let mut city_clusters = pb::cluster_service_client::ClusterServiceClient::new(as_city);
        let old = province_clusters
            .get_term(pb::GetTermRequest {
                name: "clusters/bac-kan-city/terms/2022".into(),
            })
            .await?
            .into_inner()
            .term
            .unwrap_or_default();
        ensure!(
            old.organiser == legacy("058"),
            "past terms keep their organiser"
        );
        pb::scoring_service_client::ScoringServiceClient::new(as_province)
            .list_results(pb::ListResultsRequest {
                term: "clusters/bac-kan-city/terms/2022".into(),
                ..Default::default()
            })
            .await?;
        city_clusters
            .get_term(pb::GetTermRequest {
                name: "clusters/bac-kan-city/terms/2022".into(),
            })
            .await?;
        expect_error(
            city_clusters
                .add_term_member(pb::AddTermMemberRequest {
                    term: "clusters/bac-kan-city/terms/2026".into(),
                    unit: "units/qd19-2025~01849".into(),
                    etag: String::new(),
                })
                .await,
            Code::PermissionDenied,
            None,
        )?;
        Ok(())
    })
}

/// The demo across the reform: phường Bắc Kạn (2025) carries the 2022 record of the four units
/// it merged, year by year, each row naming its own unit; a key sees only the terms it may read.
pub fn history_across_lineage(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    let out = json_of(&env.cli(&["unit", "history", "qd19-2025~01843", "-o", "json"])?)?;
    let rows = out.as_array().context("history rows")?;
    let who: Vec<(i64, &str)> = rows
        .iter()
        .filter_map(|r| Some((r["year"].as_i64()?, r["display_name"].as_str()?)))
        .collect();
    ensure!(
        who == [
            (2022, "Sông Cầu"),
            (2022, "Phùng Chí Kiên"),
            (2022, "Nông Thượng"),
            (2022, "Xuất Hóa"),
            (2026, "Bắc Kạn"),
        ],
        "{who:?}"
    );
    ensure!(
        rows.iter()
            .take(4)
            .all(|r| r["rank"] != "" && r["total"] != "")
            && rows[4]["rank"].is_null(),
        "the adopted 2022 years are ranked, 2026 not yet: {out}"
    );
    ensure!(
        rows.iter()
            .any(|r| r["awards"].as_str().is_some_and(|a| !a.is_empty())),
        "the 2022 proposals are listed: {out}"
    );
    let later = json_of(&env.cli(&[
        "unit",
        "history",
        "qd19-2025~01843",
        "--from",
        "2023",
        "-o",
        "json",
    ])?)?;
    ensure!(later.as_array().map(Vec::len) == Some(1), "{later}");

    env.block_on(async {
        let phong_quang = create_key_for(
            env,
            "UBND xã Phong Quang",
            pb::Role::Reporter,
            "units/qd19-2025~01849",
        )
        .await?;
        let seen = pb::unit_service_client::UnitServiceClient::new(
            env.channel_as(Some(&phong_quang)).await?,
        )
        .get_unit_history(pb::GetUnitHistoryRequest {
            unit: "units/qd19-2025~01843".into(),
            from_year: 0,
        })
        .await?
        .into_inner()
        .years;
        let terms: Vec<&str> = seen.iter().map(|y| y.term.as_str()).collect();
        ensure!(
            terms == ["clusters/bac-kan-city/terms/2026"],
            "a member of 2026 only reads 2026: {terms:?}"
        );
        // Thái Nguyên, the successor organiser, reads the 2022 scoreboard the city adopted.
        let province = create_key_for(
            env,
            "Sở Nội vụ Thái Nguyên",
            pb::Role::Organiser,
            THAI_NGUYEN,
        )
        .await?;
        let board = pb::scoring_service_client::ScoringServiceClient::new(
            env.channel_as(Some(&province)).await?,
        )
        .get_scoreboard(pb::GetScoreboardRequest {
            term: "clusters/bac-kan-city/terms/2022".into(),
            layer: 0,
        })
        .await?
        .into_inner();
        ensure!(board.rows.len() == 8 && board.leading_unit == legacy("01843"));
        Ok(())
    })
}

/// A renaming from a date keeps the earlier name for earlier years: the 2022 scoreboard still
/// says Sông Cầu after the ward is renamed in 2025; a correction without a date does not.
pub fn names_through_time(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    let board_name = |code: &str| {
        let code = legacy(code);
        env.block_on(async {
            let board = env
                .scoring()
                .await?
                .get_scoreboard(pb::GetScoreboardRequest {
                    term: "clusters/bac-kan-city/terms/2022".into(),
                    layer: 0,
                })
                .await?
                .into_inner();
            board
                .rows
                .iter()
                .find(|r| r.unit == code)
                .map(|r| r.display_name.clone())
                .context("no row")
        })
    };
    ensure!(board_name("01837")? == "Sông Cầu");
    refused(
        &env.cli(&[
            "unit",
            "update",
            "01837",
            "--name",
            "Sông Cầu mới",
            "--from",
            "2025-07-01",
        ])?,
        "effective_date",
    )?;
    json_of(&env.cli(&[
        "unit",
        "update",
        "01837",
        "--name",
        "Sông Cầu mới",
        "--from",
        "2025-01-01",
        "-o",
        "json",
    ])?)?;
    ensure!(
        board_name("01837")? == "Sông Cầu",
        "2022 keeps the name it had in 2022"
    );
    let unit = json_of(&env.cli(&["unit", "get", "01837", "-o", "json"])?)?;
    ensure!(
        unit["unit"]["display_name"] == "Sông Cầu mới"
            && unit["earlier"][0]["display_name"] == "Sông Cầu"
            && unit["earlier"][0]["until"] == "2025-01-01",
        "{unit}"
    );
    refused(
        &env.cli(&[
            "unit",
            "update",
            "01837",
            "--name",
            "Sông Cầu",
            "--from",
            "2024-06-01",
        ])?,
        "đã thay đổi ngày 01/01/2025",
    )?;
    // A correction in place (a typo) is the name of every year.
    json_of(&env.cli(&[
        "unit",
        "update",
        "01852",
        "--name",
        "Nông Thượng (sửa)",
        "-o",
        "json",
    ])?)?;
    ensure!(board_name("01852")? == "Nông Thượng (sửa)");
    Ok(())
}
