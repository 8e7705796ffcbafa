#![doc = include_str!("../README.md")]

pub mod admissions;
pub mod app;
pub mod auth;
pub mod authorization;
pub mod batched_writes;
pub mod boards;
pub mod connections;
pub mod convert;
pub mod demo;
pub mod documents;
pub mod http;
pub mod locale;
pub mod logging;
pub mod metrics;
pub mod rates;
pub mod service;
pub mod sheets;
pub mod status;

use std::{future::Future, time::Duration};

use thidua_domain::audit::checkpoint::AuditKey;
use thidua_proto::v1::{
    access_service_server::AccessServiceServer, audit_service_server::AuditServiceServer,
    cluster_service_server::ClusterServiceServer, target_service_server::TargetServiceServer,
    unit_service_server::UnitServiceServer,
};
use thidua_storage::Store;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::service::{
    clusters::Clusters, keys::Access, scoring::Scoring, targets::Targets, units::Units,
};
use crate::{
    batched_writes::BatchedWrites,
    connections::{ConnectionLimits, Gate, Guarded},
};

/// Default largest request or response message, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// After a shutdown signal, how long in-flight calls may take before the remaining
    /// connections are closed (a client's open stream must not keep the server up forever).
    pub drain_timeout: Duration,
    /// Calls in flight, per-key rate.
    pub limits: auth::Limits,
    /// Signs audit checkpoints; read from a file outside the database (`--audit-key`).
    pub audit_key: Option<AuditKey>,
    /// Open connections (in all, per peer), handshake and idle timeouts.
    pub connections: ConnectionLimits,
    /// How often an HTTP/2 keepalive ping is sent on a connection; a peer that does not
    /// answer within [`ServeOptions::keepalive_timeout`] is disconnected.
    pub keepalive_interval: Duration,
    /// How long a keepalive ping may wait for its answer.
    pub keepalive_timeout: Duration,
    /// Largest message either way; a larger one is refused RESOURCE_EXHAUSTED.
    pub max_message_bytes: usize,
    /// HTTP/2 streams one connection may open at once.
    pub max_concurrent_streams: u32,
    /// Longest a unary call may run; the client's own deadline applies when shorter. A call
    /// past it is cancelled and its transaction rolled back.
    pub request_timeout: Duration,
    /// TLS, and mutual TLS when a client CA is given; `None` serves plain HTTP/2 and HTTP/1.1
    /// (for 127.0.0.1 or behind a terminating proxy).
    pub tls: Option<Tls>,
    /// Where `GET /` leads (under `--demo`, the seed's scoreboard page with a share link).
    pub home: Option<String>,
    /// How much the server keeps in memory.
    pub caches: Caches,
}

/// Bounds of what the server keeps in memory (each a flag of `thidua-server`).
#[derive(Debug, Clone, Copy)]
pub struct Caches {
    /// Computed scoreboards (term × layer).
    pub boards: usize,
    /// Decided admissions (key × need × scope).
    pub admissions: usize,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            boards: boards::DEFAULT_ENTRIES,
            admissions: admissions::DEFAULT_ENTRIES,
        }
    }
}

/// PEM material for TLS.
#[derive(Clone)]
pub struct Tls {
    /// The server's certificate chain.
    pub cert: Vec<u8>,
    /// The server's private key.
    pub key: Vec<u8>,
    /// When set, clients must present a certificate issued by this CA (mutual TLS); a client
    /// without one fails the handshake.
    pub client_ca: Option<Vec<u8>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("mutual", &self.client_ca.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            drain_timeout: Duration::from_secs(30),
            limits: auth::Limits::default(),
            audit_key: None,
            connections: ConnectionLimits::default(),
            keepalive_interval: Duration::from_secs(30),
            keepalive_timeout: Duration::from_secs(10),
            max_message_bytes: MAX_MESSAGE_BYTES,
            max_concurrent_streams: 128,
            request_timeout: Duration::from_secs(300),
            tls: None,
            home: None,
            caches: Caches::default(),
        }
    }
}

