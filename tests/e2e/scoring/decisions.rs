//! Decisions and the award register, as the demo leaves them and as an officer records more:
//! the province's decision on the 2022 flag, a rejection, a direct award and its revocation,
//! and the refusals that keep the register true.

use anyhow::{Context, ensure};
use calamine::Reader;
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{date, expect_error, fields, legacy},
};

fn decision(number: &str, day: pb::Date, entry: &str) -> pb::Decision {
    pb::Decision {
        number: number.into(),
        decision_date: Some(day),
        authority: legacy("06"),
        signer: "Chủ tịch UBND tỉnh Bắc Kạn".into(),
        entry: entry.into(),
        ..Default::default()
    }
}

pub fn decisions_and_register(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    env.block_on(async {
        let mut scoring = env.scoring().await?;
        let awards = scoring
            .list_awards(pb::ListAwardsRequest {
                term: "clusters/bac-kan-city/terms/2022".into(),
            })
            .await?
            .into_inner()
            .awards;
        let flag = awards
            .iter()
            .find(|a| a.kind == i32::from(pb::AwardKind::ProvincialFlag))
            .context("the demo's flag")?;
        ensure!(
            flag.state == i32::from(pb::AwardState::Awarded) && !flag.decision.is_empty(),
            "the demo decides the leader's flag: {flag:?}"
        );
        let register = scoring
            .list_register(pb::ListRegisterRequest {
                year: 2022,
                ..Default::default()
            })
            .await?
            .into_inner()
            .entries;
        ensure!(
            register.len() == 1
                && register[0].unit == legacy("01843")
                && register[0].entry_name == "Cờ thi đua của Ủy ban nhân dân tỉnh",
            "{register:?}"
        );

        let merit: Vec<String> = awards
            .iter()
            .filter(|a| a.kind == i32::from(pb::AwardKind::CertificateOfMerit))
            .map(|a| a.name.clone())
            .collect();
        ensure!(merit.len() == 2);
        // Bad decisions: each field named, nothing stored.
        let status = expect_error(
            scoring
                .record_decision(pb::RecordDecisionRequest {
                    decision: Some(decision("215/QĐ-UBND", date(2023, 3, 1), "CTD_HUYEN")),
                    approve: vec![flag.name.clone(), "awards/khong-co".into()],
                    ..Default::default()
                })
                .await,
            Code::InvalidArgument,
            None,
        )?;
        let bad = fields(&status);
        for f in [
            "decision.number",
            "decision.entry",
            "decision.approve[0]",
            "decision.approve[1]",
        ] {
            ensure!(bad.iter().any(|b| b == f), "{f} not named: {bad:?}");
        }
        let decided = scoring
            .record_decision(pb::RecordDecisionRequest {
                decision: Some(decision("230/QĐ-UBND", date(2023, 3, 1), "BK_UBND_TINH")),
                approve: vec![merit[0].clone()],
                reject: vec![merit[1].clone()],
                request_id: "qd-230".into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        ensure!(decided.entries.len() == 1 && decided.decision.is_some_and(|d| d.year == 2022));

        // A unit no cluster proposed, awarded directly, then the award revoked on its ground.
        let direct = decision("231/QĐ-UBND", date(2023, 3, 2), "TTLDXS");
        scoring
            .record_decision(pb::RecordDecisionRequest {
                decision: Some(pb::Decision {
                    year: 2022,
                    ..direct
                }),
                units: vec![legacy("01840")],
                ..Default::default()
            })
            .await?;
        let revoke = pb::Decision {
            year: 2022,
            kind: pb::DecisionKind::Revocation.into(),
            ..decision("45/QĐ-UBND", date(2023, 9, 1), "TTLDXS")
        };
        let status = expect_error(
            scoring
                .record_decision(pb::RecordDecisionRequest {
                    decision: Some(revoke.clone()),
                    units: vec![legacy("01852")],
                    ..Default::default()
                })
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(
            fields(&status) == ["decision.reason", "decision.units"],
            "{:?}",
            fields(&status)
        );
        let revocation = pb::RecordDecisionRequest {
            decision: Some(pb::Decision {
                reason: "Khai man thành tích (Điều 94 Nghị định 98/2023/NĐ-CP)".into(),
                ..revoke
            }),
            units: vec![legacy("01840")],
            request_id: "qd-45".into(),
            ..Default::default()
        };
        let first = scoring
            .record_decision(revocation.clone())
            .await?
            .into_inner();
        let replayed = scoring.record_decision(revocation).await?.into_inner();
        ensure!(
            first.decision == replayed.decision
                && replayed.entries.len() == 1
                && !replayed.entries[0].revoked_by.is_empty(),
            "a retried revocation answers as the first: {replayed:?}"
        );
        Ok::<_, anyhow::Error>(())
    })?;

    // The register as the CLI lists it: the flag, one certificate, the revoked title.
    let out = env.cli(&["decision", "list", "--year", "2022", "-o", "json"])?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let lines = lines.as_array().context("register rows")?;
    let codes: Vec<(&str, &str, bool)> = lines
        .iter()
        .filter_map(|l| {
            Some((
                l["entry"].as_str()?,
                l["unit"].as_str()?,
                l["revoked_by"].is_null(),
            ))
        })
        .collect();
    ensure!(
        codes
            == [
                ("BK_UBND_TINH", "qd124-2004~01840", true),
                ("CTD_TINH", "qd124-2004~01843", true),
                ("TTLDXS", "qd124-2004~01840", false),
            ],
        "{codes:?}"
    );
    ensure!(
        codes.iter().filter(|(_, _, standing)| !standing).count() == 1,
        "exactly the revoked title is marked: {codes:?}"
    );

    // The organiser's view across its clusters, with stage and decision.
    let out = env.cli(&[
        "award",
        "list",
        "--organiser",
        "058",
        "--year",
        "2022",
        "-o",
        "json",
    ])?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let listed = listed.as_array().context("awards")?;
    ensure!(
        listed.len() == 3
            && listed.iter().all(|a| a["stage"] == "proposed")
            && listed.iter().all(|a| a["decision"]
                .as_str()
                .is_some_and(|d| d.starts_with("decisions/"))),
        "{listed:?}"
    );

    // For the national records: the standing awards, each unit named as in 2022.
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("sổ-khen-thưởng-2022.csv");
    let out = env.cli(&[
        "decision",
        "export",
        "--year",
        "2022",
        file.to_str().context("utf-8")?,
    ])?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_path(&file)?;
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()?;
    ensure!(
        rows.len() == 2,
        "the revoked title is not exported: {rows:?}"
    );
    ensure!(
        rows[1][1] == "qd124-2004~01843"
            && rows[1][2] == "Phùng Chí Kiên"
            && rows[1][4] == "Cờ thi đua của Ủy ban nhân dân tỉnh"
            && rows[1][5] == "215/QĐ-UBND",
        "{rows:?}"
    );

    // The yearly summary by title and form: the flag and one certificate stand.
    let file = dir.path().join("tổng-hợp-2022.xlsx");
    let out = env.cli(&[
        "decision",
        "export",
        "--year",
        "2022",
        "--summary",
        file.to_str().context("utf-8")?,
    ])?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file)?;
    let sheet = book.worksheet_range_at(0).context("a sheet")??;
    let counts: Vec<(String, String)> = sheet
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[4].to_string()))
        .collect();
    ensure!(
        counts.contains(&("CTD_TINH".into(), "1".into()))
            && counts.contains(&("BK_UBND_TINH".into(), "1".into()))
            && counts.contains(&("TTLDXS".into(), "0".into()))
            && counts.len() == 7,
        "{counts:?}"
    );
    Ok(())
}
