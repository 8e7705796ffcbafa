//! Helpers the scenarios share: fixtures with real names, and assertions on statuses.

use anyhow::{Context, bail, ensure};
use thidua_proto::v1 as pb;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::env::{Env, shared_data};

/// The 2025 reform date; legacy units cease on it.
pub fn reform() -> pb::Date {
    date(2025, 7, 1)
}

/// A date.
pub fn date(year: i32, month: i32, day: i32) -> pb::Date {
    pb::Date { year, month, day }
}

/// A unit name in the 2004 scheme.
pub fn legacy(code: &str) -> String {
    format!("units/qd124-2004~{code}")
}

/// The rows of `bac-kan-city-2022.csv`, read from the shared reference data.
pub fn bac_kan_rows() -> anyhow::Result<Vec<pb::UnitRow>> {
    let path = shared_data("bac-kan-city-2022.csv")?;
    let mut reader = csv::Reader::from_path(&path)?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let r = record?;
        rows.push(pb::UnitRow {
            code: r[0].to_owned(),
            name: r[1].to_owned(),
            kind: r[2].to_owned(),
            parent_code: r[3].to_owned(),
            line: u32::try_from(i + 2)?,
        });
    }
    ensure!(
        rows.len() == 10,
        "bac-kan-city-2022.csv has {} rows",
        rows.len()
    );
    Ok(rows)
}

/// Imports rows in one streamed call.
pub async fn import(
    env: &Env,
    scheme: &str,
    rows: Vec<pb::UnitRow>,
    request_id: &str,
    valid_from: Option<pb::Date>,
    valid_to: Option<pb::Date>,
) -> Result<pb::ImportUnitsResponse, Status> {
    let mut client = env
        .units()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let mut messages = vec![pb::ImportUnitsRequest {
        scheme: scheme.into(),
        request_id: request_id.into(),
        valid_from,
        valid_to,
        rows: Vec::new(),
    }];
    for chunk in rows.chunks(4) {
        messages.push(pb::ImportUnitsRequest {
            rows: chunk.to_vec(),
            ..Default::default()
        });
    }
    Ok(client
        .import_units(tokio_stream::iter(messages))
        .await?
        .into_inner())
}

/// Imports Bắc Kạn province, city and its 8 units, ceasing at the 2025 reform.
pub async fn import_bac_kan(env: &Env) -> anyhow::Result<()> {
    let r = import(env, "qd124-2004", bac_kan_rows()?, "", None, Some(reform())).await?;
    ensure!(r.units_created == 10, "created {}", r.units_created);
    Ok(())
}

/// Creates Thái Nguyên (19) and its phường Bắc Kạn (01843) in the 2025 scheme.
pub async fn create_2025_units(env: &Env) -> anyhow::Result<()> {
    let mut units = env.units().await?;
    for (code, name, kind, parent) in [
        ("19", "Thái Nguyên", pb::UnitKind::Province, ""),
        ("01843", "Bắc Kạn", pb::UnitKind::Ward, "units/qd19-2025~19"),
    ] {
        units
            .create_unit(pb::CreateUnitRequest {
                unit: Some(pb::Unit {
                    scheme: "qd19-2025".into(),
                    code: code.into(),
                    display_name: name.into(),
                    kind: kind.into(),
                    parent: parent.into(),
                    valid_from: Some(reform()),
                    ..Default::default()
                }),
                request_id: String::new(),
            })
            .await?;
    }
    Ok(())
}

/// The 8 commune-level members of the seed cluster, in code order.
pub fn bac_kan_members() -> Vec<String> {
    [
        "01834", "01837", "01840", "01843", "01846", "01849", "01852", "01855",
    ]
    .iter()
    .map(|c| legacy(c))
    .collect()
}

/// Creates a cluster organised by Bắc Kạn city.
pub async fn create_cluster(
    env: &Env,
    id: &str,
    kind: pb::ClusterKind,
) -> anyhow::Result<pb::Cluster> {
    let mut clusters = env.clusters().await?;
    clusters
        .create_cluster(pb::CreateClusterRequest {
            cluster: Some(pb::Cluster {
                display_name: "Cụm thi đua các xã, phường thành phố Bắc Kạn".into(),
                kind: kind.into(),
                organiser: legacy("058"),
                ..Default::default()
            }),
            cluster_id: id.into(),
            request_id: String::new(),
        })
        .await?
        .into_inner()
        .cluster
        .context("the server answered without a cluster")
}

/// Creates a term with members.
pub async fn create_term(
    env: &Env,
    cluster: &str,
    year: i32,
    members: &[String],
) -> Result<pb::Term, Status> {
    let mut clusters = env
        .clusters()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    clusters
        .create_term(pb::CreateTermRequest {
            parent: format!("clusters/{cluster}"),
            term: Some(pb::Term {
                year,
                members: members
                    .iter()
                    .map(|u| pb::TermMember {
                        unit: u.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }),
            request_id: String::new(),
        })
        .await?
        .into_inner()
        .term
        .ok_or_else(|| Status::internal("the server answered without a term"))
}

/// Every unit, optionally of one scheme.
pub async fn all_units(env: &Env, scheme: &str) -> anyhow::Result<Vec<pb::Unit>> {
    let mut client = env.units().await?;
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_units(pb::ListUnitsRequest {
                page_size: 1000,
                page_token: token,
                scheme: scheme.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        out.extend(page.units);
        if page.next_page_token.is_empty() {
            return Ok(out);
        }
        token = page.next_page_token;
    }
}

/// Asserts that `result` failed with `code`, and with `reason` in its ErrorInfo when given.
pub fn expect_error<T: std::fmt::Debug>(
    result: Result<T, Status>,
    code: Code,
    reason: Option<&str>,
) -> anyhow::Result<Status> {
    let status = match result {
        Ok(v) => bail!("expected {code:?}, got success: {v:?}"),
        Err(s) => s,
    };
    ensure!(
        status.code() == code,
        "expected {code:?}, got {:?}: {}",
        status.code(),
        status.message()
    );
    if let Some(reason) = reason {
        let info = status
            .get_error_details()
            .error_info()
            .cloned()
            .context("no ErrorInfo")?;
        ensure!(
            info.reason == reason,
            "expected reason {reason}, got {}",
            info.reason
        );
    }
    Ok(status)
}

/// The field paths of a status's BadRequest details.
pub fn fields(status: &Status) -> Vec<String> {
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// The JSON a successful CLI run printed; its stderr when it failed.
pub fn json_of(out: &std::process::Output) -> anyhow::Result<serde_json::Value> {
    ensure!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Runs `statements` on a connection of its own, as someone with direct database access.
pub fn run_sql(url: &str, statements: &[&str]) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url)?;
        for s in statements {
            diesel::sql_query(*s).execute(&mut c)?;
        }
    } else {
        let mut c = diesel::SqliteConnection::establish(url)?;
        for s in statements {
            diesel::sql_query(*s).execute(&mut c)?;
        }
    }
    Ok(())
}