/// Accepted connections within the [`Gate`]'s caps (the others closed at once), each
/// [`Guarded`] by the handshake and idle timeouts, with Nagle's algorithm off (a response's
/// last frames must not wait for the client's delayed ACK: a 40 ms stall per call otherwise),
/// their responses written in batches instead ([`batched_writes`]; written through under
/// TLS).
fn incoming(
    listener: TcpListener,
    tls: bool,
    gate: std::sync::Arc<Gate>,
) -> impl tokio_stream::Stream<Item = std::io::Result<BatchedWrites<Guarded<tokio::net::TcpStream>>>>
{
    use tokio_stream::StreamExt;
    TcpListenerStream::new(listener).filter_map(move |accepted| {
        let admitted = accepted.and_then(|stream| {
            let peer = stream.peer_addr()?;
            // Refused: the stream is dropped here, which closes it.
            let Ok(ticket) = gate.admit(peer.ip()) else {
                return Ok(None);
            };
            stream.set_nodelay(true)?;
            let stream = Guarded::new(stream, peer, ticket);
            Ok(Some(if tls {
                BatchedWrites::through(stream)
            } else {
                BatchedWrites::new(stream)
            }))
        });
        admitted.transpose()
    })
}

/// The contract's services, in one list: each is registered, held to the message limit and
/// reported by health from here (SERVING once the server can serve, NOT_SERVING from the
/// moment shutdown begins). Returns the routes and the services' full names.
pub fn contract_services(
    store: &Store,
    max: usize,
    audit_key: Option<std::sync::Arc<AuditKey>>,
    stopping: tokio::sync::watch::Receiver<bool>,
    boards: usize,
    hub: service::board_hub::BoardHub,
) -> (tonic::service::Routes, Vec<&'static str>) {
    let mut routes = tonic::service::RoutesBuilder::default();
    let mut names = Vec::new();
    macro_rules! serve_all {
        ($($service:expr),* $(,)?) => {$(
            let service = $service;
            names.push(name_of(&service));
            routes.add_service(service);
        )*};
    }
    macro_rules! sized {
        ($server:expr) => {
            $server
                .max_decoding_message_size(max)
                .max_encoding_message_size(max)
        };
    }
    serve_all!(
        sized!(UnitServiceServer::new(Units::new(store.clone()))),
        sized!(ClusterServiceServer::new(Clusters::new(store.clone()))),
        sized!(TargetServiceServer::new(Targets::new(store.clone()))),
        service::scoreboard_route::ScoringRoutes::new(
            Scoring::new(store.clone(), stopping)
                .with_board_cache(boards)
                .with_hub(hub),
            max
        ),
        sized!(AccessServiceServer::new(Access::new(
            store.clone(),
            audit_key.clone()
        ))),
        sized!(AuditServiceServer::new(Access::new(
            store.clone(),
            audit_key
        ))),
    );
    (routes.routes(), names)
}

fn name_of<S: tonic::server::NamedService>(_: &S) -> &'static str {
    S::NAME
}

/// Puts back the audit table's append-only guard if someone removed or disabled it: logged as
/// an error and recorded in the audit log (see `thidua_storage`'s `audit_guard`). The server
/// runs it at start, before it reports ready.
pub async fn restore_audit_guard(store: &Store) -> anyhow::Result<()> {
    let store = store.clone();
    let restored = tokio::task::spawn_blocking(move || {
        store.write(|tx| {
            let restored = tx.restore_audit_guard()?;
            if !restored.is_empty() {
                tx.append_audit(thidua_storage::NewEvent {
                    time: app::now(),
                    principal: "server".into(),
                    method: "server/RestoreAuditGuard".into(),
                    resource: "auditEvents".into(),
                    outcome: thidua_domain::audit::Outcome::Ok,
                    request_id: String::new(),
                    digest: String::new(),
                })?;
            }
            Ok(restored)
        })
    })
    .await??;
    if !restored.is_empty() {
        tracing::error!(
            triggers = ?restored,
            "the audit log's append-only guard was removed or disabled in the database; it is \
             restored. Verify the chain against your last checkpoint (thidua audit verify \
             --checkpoint FILE) and find out who had owner rights on the database"
        );
    }
    Ok(())
}

