//! One trial's world: a fresh database on one backend, the real server on 127.0.0.1:0, clients.

use std::{
    future::Future,
    path::PathBuf,
    process::{Command, Output},
    sync::Mutex,
};

use anyhow::Context;
use thidua_domain::audit::checkpoint::AuditKey;
use thidua_proto::{
    auth::{AuthChannel, Bearer},
    v1::{
        access_service_client::AccessServiceClient, audit_service_client::AuditServiceClient,
        cluster_service_client::ClusterServiceClient, scoring_service_client::ScoringServiceClient,
        target_service_client::TargetServiceClient, unit_service_client::UnitServiceClient,
    },
};
use thidua_storage::Store;
use tokio::{runtime::Runtime, sync::oneshot};
use tonic::transport::Channel;

/// The audit key of every in-process test server.
pub const TEST_AUDIT_KEY: [u8; 32] = [0x5a; 32];

/// A running server and what talks to it.
pub struct Env {
    /// The runtime the server and clients run on.
    pub rt: Runtime,
    /// The server's URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The store behind the server, for checks that the database is unchanged.
    pub store: Store,
    /// The database URL (a SQLite path or a PostgreSQL URL).
    pub database_url: String,
    /// An administrator's API key, used by the clients and the CLI unless a test picks another.
    pub admin_token: String,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    server: Mutex<Option<tokio::task::JoinHandle<anyhow::Result<()>>>>,
    _dir: thidua_testkit::Scratch,
}

impl Env {
    /// Opens `database_url` (or a fresh SQLite file when `None`) and starts the server.
    pub fn start(database_url: Option<String>) -> anyhow::Result<Self> {
        Self::start_with(
            database_url,
            thidua_server::ServeOptions {
                drain_timeout: std::time::Duration::from_secs(5),
                ..thidua_server::ServeOptions::default()
            },
        )
    }

    /// Like [`Env::start`], with the server's options.
    pub fn start_with(
        database_url: Option<String>,
        mut options: thidua_server::ServeOptions,
    ) -> anyhow::Result<Self> {
        options
            .audit_key
            .get_or_insert_with(|| AuditKey::from_bytes(TEST_AUDIT_KEY));
        let dir = thidua_testkit::Scratch::new("e2e")?;
        let url =
            database_url.unwrap_or_else(|| dir.path().join("thidua.db").display().to_string());
        let store = Store::open(&url).with_context(|| format!("opening {url}"))?;
        let (_, admin_token) = thidua_server::app::keys::bootstrap_admin(&store, false)?
            .context("bootstrap created no key")?;
        let url_for_twin = url.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (tx, rx) = oneshot::channel::<()>();
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let server_store = store.clone();
        let server = rt.spawn(thidua_server::serve(
            listener,
            server_store,
            async {
                let _ = rx.await;
            },
            options,
        ));
        Ok(Self {
            rt,
            url: format!("http://{addr}"),
            store,
            database_url: url_for_twin,
            admin_token,
            shutdown: Mutex::new(Some(tx)),
            server: Mutex::new(Some(server)),
            _dir: dir,
        })
    }

    /// Runs async client code to completion.
    pub fn block_on<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// A second server process on the same database, as a second deployment node would be.
    pub fn twin(&self) -> anyhow::Result<Env> {
        Env::start(Some(self.database_url.clone()))
    }

    /// True on PostgreSQL, where several server processes share one database.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// A connected channel.
    pub async fn channel(&self) -> anyhow::Result<Channel> {
        Ok(Channel::from_shared(self.url.clone())?.connect().await?)
    }

    /// A connected channel whose calls carry `token` (`None`: no key at all).
    pub async fn channel_as(&self, token: Option<&str>) -> anyhow::Result<AuthChannel> {
        let bearer = Bearer::new(token).map_err(anyhow::Error::msg)?;
        Ok(tonic::service::interceptor::InterceptedService::new(
            self.channel().await?,
            bearer,
        ))
    }

