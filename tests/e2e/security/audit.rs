//! The audit chain: every change and refusal recorded, filtered by outcome, and its tampering
//! by direct SQL refused or detected.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use super::{create_key, policy_cases::CLUSTER};
use crate::{
    env::Env,
    support::{create_cluster, expect_error, import_bac_kan},
};

/// Every change is audited in its own transaction with who, what and where; the chain
/// verifies; a row edited directly in the database is named by verify; the application
/// cannot update or delete audit rows.
pub fn audit_chain(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        let observer =
            create_key(env, "Cổng tích hợp tỉnh Bắc Kạn", pb::Role::Observer, "06").await?;
        let denied = pb::cluster_service_client::ClusterServiceClient::new(
            env.channel_as(Some(&observer)).await?,
        )
        .delete_cluster(pb::DeleteClusterRequest {
            name: CLUSTER.into(),
            etag: String::new(),
        })
        .await;
        expect_error(denied, Code::PermissionDenied, None)?;
        let events = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest::default())
            .await?
            .into_inner()
            .audit_events;
        let created = events
            .iter()
            .find(|e| e.method == "ClusterService/CreateCluster")
            .context("no event for CreateCluster")?;
        ensure!(
            created.outcome() == pb::AuditOutcome::Ok
                && created.principal.starts_with("keys/")
                && created.digest.len() == 64
        );
        let refusal = events
            .iter()
            .find(|e| e.method == "ClusterService/DeleteCluster")
            .context("no event for the refused DeleteCluster")?;
        ensure!(
            refusal.outcome() == pb::AuditOutcome::PermissionDenied && refusal.resource == CLUSTER,
            "{refusal:?}"
        );
        // A client filters on the outcome the contract names, and finds the refusal only.
        let refusals = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest {
                outcome: pb::AuditOutcome::PermissionDenied.into(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .audit_events;
        ensure!(
            refusals.len() == 1 && refusals[0].sequence == refusal.sequence,
            "{refusals:?}"
        );
        let intact = verify(env).await?;
        ensure!(intact.intact && intact.events_checked >= 4, "{intact:?}");

        // The application's own connection cannot change history.
        let url = env.database_url.clone();
        let refused = tokio::task::spawn_blocking(move || tamper(&url, 2, false)).await?;
        ensure!(refused.is_err(), "the audit table accepted an UPDATE");
        let url = env.database_url.clone();
        let refused = tokio::task::spawn_blocking(move || {
            crate::support::run_sql(&url, &["DELETE FROM audit_events WHERE seq = 1"])
        })
        .await?;
        ensure!(refused.is_err(), "the audit table accepted a DELETE");

        // An attacker with the database owner's rights disables the guard and edits a row.
        let target = refusal.sequence;
        let url = env.database_url.clone();
        tokio::task::spawn_blocking(move || tamper(&url, target, true)).await??;
        let broken = verify(env).await?;
        ensure!(
            !broken.intact && broken.broken_sequence == target,
            "{broken:?}"
        );
        let out = env.cli(&["audit", "verify", "-o", "json"])?;
        ensure!(out.status.code() == Some(6), "exit {:?}", out.status.code());
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(stderr.contains(&format!("sự kiện {target}")), "{stderr}");
        Ok(())
    })
}

/// Rewrites event `seq` as a success; with `disable_guard`, first removes the append-only
/// trigger as only the database owner can.
fn tamper(url: &str, seq: i64, disable_guard: bool) -> anyhow::Result<()> {
    let update = format!("UPDATE audit_events SET outcome = 'OK' WHERE seq = {seq}");
    let guard = if url.starts_with("postgres") {
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only_rows"
    } else {
        "DROP TRIGGER audit_events_append_only_update"
    };
    if disable_guard {
        crate::support::run_sql(url, &[guard, &update])
    } else {
        crate::support::run_sql(url, &[&update])
    }
}

async fn verify(env: &Env) -> anyhow::Result<pb::VerifyAuditChainResponse> {
    Ok(env
        .audit()
        .await?
        .verify_audit_chain(pb::VerifyAuditChainRequest::default())
        .await?
        .into_inner())
}

