//! WatchScoreboard fan-out: watchers of one term spread over two server processes on one
//! PostgreSQL database (as two nodes of a deployment would be), one result committed through
//! the first; how long after the commit every watcher holds the new board, and how much each
//! server's memory grew per watcher.
//!
//! The ceiling is the same commit watched by one watcher on the second server: the path every
//! change takes (the commit, PostgreSQL's notification, the other server's board) with nobody
//! else to serve.

use std::time::{Duration, Instant};

use anyhow::Context;
use thidua_proto::v1 as pb;
use tonic::Streaming;

use crate::{Row, import::p99, ms, server::Server, world::RoundTerm};

/// Streams opened on one connection at most (the server allows 128 at once).
const STREAMS_PER_CONNECTION: usize = 100;

/// How long a watcher may wait for the new board before the run fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// `n` watchers of `term` on `server`, each past its first board.
async fn watchers(
    server: &Server,
    term: &str,
    n: usize,
) -> anyhow::Result<Vec<Streaming<pb::WatchScoreboardResponse>>> {
    let mut streams = Vec::with_capacity(n);
    let mut client = None;
    for i in 0..n {
        if i % STREAMS_PER_CONNECTION == 0 {
            client = Some(pb::scoring_service_client::ScoringServiceClient::new(
                server.authed().await?,
            ));
        }
        let Some(client) = client.as_mut() else {
            continue;
        };
        let mut stream = client
            .watch_scoreboard(pb::WatchScoreboardRequest {
                term: term.to_owned(),
                layer: pb::ScoreLayer::Results.into(),
            })
            .await?
            .into_inner();
        stream
            .message()
            .await?
            .context("a watch ended before its first board")?;
        streams.push(stream);
    }
    Ok(streams)
}

/// Commits a new value of `term`'s first member's first criterion through `server`; returns
/// how long after the commit was sent each watcher held the new board.
async fn commit_and_wait(
    server: &Server,
    term: &RoundTerm,
    value: u32,
    streams: Vec<Streaming<pb::WatchScoreboardResponse>>,
) -> anyhow::Result<(Vec<Duration>, Vec<Streaming<pb::WatchScoreboardResponse>>)> {
    let waiting: Vec<_> = streams
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move {
                let next = tokio::time::timeout(PATIENCE, stream.message()).await;
                let at = Instant::now();
                anyhow::ensure!(
                    matches!(next, Ok(Ok(Some(_)))),
                    "a watcher had no new board within {PATIENCE:?}"
                );
                Ok((at, stream))
            })
        })
        .collect();
    let code = crate::nationwide::table()[0].children[0].code.clone();
    let unit = term.members.first().context("a term without members")?;
    let mut client = pb::scoring_service_client::ScoringServiceClient::new(server.authed().await?);
    let sent = Instant::now();
    client
        .submit_result(pb::SubmitResultRequest {
            term: term.term.to_string(),
            result: Some(pb::ReportedResult {
                unit: format!("units/{}", unit.key()),
                criterion_code: code,
                value: Some(pb::Decimal {
                    value: value.to_string(),
                }),
                ..Default::default()
            }),
        })
        .await?;
    let mut latencies = Vec::with_capacity(waiting.len());
    let mut streams = Vec::with_capacity(waiting.len());
    for task in waiting {
        let (at, stream) = task.await??;
        latencies.push(at.saturating_duration_since(sent));
        streams.push(stream);
    }
    Ok((latencies, streams))
}

/// The fan-out rows: the p99 from the commit to every watcher's new board, and memory per
/// watcher.
pub async fn fan_out(
    first: &Server,
    second: &Server,
    term: &RoundTerm,
    watchers_in_all: usize,
    runs: usize,
) -> anyhow::Result<Vec<Row>> {
    let name = term.term.to_string();
    // The ceiling: one watcher on the second server, the fastest of `runs` commits.
    let mut alone = watchers(second, &name, 1).await?;
    let mut ceiling = Duration::MAX;
    for run in 0..runs {
        let (latencies, streams) = commit_and_wait(first, term, 10 + run as u32, alone).await?;
        ceiling = ceiling.min(latencies.iter().copied().max().unwrap_or_default());
        alone = streams;
    }
    drop(alone);
    let half = watchers_in_all / 2;
    let before = [first.memory()?.0, second.memory()?.0];
    let mut streams = watchers(first, &name, half).await?;
    streams.extend(watchers(second, &name, watchers_in_all - half).await?);
    let after = [first.memory()?.0, second.memory()?.0];
    let (mut latencies, streams) = commit_and_wait(first, term, 90, streams).await?;
    drop(streams);
    let limit = Duration::from_millis(250);
    let p = p99(&mut latencies);
    let slowest = latencies.iter().copied().max().unwrap_or_default();
    let per_watcher =
        |i: usize, n: usize| after[i].saturating_sub(before[i]) as f64 / n.max(1) as f64 / 1024.0;
    let kib = per_watcher(0, half).max(per_watcher(1, watchers_in_all - half));
    Ok(vec![
        Row {
            scenario: format!(
                "WatchScoreboard fan-out: {watchers_in_all} watchers of one term over two servers on one PostgreSQL, one result committed through the first — p99 from the commit to the new board (slowest {}), vs one watcher on the second server",
                ms(slowest)
            ),
            ceiling: ms(ceiling),
            result: ms(p),
            ratio: p.as_secs_f64() / ceiling.as_secs_f64().max(1e-9),
            goal: format!("≤ {}", ms(limit)),
            met: p <= limit,
        },
        Row {
            scenario: format!(
                "WatchScoreboard fan-out: server memory per watcher (the larger of the two servers' RSS growth over its {half} watchers)"
            ),
            ceiling: "—".into(),
            result: format!("{kib:.1} KiB"),
            ratio: kib / 16.0,
            goal: "≤ 16 KiB".into(),
            met: kib <= 16.0,
        },
    ])
}
