//! Term changes are announced by the store that committed them: once to its own process's
//! watchers, and through PostgreSQL to every other server process, which the announcing process
//! does not hear a second time.

use anyhow::{Context, ensure};
use thidua_domain::{names::TermName, time::Timestamp};
use thidua_proto::v1 as pb;
use tokio::sync::broadcast;

use crate::{
    env::Env,
    support::{create_cluster, create_term, import_bac_kan, legacy},
};

/// Each committed change is heard once in every process: the writer's own watchers at once,
/// the other server's through NOTIFY, and the writer not again through its own NOTIFY.
pub fn heard_once(env: &Env) -> anyhow::Result<()> {
    let other = env.twin()?;
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "cum-phong-quang", pb::ClusterKind::Territorial).await?;
        create_term(env, "cum-phong-quang", 2024, &[legacy("01843")]).await?;
        create_cluster(env, "cum-duc-xuan", pb::ClusterKind::Territorial).await?;
        create_term(env, "cum-duc-xuan", 2024, &[legacy("01840")]).await?;
        let mut here = env.store.changes();
        let mut there = other.store.changes();
        let touch = |store: &thidua_storage::Store, cluster: &'static str| {
            store.write(|tx| tx.touch_term(&TermName::new(cluster, 2024), None, Timestamp(1)))
        };
        touch(&env.store, "cum-phong-quang")?;
        ensure!(
            next(&mut here).await? == TermName::new("cum-phong-quang", 2024),
            "the writer's own watchers hear its change at once"
        );
        if env.is_postgres() {
            ensure!(
                next(&mut there).await? == TermName::new("cum-phong-quang", 2024),
                "the other process hears it"
            );
            touch(&other.store, "cum-duc-xuan")?;
            // PostgreSQL delivers notifications in commit order: had the writer heard its own
            // NOTIFY, it would come before the other process's.
            let heard = next(&mut here).await?;
            ensure!(
                heard == TermName::new("cum-duc-xuan", 2024),
                "the writer heard {heard:?} after its own change"
            );
        }
        let rolled_back: Result<(), thidua_domain::Error> = env.store.write(|tx| {
            tx.touch_term(&TermName::new("cum-duc-xuan", 2024), None, Timestamp(2))?;
            Err(thidua_domain::Error::Cancelled)
        });
        ensure!(rolled_back.is_err());
        touch(&env.store, "cum-phong-quang")?;
        ensure!(
            next(&mut here).await? == TermName::new("cum-phong-quang", 2024),
            "a rolled-back change is not announced"
        );
        Ok(())
    })
}

async fn next(changes: &mut broadcast::Receiver<TermName>) -> anyhow::Result<TermName> {
    tokio::time::timeout(std::time::Duration::from_secs(30), changes.recv())
        .await
        .context("no change heard within 30 s")?
        .context("the change feed closed")
}