/// Serves every service on `listener` until `shutdown` completes. Then health turns
/// NOT_SERVING first, in-flight calls finish (for at most the drain timeout), and the function
/// returns.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    shutdown: impl Future<Output = ()> + Send,
    options: ServeOptions,
) -> anyhow::Result<()> {
    // Reflection v1, and v1alpha for older clients (grpcurl before 1.9, Evans, grpcio).
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(thidua_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1alpha = reflection().build_v1alpha()?;
    let reflection = reflection().build_v1()?;
    let door = auth::AuthLayer::new(store.clone(), options.limits, options.caches.admissions);
    let stop_hearing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    store.hear_other_processes(stop_hearing.clone());
    let (stopping_tx, stopping) = tokio::sync::watch::channel(false);
    let hub = service::board_hub::BoardHub::default();
    let front = http::FrontLayer::new(
        store.clone(),
        options.max_message_bytes,
        stopping.clone(),
        options.home.clone(),
        hub.clone(),
    );
    let (routes, services) = contract_services(
        &store,
        options.max_message_bytes,
        options.audit_key.clone().map(std::sync::Arc::new),
        stopping,
        options.caches.boards,
        hub,
    );
    let (health, health_service) = tonic_health::server::health_reporter();
    for name in &services {
        health
            .set_service_status(*name, tonic_health::ServingStatus::Serving)
            .await;
    }
    let reporter = health.clone();
    let (draining_tx, draining_rx) = tokio::sync::oneshot::channel::<()>();
    let drain = async move {
        shutdown.await;
        let _ = draining_tx.send(());
        let _ = stopping_tx.send(true);
        tracing::info!("shutting down: health NOT_SERVING, finishing in-flight calls");
        for name in services.iter().chain([&""]) {
            reporter
                .set_service_status(*name, tonic_health::ServingStatus::NotServing)
                .await;
        }
    };
    let mut builder = tonic::transport::Server::builder();
    if let Some(tls) = &options.tls {
        let mut config = tonic::transport::ServerTlsConfig::new()
            .identity(tonic::transport::Identity::from_pem(&tls.cert, &tls.key));
        if let Some(ca) = &tls.client_ca {
            config = config.client_ca_root(tonic::transport::Certificate::from_pem(ca));
        }
        builder = builder.tls_config(config)?;
    }
    // HTTP/1.1 beside HTTP/2: JSON calls, gRPC-Web and the scoreboard page from browsers and
    // portals that do not speak HTTP/2 ([`http`]).
    let server = builder
        .accept_http1(true)
        .max_concurrent_streams(options.max_concurrent_streams)
        .http2_keepalive_interval(Some(options.keepalive_interval))
        .http2_keepalive_timeout(Some(options.keepalive_timeout))
        .timeout(options.request_timeout)
        .layer(front)
        .layer(logging::RequestLogLayer)
        .layer(door)
        .add_routes(routes)
        .add_service(health_service)
        .add_service(reflection)
        .add_service(reflection_v1alpha)
        .serve_with_incoming_shutdown(
            incoming(
                listener,
                options.tls.is_some(),
                Gate::new(options.connections),
            ),
            drain,
        );
    let deadline = async {
        if draining_rx.await.is_ok() {
            tokio::time::sleep(options.drain_timeout).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let outcome = tokio::select! {
        result = server => result.map_err(anyhow::Error::from),
        () = deadline => {
            tracing::warn!(timeout = ?options.drain_timeout, "drain timeout: closing the remaining connections");
            Ok(())
        }
    };
    stop_hearing.store(true, std::sync::atomic::Ordering::Relaxed);
    outcome
}
