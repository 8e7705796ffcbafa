//! Prometheus metrics (`--metrics-listen ADDR`, served at `/metrics`), recorded through the
//! `metrics` facade and rendered by `metrics-exporter-prometheus`. Without the flag no
//! recorder is installed and every record below returns at once, before building its labels:
//! they are on every call's path.
//!
//! - `thidua_calls_total{method,code}` and `thidua_call_duration_seconds{method,code}`: every
//!   call once it is over ([`crate::logging`]);
//! - `thidua_calls_in_flight`;
//! - `thidua_db_connections{state="open"|"idle"}`: the connection pool, every few seconds;
//! - `thidua_import_rows_total{kind="units"|"results"}`: rows received by imports.
//!
//! The method label is one of the contract's methods, the health check or reflection; any other
//! path counts as `unknown`, so a caller cannot grow the label set.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use thidua_domain::access::POLICY;
use thidua_storage::Store;
use tokio::net::TcpListener;

/// How often the pool's state is sampled.
const POOL_SAMPLE: Duration = Duration::from_secs(5);

/// Latency buckets, in seconds: a cached scoreboard is well under a millisecond, an import of
/// a province can take seconds.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The label of a request path.
fn method_label(path: &str) -> String {
    if let Some(method) = path.strip_prefix("/thidua.v1.")
        && POLICY.iter().any(|(m, _, _)| *m == method)
    {
        return method.to_owned();
    }
    if let Some(method) = path.strip_prefix("/grpc.health.v1.Health/") {
        return format!("Health/{method}");
    }
    if path.starts_with("/grpc.reflection.") {
        return "reflection".to_owned();
    }
    "unknown".to_owned()
}

/// Whether [`serve`] installed the recorder; set once, before any call is served.
static RECORDING: AtomicBool = AtomicBool::new(false);

fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// A call has begun.
pub fn call_started() {
    if recording() {
        metrics::gauge!("thidua_calls_in_flight").increment(1.0);
    }
}

/// A call on `path` is over with `code` after `latency`.
pub fn call_ended(path: &str, code: tonic::Code, latency: Duration) {
    if !recording() {
        return;
    }
    metrics::gauge!("thidua_calls_in_flight").decrement(1.0);
    let labels = [
        ("method", method_label(path)),
        ("code", format!("{code:?}")),
    ];
    metrics::counter!("thidua_calls_total", &labels).increment(1);
    metrics::histogram!("thidua_call_duration_seconds", &labels).record(latency.as_secs_f64());
}

/// An import received `rows` rows of `kind` (`units`, `results`).
pub fn import_rows(kind: &'static str, rows: usize) {
    if !recording() {
        return;
    }
    metrics::counter!("thidua_import_rows_total", "kind" => kind)
        .increment(u64::try_from(rows).unwrap_or(u64::MAX));
}

/// Installs the Prometheus recorder and serves `/metrics` on `listener`; samples `store`'s
/// pool. Returns once the recorder is installed.
pub fn serve(listener: TcpListener, store: Store) -> anyhow::Result<()> {
    let handle = PrometheusBuilder::new()
        .set_buckets(BUCKETS)?
        .install_recorder()?;
    RECORDING.store(true, Ordering::Relaxed);
    tokio::spawn(sample_pool(store));
    tokio::spawn(serve_scrapes(listener, handle));
    Ok(())
}

async fn sample_pool(store: Store) {
    let mut tick = tokio::time::interval(POOL_SAMPLE);
    loop {
        tick.tick().await;
        let (open, idle) = store.pool_state();
        metrics::gauge!("thidua_db_connections", "state" => "open").set(f64::from(open));
        metrics::gauge!("thidua_db_connections", "state" => "idle").set(f64::from(idle));
    }
}

async fn serve_scrapes(listener: TcpListener, handle: PrometheusHandle) {
    use hyper::{Response, StatusCode, body::Incoming, server::conn::http1, service::service_fn};
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "metrics listener: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let handle = handle.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<Incoming>| {
                let response = if request.uri().path() == "/metrics" {
                    Response::builder()
                        .header("content-type", "text/plain; version=0.0.4")
                        .body(handle.render())
                } else {
                    Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .body("metrics are at /metrics\n".to_owned())
                };
                std::future::ready(response)
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(io, service)
                .await
            {
                tracing::debug!(%peer, error = %e, "metrics connection ended");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_methods_become_labels() {
        assert_eq!(
            method_label("/thidua.v1.ScoringService/GetScoreboard"),
            "ScoringService/GetScoreboard"
        );
        assert_eq!(method_label("/grpc.health.v1.Health/Check"), "Health/Check");
        assert_eq!(method_label("/thidua.v1.ScoringService/Nope"), "unknown");
        assert_eq!(method_label("/x/../../etc"), "unknown");
    }
}
