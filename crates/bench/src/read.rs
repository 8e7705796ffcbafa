//! Unary reads: GetScoreboard of one term at fixed concurrency (streams spread over
//! connections), against the health check served by the same server with the same settings
//! and the same client: the cost of tonic and the network alone.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::ensure;
use thidua_proto::v1 as pb;
use thidua_server::service::scoreboard_route::GET_SCOREBOARD;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
use tonic_prost::ProstCodec;

use crate::server::Server;

/// A `GetScoreboardResponse` as the load generator reads it: the term and each row left
/// encoded. Decoding every member's names and subtotals cost the generator more than the
/// server spent answering, so the scenario measured the generator (its processor was busy
/// throughout while the server's was not); a client pays for its own decoding.
#[derive(Clone, PartialEq, prost::Message)]
struct BoardOnTheWire {
    #[prost(string, tag = "1")]
    term: String,
    #[prost(bytes = "bytes", repeated, tag = "4")]
    rows: Vec<bytes::Bytes>,
}

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
    // One call decoded in full, untimed: the board exists, and its shape is what every timed
    // call is checked against.
    let full = pb::scoring_service_client::ScoringServiceClient::new(authed[0].clone())
        .get_scoreboard(pb::GetScoreboardRequest {
            term: term.to_owned(),
            layer: pb::ScoreLayer::Results.into(),
        })
        .await?
        .into_inner();
    ensure!(!full.rows.is_empty(), "an empty scoreboard");
    let expected = Arc::new(full);
    let result = load(streams, calls, |w| {
        let mut client = tonic::client::Grpc::new(authed[w % connections].clone());
        let expected = expected.clone();
        async move {
            let mut out = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let t = Instant::now();
                client.ready().await?;
                let board = client
                    .unary(
                        tonic::Request::new(pb::GetScoreboardRequest {
                            term: expected.term.clone(),
                            layer: pb::ScoreLayer::Results.into(),
                        }),
                        GET_SCOREBOARD.parse()?,
                        ProstCodec::<pb::GetScoreboardRequest, BoardOnTheWire>::default(),
                    )
                    .await?
                    .into_inner();
                ensure!(
                    board.term == expected.term && board.rows.len() == expected.rows.len(),
                    "a different scoreboard: {} with {} rows",
                    board.term,
                    board.rows.len()
                );
                out.push(t.elapsed());
            }
            Ok(out)
        }
    })
    .await?;
    Ok((ceiling, result))
}

/// Every term's scoreboard read once, as a nation's portals would the morning after the round:
/// what the server then keeps is bounded by its caches, which the memory row measures.
pub async fn every_board_once(server: &Server, terms: &[String]) -> anyhow::Result<()> {
    let mut client = pb::scoring_service_client::ScoringServiceClient::new(server.authed().await?)
        .max_decoding_message_size(64 * 1024 * 1024);
    for term in terms {
        client
            .get_scoreboard(pb::GetScoreboardRequest {
                term: term.clone(),
                ..Default::default()
            })
            .await?;
    }
    Ok(())
}
