//! `thidua-server`: serves the thidua gRPC API.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use thidua_domain::audit::checkpoint::AuditKey;
use thidua_storage::Store;
use tracing_subscriber::EnvFilter;

/// The thidua gRPC server. Flags override `THIDUA_*` environment variables, which override the
/// defaults.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(
        long,
        env = "THIDUA_LISTEN",
        default_value = "127.0.0.1:50051",
        global = true
    )]
    listen: SocketAddr,
    /// Database: a file path or sqlite://PATH for SQLite, postgres://… for PostgreSQL.
    #[arg(
        long,
        env = "THIDUA_DATABASE_URL",
        default_value = "./thidua.db",
        global = true
    )]
    database: String,
    /// Seconds in-flight calls may take to finish after SIGTERM or Ctrl-C.
    #[arg(
        long,
        env = "THIDUA_DRAIN_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    drain_timeout: u64,
    /// Computed scoreboards (term × layer) kept in memory at most.
    #[arg(long, env = "THIDUA_BOARD_CACHE_ENTRIES", default_value_t = thidua_server::Caches::default().boards)]
    board_cache_entries: usize,
    /// Decided admissions (key × need × scope) kept in memory at most.
    #[arg(long, env = "THIDUA_ADMISSION_CACHE_ENTRIES", default_value_t = thidua_server::Caches::default().admissions)]
    admission_cache_entries: usize,
    /// Largest message either way, in bytes; larger ones are refused RESOURCE_EXHAUSTED.
    #[arg(long, env = "THIDUA_MAX_MESSAGE_BYTES", default_value_t = thidua_server::MAX_MESSAGE_BYTES)]
    max_message_bytes: usize,
    /// HTTP/2 streams one connection may open at once.
    #[arg(long, env = "THIDUA_MAX_CONCURRENT_STREAMS", default_value_t = 128)]
    max_concurrent_streams: u32,
    /// Calls served at once across all connections; more are shed with RESOURCE_EXHAUSTED.
    #[arg(long, env = "THIDUA_MAX_IN_FLIGHT", default_value_t = 512)]
    max_in_flight: usize,
    /// Calls per second each API key may make, sustained.
    #[arg(long, env = "THIDUA_RATE_PER_KEY", default_value_t = 200.0)]
    rate_per_key: f64,
    /// Calls an API key may make in a burst above its rate.
    #[arg(long, env = "THIDUA_BURST_PER_KEY", default_value_t = 400.0)]
    burst_per_key: f64,
    /// Calls per second from one peer address, sustained, counted before its key is looked
    /// up (what a caller with no valid key gets).
    #[arg(long, env = "THIDUA_RATE_PER_PEER", default_value_t = 2000.0)]
    rate_per_peer: f64,
    /// Calls a peer address may make in a burst above its rate.
    #[arg(long, env = "THIDUA_BURST_PER_PEER", default_value_t = 4000.0)]
    burst_per_peer: f64,
    /// Open connections in all; more are closed at once. Lowered to fit the process's
    /// descriptor limit when that is smaller.
    #[arg(long, env = "THIDUA_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Open connections from one peer address; more are closed at once.
    #[arg(long, env = "THIDUA_MAX_CONNECTIONS_PER_PEER", default_value_t = 256)]
    max_connections_per_peer: usize,
    /// Seconds a new connection has to begin its TLS or HTTP/2 handshake.
    #[arg(long, env = "THIDUA_HANDSHAKE_TIMEOUT", default_value_t = 10)]
    handshake_timeout: u64,
    /// Seconds an open connection may send nothing (live clients answer the server's
    /// keepalive pings, sent every 30 s) before it is closed.
    #[arg(long, env = "THIDUA_IDLE_TIMEOUT", default_value_t = 120)]
    idle_timeout: u64,
    /// Serve without TLS on an address other than loopback. Bearer keys then cross the
    /// network in clear: only behind a proxy that terminates TLS on the same host or network.
    #[arg(long, env = "THIDUA_ALLOW_INSECURE")]
    allow_insecure: bool,
    /// Seconds a call may run (the client's deadline applies when shorter); then it is
    /// cancelled and its transaction rolled back.
    #[arg(long, env = "THIDUA_REQUEST_TIMEOUT", default_value_t = 300)]
    request_timeout: u64,
    /// TLS certificate chain (PEM); with --tls-key, serves TLS only.
    #[arg(long, env = "THIDUA_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, env = "THIDUA_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// CA whose certificates clients must present (mutual TLS, for system-to-system links).
    #[arg(long, env = "THIDUA_CLIENT_CA", requires = "tls_cert")]
    client_ca: Option<PathBuf>,
    /// File of the key that signs audit checkpoints, kept outside the database (and out of its
    /// backups); created, readable by this user only, when missing. Default: beside a SQLite
    /// database (`DATABASE.audit-key`), else `thidua-audit.key` in the working directory.
    #[arg(long, env = "THIDUA_AUDIT_KEY", global = true)]
    audit_key: Option<PathBuf>,
    /// Log lines as `text` (with colours on a terminal) or `json` (one object per line, for a
    /// log collector).
    #[arg(long, env = "THIDUA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    /// Serve Prometheus metrics at http://ADDR/metrics.
    #[arg(long, env = "THIDUA_METRICS_LISTEN", global = true)]
    metrics_listen: Option<SocketAddr>,
    /// Load the seed case (Bắc Kạn city, 2022) before serving; loading twice changes nothing.
    #[arg(long, env = "THIDUA_DEMO")]
    demo: bool,
    /// Once listening, print `listening ADDRESS` on stdout: the ready signal for a supervisor
    /// that asked for port 0.
    #[arg(long)]
    ready_line: bool,
    /// Shut down (as on SIGTERM) when standard input closes: a supervisor that holds the other
    /// end cannot leave the server running when it dies, however it dies.
    #[arg(long)]
    stop_on_stdin_eof: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the seed case and exit.
    Demo,
    /// Create an administrator API key, print its secret on stdout and exit (recovery when
    /// no admin key is at hand; needs access to the database itself).
    BootstrapAdmin,
    /// Write a consistent copy of a SQLite database while it serves, and exit.
    Backup {
        /// The new file to write.
        #[arg(long)]
        to: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging(args.log_format);
    let url = args.database.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&url))
        .await?
        .with_context(|| format!("opening database {}", display_url(&args.database)))?;
    tracing::info!(database = %display_url(&args.database), backend = ?store.backend(), "database ready, migrations applied");
    match args.command {
        Some(Command::Migrate) => return Ok(()),
        Some(Command::Demo) => return load_demo(store).await,
        Some(Command::Backup { to }) => {
            let path = to.display().to_string();
            tokio::task::spawn_blocking(move || store.backup_into(&path)).await??;
            tracing::info!(to = %to.display(), "backup written");
            return Ok(());
        }
        Some(Command::BootstrapAdmin) => {
            let created = tokio::task::spawn_blocking(move || {
                thidua_server::app::keys::bootstrap_admin(&store, false)
            })
            .await??;
            if let Some((key, secret)) = created {
                tracing::info!(key = %format!("keys/{}", key.id), "administrator key created");
                println!("{secret}");
            }
            return Ok(());
        }
        None => {}
    }
    let read = |p: &PathBuf| std::fs::read(p).with_context(|| format!("reading {}", p.display()));
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(thidua_server::Tls {
            cert: read(cert)?,
            key: read(key)?,
            client_ca: args.client_ca.as_ref().map(read).transpose()?,
        }),
        _ => None,
    };
    check_transport(args.listen, tls.is_some(), args.allow_insecure)?;
    // Bind before anything is created or printed: a taken port fails here, having changed
    // nothing.
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    let first = store.clone();
    let created = tokio::task::spawn_blocking(move || {
        thidua_server::app::keys::bootstrap_admin(&first, true)
    })
    .await??;
    if let Some((key, secret)) = created {
        // Shown once: only its digest is stored.
        eprintln!(
            "\nNo API key existed, so an administrator key was created (keys/{}).\n\
             It is shown this once; keep it in a secret store:\n\n    export THIDUA_TOKEN={secret}\n",
            key.id
        );
    }
    thidua_server::restore_audit_guard(&store).await?;
    let home = if args.demo {
        load_demo(store.clone()).await?;
        let store = store.clone();
        let path = tokio::task::spawn_blocking(move || thidua_server::demo::share_link(&store))
            .await?
            .context("making the demo's share link")?;
        tracing::info!(page = %format!("http://{address}{path}"), "the seed's live scoreboard");
        Some(path)
    } else {
        None
    };
    let metrics_address = match args.metrics_listen {
        Some(at) => {
            let listener = tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("listening for metrics on {at}"))?;
            let bound = listener.local_addr()?;
            thidua_server::metrics::serve(listener, store.clone())?;
            tracing::info!(address = %format!("http://{bound}/metrics"), "serving metrics");
            Some(bound)
        }
        None => None,
    };
    if args.ready_line {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if let Some(m) = metrics_address {
            writeln!(out, "metrics {m}")?;
        }
        writeln!(out, "listening {address}")?;
        out.flush()?;
    }
    tracing::info!(
        address = %address,
        tls = if args.client_ca.is_some() { "mutual" } else if args.tls_cert.is_some() { "server" } else { "off" },
        "serving thidua.v1"
    );
    let audit_key = audit_key(&args)?;
    let options = thidua_server::ServeOptions {
        audit_key: Some(audit_key),
        drain_timeout: std::time::Duration::from_secs(args.drain_timeout),
        limits: thidua_server::auth::Limits {
            max_in_flight: args.max_in_flight.max(1),
            rate_per_key: args.rate_per_key.max(0.001),
            burst_per_key: args.burst_per_key.max(1.0),
            rate_per_peer: args.rate_per_peer.max(0.001),
            burst_per_peer: args.burst_per_peer.max(1.0),
        },
        connections: thidua_server::connections::ConnectionLimits {
            max_total: fit_descriptors(args.max_connections.max(1)),
            max_per_peer: args.max_connections_per_peer.max(1),
            handshake_timeout: std::time::Duration::from_secs(args.handshake_timeout.max(1)),
            idle_timeout: std::time::Duration::from_secs(args.idle_timeout.max(1)),
        },
        keepalive_interval: std::time::Duration::from_secs(30),
        keepalive_timeout: std::time::Duration::from_secs(10),
        max_message_bytes: args.max_message_bytes,
        max_concurrent_streams: args.max_concurrent_streams.max(1),
        request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
        tls,
        home,
        caches: thidua_server::Caches {
            boards: args.board_cache_entries,
            admissions: args.admission_cache_entries,
        },
    };
    thidua_server::serve(
        listener,
        store,
        shutdown_signal(args.stop_on_stdin_eof),
        options,
    )
    .await
}

