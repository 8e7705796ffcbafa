//! Crash safety: the server process is killed with SIGKILL in the middle of bulk imports,
//! again and again, and restarted. Every acknowledged import is fully there, no
//! unacknowledged import is partly there, and the database and audit chain check out.

use std::{collections::HashMap, path::PathBuf, time::Duration};

use anyhow::{Context, bail, ensure};
use thidua_proto::{auth::Bearer, v1 as pb};
use tonic::transport::Channel;

use thidua_testkit::ServerProcess;

use crate::concurrency::national_rows;

/// Import rounds, each killed at another moment.
const KILL_AFTER_MS: [u64; 6] = [0, 15, 40, 80, 150, 300];

/// The `thidua-server` binary built beside this test.
pub fn server_binary() -> anyhow::Result<PathBuf> {
    thidua_testkit::beside_this_executable("thidua-server")
}

/// The national list split into self-contained parts: whole provinces, round-robin.
fn parts(n: usize) -> anyhow::Result<Vec<Vec<pb::UnitRow>>> {
    let rows = national_rows()?;
    let parent: HashMap<String, String> = rows
        .iter()
        .map(|r| (r.code.clone(), r.parent_code.clone()))
        .collect();
    let province_of = |code: &str| {
        let mut c = code.to_owned();
        for _ in 0..4 {
            match parent.get(&c) {
                Some(p) if !p.is_empty() => c = p.clone(),
                _ => break,
            }
        }
        c
    };
    let mut provinces: Vec<String> = rows
        .iter()
        .filter(|r| r.parent_code.is_empty())
        .map(|r| r.code.clone())
        .collect();
    provinces.sort();
    let mut out = vec![Vec::new(); n];
    for row in rows {
        let p = province_of(&row.code);
        let i = provinces
            .iter()
            .position(|x| *x == p)
            .context("orphan row")?;
        out[i % n].push(row);
    }
    Ok(out)
}

async fn import(
    url: &str,
    token: &str,
    rows: &[pb::UnitRow],
    id: &str,
) -> Result<i64, tonic::Status> {
    let channel = Channel::from_shared(url.to_owned())
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?
        .connect()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let bearer = Bearer::new(Some(token)).map_err(tonic::Status::internal)?;
    let mut client = pb::unit_service_client::UnitServiceClient::with_interceptor(channel, bearer);
    let mut messages = vec![pb::ImportUnitsRequest {
        scheme: "qd124-2004".into(),
        request_id: id.into(),
        ..Default::default()
    }];
    for chunk in rows.chunks(500) {
        messages.push(pb::ImportUnitsRequest {
            rows: chunk.to_vec(),
            ..Default::default()
        });
    }
    Ok(client
        .import_units(tokio_stream::iter(messages))
        .await?
        .into_inner()
        .units_created)
}

/// How many of `rows` exist, read straight from the database.
fn present(store: &thidua_storage::Store, rows: &[pb::UnitRow]) -> anyhow::Result<usize> {
    let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
    let scheme = thidua_domain::unit::Scheme::Qd124_2004;
    Ok(store.read(|tx| {
        let mut n = 0;
        for c in &codes {
            if tx
                .unit(&thidua_domain::unit::UnitRef::new(scheme, c.as_str()))?
                .is_some()
            {
                n += 1;
            }
        }
        Ok(n)
    })?)
}

/// Kills the server during imports, six times, and checks what survived.
pub fn kill_during_imports(database: &str) -> anyhow::Result<()> {
    let token = thidua_testkit::bootstrap_admin(&server_binary()?, database)?;
    let parts = parts(KILL_AFTER_MS.len())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut acknowledged = Vec::new();
    for (round, delay) in KILL_AFTER_MS.into_iter().enumerate() {
        let server = ServerProcess::start(&server_binary()?, database, &[])?;
        let url = server.url.clone();
        let rows = parts[round].clone();
        let token_here = token.clone();
        let id = format!("nhap-{round}");
        let outcome = rt.block_on(async move {
            let call = tokio::spawn(async move { import(&url, &token_here, &rows, &id).await });
            // The moment of the crash, not a synchronisation: any moment must be survivable.
            tokio::time::sleep(Duration::from_millis(delay)).await;
            server.kill()?;
            anyhow::Ok(call.await?)
        })?;
        if outcome.is_ok() {
            acknowledged.push(round);
        }
        // Restart on the same database, as an operator would, and look.
        let _restarted = ServerProcess::start(&server_binary()?, database, &[])?;
        let store = thidua_storage::Store::open(database)?;
        for (i, part) in parts.iter().enumerate().take(round + 1) {
            let n = present(&store, part)?;
            if acknowledged.contains(&i) {
                ensure!(
                    n == part.len(),
                    "acknowledged import {i}: {n} of {} units",
                    part.len()
                );
            } else if n != 0 && n != part.len() {
                bail!(
                    "unacknowledged import {i} is partly there: {n} of {} units",
                    part.len()
                );
            }
        }
    }
    let store = thidua_storage::Store::open(database)?;
    let (checked, broken) = thidua_server::app::keys::verify_audit(&store, None)?;
    ensure!(broken.is_none(), "audit chain after crashes: {broken:?}");
    ensure!(checked >= 1, "no audit events");
    if !database.starts_with("postgres") {
        use diesel::{Connection, RunQueryDsl, sql_types::Text};
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = Text)]
            integrity_check: String,
        }
        let mut c = diesel::SqliteConnection::establish(database)?;
        let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut c)?;
        ensure!(
            rows.iter()
                .map(|r| r.integrity_check.as_str())
                .collect::<Vec<_>>()
                == ["ok"],
            "integrity_check failed"
        );
    }
    eprintln!(
        "crash safety ({}): {} of {} killed imports were acknowledged",
        if database.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        acknowledged.len(),
        KILL_AFTER_MS.len()
    );
    Ok(())
}

/// The crash test on this trial's database.
pub fn crash_safety(env: &crate::env::Env) -> anyhow::Result<()> {
    kill_during_imports(&env.database_url)
}
