//! Real concurrency against the real server: one etag, many writers; one request id, many
//! retries; 32 writers on SQLite; load shedding.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{create_cluster, import_bac_kan, legacy},
};

const WRITERS: usize = 32;

fn new_cluster(id: &str, request_id: &str, name: &str) -> pb::CreateClusterRequest {
    pb::CreateClusterRequest {
        cluster: Some(pb::Cluster {
            display_name: name.into(),
            kind: pb::ClusterKind::Territorial.into(),
            organiser: legacy("058"),
            ..Default::default()
        }),
        cluster_id: id.into(),
        request_id: request_id.into(),
    }
}

/// Eight concurrent updates with the same etag: exactly one wins, the others are ABORTED.
/// Eight concurrent creates with one request id: one cluster, eight identical answers.
/// Thirty-two concurrent writers: all succeed, none sees a busy database.
pub fn races(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        let cluster = create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        let mut calls = Vec::new();
        for i in 0..8 {
            let mut client = env.clusters().await?;
            let etag = cluster.etag.clone();
            calls.push(tokio::spawn(async move {
                client
                    .update_cluster(pb::UpdateClusterRequest {
                        cluster: Some(pb::Cluster {
                            name: "clusters/bac-kan-city".into(),
                            display_name: format!("Cụm thi đua thành phố Bắc Kạn — bản {i}"),
                            etag,
                            ..Default::default()
                        }),
                        update_mask: Some(prost_types::FieldMask {
                            paths: vec!["display_name".into()],
                        }),
                    })
                    .await
                    .map(|_| ())
                    .map_err(|s| s.code())
            }));
        }
        let mut won = 0;
        for call in calls {
            match call.await? {
                Ok(()) => won += 1,
                Err(Code::Aborted) => {}
                Err(other) => anyhow::bail!("an update failed with {other:?}"),
            }
        }
        ensure!(won == 1, "{won} updates won with the same etag");

        let mut calls = Vec::new();
        for _ in 0..8 {
            let mut client = env.clusters().await?;
            calls.push(tokio::spawn(async move {
                client
                    .create_cluster(new_cluster(
                        "khoi-so-nganh",
                        "tao-khoi-2022",
                        "Khối các sở, ngành",
                    ))
                    .await
                    .map(|r| r.into_inner().cluster.map(|c| (c.name, c.create_time)))
            }));
        }
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await??.context("no cluster")?);
        }
        ensure!(
            answers.windows(2).all(|w| w[0] == w[1]),
            "retries answered differently: {answers:?}"
        );
        let reused = env
            .clusters()
            .await?
            .create_cluster(new_cluster("khoi-khac", "tao-khoi-2022", "Khối khác"))
            .await;
        crate::support::expect_error(reused, Code::FailedPrecondition, Some("REQUEST_ID_REUSED"))?;

        let mut calls = Vec::new();
        for i in 0..WRITERS {
            let mut client = env.clusters().await?;
            calls.push(tokio::spawn(async move {
                client
                    .create_cluster(new_cluster(&format!("cum-{i}"), "", &format!("Cụm số {i}")))
                    .await
                    .map(|_| ())
                    .map_err(|s| format!("{:?} {}", s.code(), s.message()))
            }));
        }
        for call in calls {
            call.await?.map_err(anyhow::Error::msg)?;
        }
        let listed = env
            .clusters()
            .await?
            .list_clusters(pb::ListClustersRequest {
                page_size: 1000,
                ..Default::default()
            })
            .await?
            .into_inner()
            .clusters;
        ensure!(listed.len() == WRITERS + 2, "{} clusters", listed.len());
        Ok(())
    })
}

/// With one call allowed in flight, a second is shed at once with RESOURCE_EXHAUSTED while
/// the first (an import whose upload is still open) runs; once it ends, calls are served.
pub fn load_shedding(env: &Env) -> anyhow::Result<()> {
    let small = Env::start_with(
        Some(env.database_url.clone()),
        thidua_server::ServeOptions {
            limits: thidua_server::auth::Limits {
                max_in_flight: 1,
                // Probes come fast; the per-key rate must not be what refuses them.
                rate_per_key: 1e9,
                burst_per_key: 1e9,
            },
            ..thidua_server::ServeOptions::default()
        },
    )?;
    small.block_on(async {
        import_bac_kan(&small).await?;
        let mut units = small.units().await?;
        let mut shed = false;
        // The held import may itself lose the race for the slot to a probe; then try again.
        for _ in 0..100 {
            let (tx, rx) = tokio::sync::mpsc::channel::<pb::ImportUnitsRequest>(4);
            tx.send(pb::ImportUnitsRequest {
                scheme: "qd124-2004".into(),
                ..Default::default()
            })
            .await?;
            let mut importer = small.units().await?;
            let held = tokio::spawn(async move {
                importer
                    .import_units(tokio_stream::wrappers::ReceiverStream::new(rx))
                    .await
            });
            for _ in 0..1_000 {
                match units
                    .get_unit(pb::GetUnitRequest { name: legacy("06") })
                    .await
                {
                    Err(s)
                        if s.code() == Code::ResourceExhausted
                            && s.message().contains("in flight") =>
                    {
                        shed = true;
                        break;
                    }
                    _ => tokio::task::yield_now().await,
                }
            }
            drop(tx);
            let ended = held.await?;
            if shed {
                // It held the slot, so it ran: it fails only because it carried no rows.
                let status = ended.err().context("an import without rows succeeded")?;
                ensure!(status.code() == Code::InvalidArgument, "{status:?}");
                break;
            }
        }
        ensure!(shed, "no call was shed while an import held the only slot");
        units
            .get_unit(pb::GetUnitRequest { name: legacy("06") })
            .await?;
        Ok(())
    })
}