/// Someone with the database owner's rights rewrites an event and recomputes every later hash,
/// or cuts events off the end: the chain alone still verifies, a checkpoint signed before
/// does not. A removed (or disabled) append-only guard is put back when a server starts, with
/// an error in its log and an event in the chain.
pub fn audit_checkpoint(env: &Env) -> anyhow::Result<()> {
    let files = tempfile::tempdir()?;
    let before_rewrite = files.path().join("mốc-1.json");
    let before_cut = files.path().join("mốc-2.json");
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        create_cluster(env, "cum-duc-xuan", pb::ClusterKind::Territorial).await?;
        let out = env.cli(&["audit", "checkpoint", "--out", &path(&before_rewrite)?])?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = env.cli(&["audit", "verify", "--checkpoint", &path(&before_rewrite)?])?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let head = verify(env).await?.events_checked;

        // Event 2 rewritten, every later hash recomputed: the chain alone verifies.
        let url = env.database_url.clone();
        tokio::task::spawn_blocking(move || rewrite(&url, 2)).await??;
        ensure!(
            verify(env).await?.intact,
            "the rehashed chain should verify alone"
        );
        let out = env.cli(&["audit", "verify", "--checkpoint", &path(&before_rewrite)?])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(6) && stderr.contains(&format!("sự kiện {head}")),
            "exit {:?}: {stderr}",
            out.status.code()
        );

        // A checkpoint of the present head, then the last two events cut off.
        let out = env.cli(&["audit", "checkpoint", "--out", &path(&before_cut)?])?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let head = verify(env).await?.events_checked;
        let url = env.database_url.clone();
        let cut = format!("DELETE FROM audit_events WHERE seq > {}", head - 2);
        tokio::task::spawn_blocking(move || {
            let mut statements = guard_off(&url);
            statements.push(&cut);
            crate::support::run_sql(&url, &statements)
        })
        .await??;
        ensure!(
            verify(env).await?.intact,
            "the cut chain should verify alone"
        );
        let out = env.cli(&["audit", "verify", "--checkpoint", &path(&before_cut)?])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(6) && stderr.contains("các sự kiện cuối đã bị xóa"),
            "exit {:?}: {stderr}",
            out.status.code()
        );
        // A checkpoint edited by hand is refused, not trusted.
        let text = std::fs::read_to_string(&before_cut)?;
        let forged = text.replace(&format!("\"sequence\": {head}"), "\"sequence\": 1");
        std::fs::write(&before_cut, forged)?;
        let out = env.cli(&["audit", "verify", "--checkpoint", &path(&before_cut)?])?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(3) && stderr.contains("checkpoint.signature"),
            "exit {:?}: {stderr}",
            out.status.code()
        );
        anyhow::Ok(())
    })?;

    // The guard is off (the attacks above removed it); a server that starts puts it back.
    let server = thidua_testkit::ServerProcess::start(
        &crate::crash::server_binary()?,
        &env.database_url,
        &["--audit-key", &path(&files.path().join("audit.key"))?],
    )?;
    let log = server.log();
    ensure!(
        log.contains("append-only guard was removed or disabled"),
        "no error about the guard: {log}"
    );
    let url = env.database_url.clone();
    ensure!(
        tamper(&url, 1, false).is_err(),
        "the guard was not put back: an UPDATE went through"
    );
    let restored = env.block_on(async {
        let events = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest {
                method: "server/RestoreAuditGuard".into(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .audit_events;
        anyhow::Ok(events.len())
    })?;
    ensure!(restored == 1, "{restored} restoration events");
    Ok(())
}

fn path(p: &std::path::Path) -> anyhow::Result<String> {
    p.to_str().map(str::to_owned).context("path is not UTF-8")
}

/// The statements that take the append-only guard off, as the database owner can.
fn guard_off(url: &str) -> Vec<&'static str> {
    if url.starts_with("postgres") {
        vec!["ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only_rows"]
    } else {
        vec![
            "DROP TRIGGER IF EXISTS audit_events_append_only_update",
            "DROP TRIGGER IF EXISTS audit_events_append_only_delete",
        ]
    }
}

/// Rewrites who made event `seq` and recomputes every later hash, as an attacker who knows the
/// chain's rule would.
fn rewrite(url: &str, seq: i64) -> anyhow::Result<()> {
    use thidua_domain::audit::{GENESIS, link};
    let store = thidua_storage::Store::open(url)?;
    let mut chain = store.read(|tx| tx.audit_chain(0, 100_000))?;
    let mut statements: Vec<String> = guard_off(url).into_iter().map(str::to_owned).collect();
    let mut previous = GENESIS.to_owned();
    for (event, hash) in &mut chain {
        if event.seq == seq {
            event.principal = "keys/phung-chi-kien".into();
            statements.push(format!(
                "UPDATE audit_events SET principal = 'keys/phung-chi-kien' WHERE seq = {seq}"
            ));
        }
        let relinked = link(&previous, event);
        if relinked != *hash {
            statements.push(format!(
                "UPDATE audit_events SET hash = '{relinked}' WHERE seq = {}",
                event.seq
            ));
        }
        previous = relinked;
    }
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    crate::support::run_sql(url, &statements)
}