/// Logs go to stderr (stdout carries data: the secret printed by `bootstrap-admin`), as text
/// with colours only on a terminal that wants them, or as JSON lines.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().with_current_span(true).init(),
        LogFormat::Text => {
            let colours = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            builder.with_ansi(colours).init();
        }
    }
}

async fn load_demo(store: Store) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || thidua_server::demo::load(&store))
        .await?
        .context("loading the demo")?;
    tracing::info!(cluster = thidua_server::demo::CLUSTER_ID, "demo loaded");
    Ok(())
}

/// Completes once standard input is closed (or fails).
async fn stdin_closed() {
    use tokio::io::AsyncReadExt;
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 64];
    while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
}

/// Completes on SIGTERM or Ctrl-C, or when standard input closes if `on_stdin_eof`.
async fn shutdown_signal(on_stdin_eof: bool) {
    let eof = async {
        if on_stdin_eof {
            stdin_closed().await;
            tracing::info!("standard input closed");
        } else {
            std::future::pending::<()>().await;
        }
    };
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
        () = eof => {},
    }
}

/// The audit key from its file, created when missing.
fn audit_key(args: &Args) -> anyhow::Result<AuditKey> {
    let path = match &args.audit_key {
        Some(p) => p.clone(),
        None if args.database.starts_with("postgres") => PathBuf::from("thidua-audit.key"),
        None => {
            let db = args
                .database
                .strip_prefix("sqlite://")
                .unwrap_or(&args.database);
            PathBuf::from(format!("{db}.audit-key"))
        }
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => AuditKey::from_hex(&text)
            .with_context(|| format!("reading the audit key {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; thidua_domain::audit::checkpoint::KEY_BYTES];
            getrandom::fill(&mut bytes)
                .map_err(|e| anyhow::anyhow!("no randomness for the audit key: {e}"))?;
            let key = AuditKey::from_bytes(bytes);
            write_private(&path, &format!("{}\n", key.to_hex()))
                .with_context(|| format!("creating the audit key {}", path.display()))?;
            tracing::info!(
                path = %path.display(),
                key_id = %key.id(),
                "audit key created: keep a copy apart from the database's backups"
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading the audit key {}", path.display())),
    }
}

/// Writes a new file only its owner may read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Refuses plaintext on an address other than loopback unless `allow_insecure`, and warns
/// when it is allowed: bearer keys would cross the network in clear.
fn check_transport(listen: SocketAddr, tls: bool, allow_insecure: bool) -> anyhow::Result<()> {
    if tls || listen.ip().is_loopback() {
        return Ok(());
    }
    if !allow_insecure {
        anyhow::bail!(
            "refusing to serve without TLS on {listen}: API keys would cross the network in \
             clear. Give --tls-cert and --tls-key, listen on 127.0.0.1 behind a TLS proxy, or \
             pass --allow-insecure if a proxy on this network terminates TLS"
        );
    }
    tracing::warn!(
        address = %listen,
        "serving without TLS on a non-loopback address (--allow-insecure): API keys cross the network in clear"
    );
    Ok(())
}

/// Descriptors kept back from connections for the database pool, files and the listener.
const RESERVED_DESCRIPTORS: u64 = 128;

/// `wanted` connections, or fewer when the process's descriptor limit could not hold them
/// (then every call would fail once descriptors ran out, the health check included).
fn fit_descriptors(wanted: usize) -> usize {
    let Ok((soft, _)) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
    else {
        return wanted;
    };
    let room = usize::try_from(soft.saturating_sub(RESERVED_DESCRIPTORS).max(16)).unwrap_or(wanted);
    if room < wanted {
        tracing::warn!(
            wanted,
            allowed = room,
            descriptor_limit = soft,
            "the descriptor limit is low: fewer connections are allowed than --max-connections"
        );
    }
    wanted.min(room)
}

/// The database URL without a password, for logs.
fn display_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => PathBuf::from(url).display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_is_refused_off_loopback_unless_allowed() {
        let public: SocketAddr = "0.0.0.0:50051".parse().unwrap_or_else(|e| panic!("{e}"));
        let local: SocketAddr = "127.0.0.1:50051".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(check_transport(public, false, false).is_err());
        assert!(check_transport(public, false, true).is_ok());
        assert!(check_transport(public, true, false).is_ok());
        assert!(check_transport(local, false, false).is_ok());
    }
}
