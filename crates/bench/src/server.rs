//! The server under test, as its own process (so its memory is its own), through the test
//! harness (`thidua-testkit`): started on a database with an administrator key, on
//! 127.0.0.1:0, with the per-key rate limit lifted so the load generator measures the server,
//! not its throttle.

use std::process::Command;

use thidua_proto::auth::{AuthChannel, Bearer};
use thidua_testkit::ServerProcess;
use tonic::transport::{Channel, Endpoint};

/// A running `thidua-server`.
pub struct Server {
    process: ServerProcess,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// An administrator key.
    pub token: String,
}

impl Server {
    /// Starts a server on `database`.
    pub fn start(database: &str) -> anyhow::Result<Self> {
        let binary = thidua_testkit::beside_this_executable("thidua-server")?;
        let token = thidua_testkit::bootstrap_admin(&binary, database)?;
        let process = ServerProcess::start(
            &binary,
            database,
            &[
                // The bench is one client measuring the server, not a caller to hold back.
                "--rate-per-key",
                "1000000000",
                "--burst-per-key",
                "1000000000",
                "--rate-per-peer",
                "1000000000",
                "--burst-per-peer",
                "1000000000",
            ],
        )?;
        Ok(Self {
            url: process.url.clone(),
            process,
            token,
        })
    }

    /// A new connection.
    pub async fn channel(&self) -> anyhow::Result<Channel> {
        Ok(Endpoint::from_shared(self.url.clone())?
            .tcp_nodelay(true)
            .connect()
            .await?)
    }

    /// A new connection whose calls carry the administrator key.
    pub async fn authed(&self) -> anyhow::Result<AuthChannel> {
        let bearer = Bearer::new(Some(&self.token)).map_err(anyhow::Error::msg)?;
        Ok(tonic::service::interceptor::InterceptedService::new(
            self.channel().await?,
            bearer,
        ))
    }

    /// Resident and peak resident memory, in bytes, from `/proc`.
    pub fn memory(&self) -> anyhow::Result<(u64, u64)> {
        self.process.memory()
    }
}

/// The server's threads on one processor and this process's on another, for a load run, as
/// long as it lives: the load generator then cannot take the server's processor, and the
/// ratio compares the server's work per call. Through `taskset` (util-linux); `None` where it
/// is missing or fewer than two processors are available, and the run goes unpinned.
pub struct Pinned {
    pids: [u32; 2],
    all: String,
}

impl Pinned {
    /// Pins the server to the first available processor and this process to the second.
    pub fn apart(server: &Server) -> Option<Pinned> {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        if cpus < 2 {
            return None;
        }
        let pinned = Pinned {
            pids: [server.process.pid(), std::process::id()],
            all: format!("0-{}", cpus - 1),
        };
        (taskset(pinned.pids[0], "0") && taskset(pinned.pids[1], "1")).then_some(pinned)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        for pid in self.pids {
            taskset(pid, &self.all);
        }
    }
}

/// Sets the processors of every thread of `pid`; false when that failed.
fn taskset(pid: u32, cpus: &str) -> bool {
    Command::new("taskset")
        .args(["--all-tasks", "--cpu-list", "--pid", cpus, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
