//! A `thidua-server` process for tests and benchmarks: started on port 0 with `--ready-line`,
//! so its address comes from the line it prints once listening, not from its log; and with
//! `--stop-on-stdin-eof` on a pipe this process holds, so the server shuts down when this
//! process dies, however it dies. Its log goes to a file in a [`Scratch`] directory.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use anyhow::{Context, bail, ensure};

use crate::Scratch;

/// How long a server may take to start listening (migrations on a fresh PostgreSQL database
/// included) before the start is given up.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running server process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// Held open: closing it tells the server to shut down.
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `http://127.0.0.1:PORT/metrics`, when the server was started with `--metrics-listen`.
    pub metrics_url: Option<String>,
    scratch: Scratch,
}

/// The executable `name` built beside the running one: in the same directory (a binary), or in
/// its parent (a test, which runs from `target/*/deps`).
pub fn beside_this_executable(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let dir = exe.parent().context("no directory")?;
    [Some(dir), dir.parent()]
        .into_iter()
        .flatten()
        .map(|d| d.join(&file))
        .find(|p| p.exists())
        .with_context(|| {
            format!(
                "{file} is missing beside {}: build it first (`cargo test --workspace` builds every binary)",
                exe.display()
            )
        })
}

/// Creates an administrator key on `database` with `binary bootstrap-admin`; returns its secret.
pub fn bootstrap_admin(binary: &Path, database: &str) -> anyhow::Result<String> {
    let out = Command::new(binary)
        .args(["--database", database, "bootstrap-admin"])
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

impl ServerProcess {
    /// Starts `binary` on `database`, listening on 127.0.0.1:0, with `extra` arguments.
    pub fn start(binary: &Path, database: &str, extra: &[&str]) -> anyhow::Result<Self> {
        Self::spawn(Command::new(binary), database, extra)
    }

    /// [`ServerProcess::start`] logging what `rust_log` lets through (an `EnvFilter`, e.g.
    /// `info`), whatever this process's `RUST_LOG` says.
    pub fn start_logging(
        binary: &Path,
        database: &str,
        extra: &[&str],
        rust_log: &str,
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(binary);
        command.env("RUST_LOG", rust_log);
        Self::spawn(command, database, extra)
    }

    /// [`ServerProcess::start`] with at most `descriptors` open files (through util-linux's
    /// `prlimit`, which execs the server: the process is the server itself).
    pub fn start_with_descriptor_limit(
        binary: &Path,
        database: &str,
        extra: &[&str],
        descriptors: u64,
    ) -> anyhow::Result<Self> {
        let mut command = Command::new("prlimit");
        command
            .arg(format!("--nofile={descriptors}:{descriptors}"))
            .arg("--")
            .arg(binary);
        Self::spawn(command, database, extra)
    }

    fn spawn(mut command: Command, database: &str, extra: &[&str]) -> anyhow::Result<Self> {
        let scratch = Scratch::new("server")?;
        let log = std::fs::File::create(scratch.path().join("log"))?;
        // A filter the caller set on `command` wins over this process's RUST_LOG.
        let rust_log = command
            .get_envs()
            .find(|(k, _)| *k == "RUST_LOG")
            .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()))
            .or_else(|| std::env::var("RUST_LOG").ok())
            .unwrap_or_else(|| "warn".into());
        let mut child = command
            .args([
                "--database",
                database,
                "--listen",
                "127.0.0.1:0",
                "--ready-line",
                "--stop-on-stdin-eof",
            ])
            .args(extra)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", rust_log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = mpsc::channel();
        // The ready lines: `metrics ADDRESS` (with --metrics-listen), then `listening ADDRESS`.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut lines = String::new();
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) => break,
                    Ok(_) => {
                        lines.push_str(&line);
                        if line.starts_with("listening ") {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            let _ = tx.send(Ok(lines));
        });
        let mut server = ServerProcess {
            child,
            stdin,
            url: String::new(),
            metrics_url: None,
            scratch,
        };
        let lines = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(lines)) => lines,
            Ok(Err(e)) => bail!("reading the server's ready line: {e}"),
            Err(_) => bail!("the server did not start within {START_TIMEOUT:?}"),
        };
        for line in lines.lines() {
            if let Some(address) = line.strip_prefix("metrics ") {
                server.metrics_url = Some(format!("http://{address}/metrics"));
            }
            if let Some(address) = line.strip_prefix("listening ") {
                server.url = format!("http://{address}");
            }
        }
        if server.url.is_empty() {
            bail!(
                "the server ended before listening: {}",
                server.log().trim_end()
            );
        }
        Ok(server)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.scratch.path().join("log")).unwrap_or_default()
    }

    /// Kills the server with SIGKILL and reaps it.
    pub fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// Closes the server's standard input, as this process's death would, and waits for it to
    /// exit; returns whether it exited successfully.
    pub fn close_stdin_and_wait(mut self) -> anyhow::Result<bool> {
        drop(self.stdin.take());
        Ok(self.child.wait()?.success())
    }

    /// Shuts the server down as its supervisor's death would (standard input closed), waits for
    /// it, and returns its whole log; fails unless it exited successfully.
    pub fn stop(mut self) -> anyhow::Result<String> {
        drop(self.stdin.take());
        let status = self.child.wait()?;
        let log = self.log();
        ensure!(status.success(), "the server exited {status}: {log}");
        Ok(log)
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

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
