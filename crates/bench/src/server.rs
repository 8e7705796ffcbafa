//! The server under test, as its own process (so its memory is its own): started on a
//! database with an administrator key, on 127.0.0.1:0, with the per-key rate limit lifted so
//! the load generator measures the server, not its throttle.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use anyhow::{Context, ensure};
use thidua_proto::auth::{AuthChannel, Bearer};
use tonic::transport::{Channel, Endpoint};

/// A running `thidua-server`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// An administrator key.
    pub token: String,
}

fn binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .context("no directory")?
        .join(format!("thidua-server{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        bin.exists(),
        "{} is missing: build it with `cargo build --release -p thidua-server`",
        bin.display()
    );
    Ok(bin)
}

impl Server {
    /// Starts a server on `database`.
    pub fn start(database: &str) -> anyhow::Result<Self> {
        let out = Command::new(binary()?)
            .args(["--database", database, "bootstrap-admin"])
            .env("RUST_LOG", "error")
            .output()?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = String::from_utf8(out.stdout)?.trim().to_owned();
        let mut child = Command::new(binary()?)
            .args([
                "--database",
                database,
                "--listen",
                "127.0.0.1:0",
                "--rate-per-key",
                "1000000000",
                "--burst-per-key",
                "1000000000",
            ])
            .env("RUST_LOG", "warn,thidua_server=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().context("no stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line
                    .split("address=")
                    .nth(1)
                    .and_then(|a| a.split_whitespace().next())
                {
                    let _ = tx.send(addr.to_owned());
                }
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => addr,
            Err(_) => {
                // Never leave a server behind.
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!("the server did not report its address");
            }
        };
        Ok(Self {
            child,
            url: format!("http://{addr}"),
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
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| -> anyhow::Result<u64> {
            let kb: u64 = status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .context("no such field")?
                .parse()?;
            Ok(kb * 1024)
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
            pids: [server.child.id(), std::process::id()],
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
