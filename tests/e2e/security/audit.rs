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
            attack(&url, &["DELETE FROM audit_events WHERE seq = 1"])
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
        ensure!(stderr.contains(&format!("event {target}")), "{stderr}");
        Ok(())
    })
}

/// Runs `statements` on a connection of its own, as someone with direct database access.
fn attack(url: &str, statements: &[&str]) -> anyhow::Result<()> {
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
        attack(url, &[guard, &update])
    } else {
        attack(url, &[&update])
    }
}

async fn verify(env: &Env) -> anyhow::Result<pb::VerifyAuditChainResponse> {
    Ok(env
        .audit()
        .await?
        .verify_audit_chain(pb::VerifyAuditChainRequest {})
        .await?
        .into_inner())
}
