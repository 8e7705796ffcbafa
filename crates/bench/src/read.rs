//! Unary reads: GetScoreboard of one term at fixed concurrency (streams spread over
//! connections), against the health check served by the same server with the same settings
//! and the same client: the cost of tonic and the network alone.

use std::time::{Duration, Instant};

use anyhow::ensure;
use thidua_proto::v1 as pb;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::server::Server;

/// Throughput and tail latency of a load run.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Calls per second.
    pub per_second: f64,
    /// 99th percentile latency.
    pub p99: Duration,
}

/// `calls` calls of `one` from `streams` concurrent workers over `connections` connections.
async fn load<F, Fut>(streams: usize, calls: usize, one: F) -> anyhow::Result<Load>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Vec<Duration>>> + Send + 'static,
{
    let started = Instant::now();
    let workers: Vec<_> = (0..streams).map(|w| tokio::spawn(one(w))).collect();
    let mut latencies = Vec::with_capacity(calls);
    for w in workers {
        latencies.extend(w.await??);
    }
    let elapsed = started.elapsed();
    ensure!(
        latencies.len() == calls,
        "{} of {calls} calls made",
        latencies.len()
    );
    Ok(Load {
        per_second: calls as f64 / elapsed.as_secs_f64(),
        p99: crate::import::p99(&mut latencies),
    })
}

/// The scoreboard of `term` read `calls` times, and the health check as many times.
pub async fn scoreboard_vs_health(
    server: &Server,
    term: &str,
    streams: usize,
    connections: usize,
    calls: usize,
) -> anyhow::Result<(Load, Load)> {
    let per_worker = calls / streams;
    let calls = per_worker * streams;
    let mut plain = Vec::new();
    let mut authed = Vec::new();
    for _ in 0..connections {
        plain.push(server.channel().await?);
        authed.push(server.authed().await?);
    }
    let ceiling = load(streams, calls, |w| {
        let mut client = HealthClient::new(plain[w % connections].clone());
        async move {
            let mut out = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let t = Instant::now();
                client
                    .check(HealthCheckRequest {
                        service: String::new(),
                    })
                    .await?;
                out.push(t.elapsed());
            }
            Ok(out)
        }
    })
    .await?;
    let term = term.to_owned();
    let result = load(streams, calls, |w| {
        let mut client =
            pb::scoring_service_client::ScoringServiceClient::new(authed[w % connections].clone());
        let term = term.clone();
        async move {
            let mut out = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let t = Instant::now();
                let board = client
                    .get_scoreboard(pb::GetScoreboardRequest {
                        term: term.clone(),
                        layer: pb::ScoreLayer::Results.into(),
                    })
                    .await?
                    .into_inner();
                ensure!(!board.rows.is_empty(), "an empty scoreboard");
                out.push(t.elapsed());
            }
            Ok(out)
        }
    })
    .await?;
    Ok((ceiling, result))
}
