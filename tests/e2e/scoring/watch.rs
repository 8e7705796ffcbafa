//! WatchScoreboard: watchers hear every committed change that changes their board, in this
//! server and (PostgreSQL) another.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;

use crate::{env::Env, support::legacy};

use super::*;

async fn read_board(env: &Env) -> anyhow::Result<pb::GetScoreboardResponse> {
    let request = pb::GetScoreboardRequest {
        term: TERM.into(),
        layer: pb::ScoreLayer::Results.into(),
    };
    Ok(env
        .scoring()
        .await?
        .get_scoreboard(request)
        .await?
        .into_inner())
}

async fn next_board(
    stream: &mut tonic::Streaming<pb::WatchScoreboardResponse>,
) -> anyhow::Result<pb::GetScoreboardResponse> {
    let message = tokio::time::timeout(std::time::Duration::from_secs(30), stream.message())
        .await
        .context("no scoreboard within 30 s")??
        .context("the watch ended")?;
    message.scoreboard.context("an empty message")
}

fn total_of(board: &pb::GetScoreboardResponse, unit: &str) -> String {
    board
        .rows
        .iter()
        .find(|r| r.unit == legacy(unit))
        .and_then(|r| r.total.as_ref())
        .map(|d| d.value.clone())
        .unwrap_or_default()
}

/// A watcher gets the board at once and again after each change; on PostgreSQL a change made
/// through one server reaches a watcher connected to another (LISTEN/NOTIFY).
pub fn watch_scoreboard(env: &Env) -> anyhow::Result<()> {
    let other = env.twin()?;
    env.block_on(async {
        signed_term(env, &["01843", "01840"], &["1000", "800"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        let watch = |layer: pb::ScoreLayer| pb::WatchScoreboardRequest {
            term: TERM.into(),
            layer: layer.into(),
        };
        let mut here = env
            .scoring()
            .await?
            .watch_scoreboard(watch(pb::ScoreLayer::Results))
            .await?
            .into_inner();
        let first = next_board(&mut here).await?;
        ensure!(total_of(&first, "01843") == "0", "{first:?}");
        submit(env, &legacy("01843"), "I.2", "100", "").await?;
        let second = next_board(&mut here).await?;
        ensure!(total_of(&second, "01843") == "10", "{second:?}");
        // Read once everywhere, so each server keeps the board in memory.
        read_board(env).await?;
        if env.is_postgres() {
            read_board(&other).await?;
        }
        // A member renamed through another service: its watchers wake, and no server keeps the
        // old name.
        let mut units = env.units().await?;
        let unit = units
            .get_unit(pb::GetUnitRequest {
                name: legacy("01840"),
            })
            .await?
            .into_inner()
            .unit
            .context("the server answered without a unit")?;
        units
            .update_unit(pb::UpdateUnitRequest {
                unit: Some(pb::Unit {
                    name: legacy("01840"),
                    display_name: "Phường Đức Xuân".into(),
                    etag: unit.etag,
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["display_name".into()],
                }),
                effective_date: None,
            })
            .await?;
        let renamed = next_board(&mut here).await?;
        let name_on = |board: &pb::GetScoreboardResponse| {
            board
                .rows
                .iter()
                .find(|r| r.unit == legacy("01840"))
                .map(|r| r.display_name.clone())
        };
        ensure!(
            name_on(&renamed).as_deref() == Some("Phường Đức Xuân"),
            "the watcher saw {renamed:?}"
        );
        let kept = read_board(env).await?;
        ensure!(
            name_on(&kept).as_deref() == Some("Phường Đức Xuân"),
            "a kept board shows {:?}",
            name_on(&kept)
        );
        if env.is_postgres() {
            let kept = read_board(&other).await?;
            ensure!(
                name_on(&kept).as_deref() == Some("Phường Đức Xuân"),
                "the other server's kept board shows {:?}",
                name_on(&kept)
            );
        }
        if env.is_postgres() {
            let mut there = other
                .scoring()
                .await?
                .watch_scoreboard(watch(pb::ScoreLayer::Results))
                .await?
                .into_inner();
            let start = next_board(&mut there).await?;
            ensure!(total_of(&start, "01843") == "10");
            submit(env, &legacy("01843"), "I.3", "5", "").await?;
            let relayed = next_board(&mut there).await?;
            ensure!(
                total_of(&relayed, "01843") == "15",
                "the other server's watcher saw {relayed:?}"
            );
        }
        // Shutting down ends the open watch at once, telling its client to reconnect, instead
        // of holding the shutdown for the drain time.
        let started = std::time::Instant::now();
        env.signal_shutdown();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            // Boards sent before the signal (on PostgreSQL, the last change's) come first.
            loop {
                match here.message().await {
                    Ok(Some(_)) => continue,
                    other => return other,
                }
            }
        })
        .await
        .context("the watch went on after the shutdown signal")?;
        ensure!(
            matches!(&ended, Err(s) if s.code() == tonic::Code::Unavailable
                && s.message().contains("reconnect")),
            "the watch ended with {ended:?}"
        );
        env.server_stopped().await?;
        ensure!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "the server took {:?} to stop with a watcher open",
            started.elapsed()
        );
        Ok(())
    })
}
