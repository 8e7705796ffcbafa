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
                ..thidua_server::auth::Limits::default()
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

/// The national unit list of 2004–2025, as import rows.
pub fn national_rows() -> anyhow::Result<Vec<pb::UnitRow>> {
    let path = crate::env::shared_data("units-legacy.csv")?;
    let mut reader = csv::Reader::from_path(&path)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record?;
        rows.push(pb::UnitRow {
            code: r[0].to_owned(),
            name: r[1].to_owned(),
            kind: r[2].to_owned(),
            parent_code: r[3].to_owned(),
            line: 0,
        });
    }
    Ok(rows)
}

fn import_messages(rows: &[pb::UnitRow], request_id: &str) -> Vec<pb::ImportUnitsRequest> {
    let mut messages = vec![pb::ImportUnitsRequest {
        scheme: "qd124-2004".into(),
        request_id: request_id.into(),
        ..Default::default()
    }];
    for chunk in rows.chunks(2_000) {
        messages.push(pb::ImportUnitsRequest {
            rows: chunk.to_vec(),
            ..Default::default()
        });
    }
    messages
}

/// A call past its deadline is cancelled and its transaction rolled back: whatever the
/// moment the deadline strikes (during the upload or the transaction), the retry with the
/// same request id replays what was acknowledged, and nothing unacknowledged is half there.
pub fn deadlines_roll_back(env: &Env) -> anyhow::Result<()> {
    let rows = national_rows()?;
    env.block_on(async {
        let mut acknowledged = false;
        for (i, millis) in [1u64, 20, 60, 120, 250, 500, 1_000].into_iter().enumerate() {
            let request_id = format!("nhap-don-vi-{i}");
            let mut request =
                tonic::Request::new(tokio_stream::iter(import_messages(&rows, &request_id)));
            request.set_timeout(std::time::Duration::from_millis(millis));
            let first = env.units().await?.import_units(request).await;
            let first_ok = match &first {
                Ok(_) => true,
                Err(s) if matches!(s.code(), Code::DeadlineExceeded | Code::Cancelled) => false,
                Err(s) => anyhow::bail!("import with a {millis} ms deadline: {s:?}"),
            };
            // The retry waits for the first call's transaction to end (SQLite's write lock,
            // PostgreSQL's lock on the request id), so it sees its committed outcome only.
            let retry = env
                .units()
                .await?
                .import_units(tokio_stream::iter(import_messages(&rows, &request_id)))
                .await?
                .into_inner();
            // An acknowledged import is there for the retry to replay. An unacknowledged one
            // may be there too, whole: a commit just before the server's deadline whose answer
            // reaches the client just after its own.
            ensure!(
                retry.replayed || !first_ok,
                "deadline {millis} ms: first call ok={first_ok}, retry replayed={}",
                retry.replayed
            );
            let total = retry.units_created + retry.units_unchanged;
            ensure!(total == i64::try_from(rows.len())?, "{retry:?}");
            if !acknowledged && !retry.replayed {
                ensure!(
                    retry.units_created == i64::try_from(rows.len())?,
                    "a rolled-back import left {} units behind",
                    retry.units_unchanged
                );
            }
            acknowledged = true;
        }
        Ok(())
    })
}

/// The database goes down under a steady writer and comes back: calls meanwhile fail
/// UNAVAILABLE (never INTERNAL), the pool recovers by itself, and every acknowledged write is
/// there afterwards. Runs on a PostgreSQL cluster of its own, since it stops it.
pub fn outage_recovery(pg: &thidua_testkit::Postgres, url: String) -> anyhow::Result<()> {
    let env = Env::start(Some(url))?;
    env.block_on(async {
        import_bac_kan(&env).await?;
        let (events, mut seen) = tokio::sync::mpsc::unbounded_channel::<Result<String, Code>>();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut clusters = env.clusters().await?;
        let writer = tokio::spawn(async move {
            let mut i = 0;
            while !*stopped.borrow() {
                let id = format!("cum-{i}");
                let outcome = clusters
                    .create_cluster(new_cluster(&id, "", &format!("Cụm số {i}")))
                    .await
                    .map(|_| id)
                    .map_err(|s| s.code());
                if events.send(outcome).is_err() {
                    break;
                }
                i += 1;
            }
        });
        let mut acknowledged = Vec::new();
        let mut failures = Vec::new();
        let mut next = async |acknowledged: &mut Vec<String>,
                              failures: &mut Vec<Code>|
               -> anyhow::Result<bool> {
            match seen.recv().await.context("the writer stopped")? {
                Ok(id) => {
                    acknowledged.push(id);
                    Ok(true)
                }
                Err(code) => {
                    failures.push(code);
                    Ok(false)
                }
            }
        };
        while acknowledged.len() < 10 {
            next(&mut acknowledged, &mut failures).await?;
        }
        // pg_ctl waits for the server; the writer and the server go on on the other workers.
        let blocking_pg = |action: &'static str| tokio::task::block_in_place(|| pg.control(action));
        blocking_pg("stop")?;
        while failures.is_empty() {
            next(&mut acknowledged, &mut failures).await?;
        }
        blocking_pg("start")?;
        let before = acknowledged.len();
        while acknowledged.len() < before + 10 {
            next(&mut acknowledged, &mut failures).await?;
        }
        stop.send(true)?;
        while next(&mut acknowledged, &mut failures).await.is_ok() {}
        writer.await?;
        ensure!(
            failures.iter().all(|c| *c == Code::Unavailable),
            "failures during the outage: {failures:?}"
        );
        let listed: Vec<String> = env
            .clusters()
            .await?
            .list_clusters(pb::ListClustersRequest {
                page_size: 1000,
                ..Default::default()
            })
            .await?
            .into_inner()
            .clusters
            .into_iter()
            .map(|c| c.name)
            .collect();
        for id in &acknowledged {
            ensure!(
                listed.contains(&format!("clusters/{id}")),
                "acknowledged {id} was lost"
            );
        }
        Ok(())
    })
}