    /// The administrator's channel. Its calls ask for English: the scenarios read the
    /// server's English wording; Vietnamese, the default for a caller that asks for nothing,
    /// is checked on [`Env::channel_as`] (`cli::messages_in_the_officer_s_language`).
    async fn admin_channel(&self) -> anyhow::Result<AuthChannel> {
        let bearer = Bearer::new(Some(&self.admin_token))
            .map_err(anyhow::Error::msg)?
            .language("en");
        Ok(tonic::service::interceptor::InterceptedService::new(
            self.channel().await?,
            bearer,
        ))
    }

    /// A unit service client, as administrator.
    pub async fn units(&self) -> anyhow::Result<UnitServiceClient<AuthChannel>> {
        Ok(UnitServiceClient::new(self.admin_channel().await?))
    }

    /// A cluster service client, as administrator.
    pub async fn clusters(&self) -> anyhow::Result<ClusterServiceClient<AuthChannel>> {
        Ok(ClusterServiceClient::new(self.admin_channel().await?))
    }

    /// A target service client, as administrator.
    pub async fn targets(&self) -> anyhow::Result<TargetServiceClient<AuthChannel>> {
        Ok(TargetServiceClient::new(self.admin_channel().await?))
    }

    /// A scoring service client, as administrator.
    pub async fn scoring(&self) -> anyhow::Result<ScoringServiceClient<AuthChannel>> {
        Ok(ScoringServiceClient::new(self.admin_channel().await?))
    }

    /// An access (API keys) client, as administrator.
    pub async fn access(&self) -> anyhow::Result<AccessServiceClient<AuthChannel>> {
        Ok(AccessServiceClient::new(self.admin_channel().await?))
    }

    /// An audit log client, as administrator.
    pub async fn audit(&self) -> anyhow::Result<AuditServiceClient<AuthChannel>> {
        Ok(AuditServiceClient::new(self.admin_channel().await?))
    }

    /// Runs the `thidua` CLI binary against this server, as administrator.
    pub fn cli(&self, args: &[&str]) -> anyhow::Result<Output> {
        self.cli_as(Some(&self.admin_token), args)
    }

    /// Runs the `thidua` CLI binary with `token` (`None`: no key).
    pub fn cli_as(&self, token: Option<&str>, args: &[&str]) -> anyhow::Result<Output> {
        let bin = cli_binary()?;
        let mut command = Command::new(&bin);
        match token {
            Some(t) => command.env("THIDUA_TOKEN", t),
            None => command.env_remove("THIDUA_TOKEN"),
        };
        command
            .args(args)
            .env("THIDUA_SERVER", &self.url)
            .env_remove("THIDUA_SCHEME")
            // The machine's own profiles play no part in a test.
            .env("THIDUA_CONFIG", "/nonexistent/thidua/config.toml")
            .env_remove("THIDUA_PROFILE")
            .output()
            .with_context(|| format!("running {}", bin.display()))
    }
}

impl Env {
    /// Signals shutdown (as SIGTERM does) without waiting.
    pub fn signal_shutdown(&self) {
        let sender = self.shutdown.lock().ok().and_then(|mut s| s.take());
        if let Some(tx) = sender {
            let _ = tx.send(());
        }
    }

    /// Waits for the server to stop and returns how it ended.
    pub async fn server_stopped(&self) -> anyhow::Result<()> {
        let server = self.server.lock().ok().and_then(|mut s| s.take());
        match server {
            Some(server) => server.await?,
            None => Ok(()),
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        self.signal_shutdown();
        let server = self.server.lock().ok().and_then(|mut s| s.take());
        if let Some(server) = server {
            let _ = self.rt.block_on(server);
        }
    }
}

/// The `thidua` binary built beside this test (`cargo test --workspace` builds it, because
/// thidua-cli has an integration test of its own).
pub fn cli_binary() -> anyhow::Result<PathBuf> {
    thidua_testkit::beside_this_executable("thidua")
}

/// The shared reference data: `THIDUA_SHARED_DATA`, or `../shared/data` beside the repository.
pub fn shared_data(file: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("THIDUA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let path = dir.join(file);
    anyhow::ensure!(
        path.exists(),
        "reference data {} not found (set THIDUA_SHARED_DATA)",
        path.display()
    );
    Ok(path)
}
