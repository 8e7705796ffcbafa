//! Backup and restore as the README tells an operator to do them: `thidua-server backup`
//! (SQLite, while serving) or `pg_dump`/`pg_restore` (PostgreSQL); the restored database
//! serves the same data and its audit chain verifies.

use std::process::Command;

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;

use crate::{
    crash::server_binary,
    env::Env,
    support::{create_cluster, import_bac_kan, legacy},
};

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    ensure!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// Backs up the live database, restores it, and serves from the copy.
pub fn backup_and_restore(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await
    })?;
    let dir = tempfile::tempdir()?;
    let restored = if env.is_postgres() {
        let bin = thidua_testkit::newest_bin().context("no pg_dump")?;
        let dump = dir.path().join("thidua.dump");
        run(Command::new(bin.join("pg_dump"))
            .args(["-Fc", "-f"])
            .arg(&dump)
            .args(["-d", &env.database_url]))?;
        let (base, query) = env
            .database_url
            .split_once('?')
            .context("no socket in the URL")?;
        let (server, name) = base.rsplit_once('/').context("no database name")?;
        let copy = format!("{name}_restored");
        let host = query.trim_start_matches("host=");
        run(Command::new(bin.join("createdb")).args(["-h", host, "-U", "postgres", &copy]))?;
        let url = format!("{server}/{copy}?{query}");
        run(Command::new(bin.join("pg_restore"))
            .args(["--no-owner", "-d", &url])
            .arg(&dump))?;
        url
    } else {
        let copy = dir.path().join("thidua-backup.db").display().to_string();
        run(Command::new(server_binary()?).args([
            "--database",
            &env.database_url,
            "backup",
            "--to",
            &copy,
        ]))?;
        copy
    };
    let copy = Env::start(Some(restored))?;
    copy.block_on(async {
        let unit = copy
            .units()
            .await?
            .get_unit(pb::GetUnitRequest {
                name: legacy("01843"),
            })
            .await?
            .into_inner()
            .unit
            .context("no unit")?;
        ensure!(unit.display_name == "Phùng Chí Kiên", "{unit:?}");
        copy.clusters()
            .await?
            .get_cluster(pb::GetClusterRequest {
                name: "clusters/bac-kan-city".into(),
            })
            .await?;
        let chain = copy
            .audit()
            .await?
            .verify_audit_chain(pb::VerifyAuditChainRequest::default())
            .await?
            .into_inner();
        ensure!(chain.intact && chain.events_checked >= 3, "{chain:?}");
        Ok(())
    })
}
