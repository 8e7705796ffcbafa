//! A throwaway PostgreSQL cluster for the tests: `THIDUA_TEST_DATABASE_URL` if set, otherwise
//! one started from the machine's `initdb`/`pg_ctl` (as the `postgres` user when running as
//! root) in a temporary directory, on a unix socket only, and removed after the run.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::atomic::{AtomicU32, Ordering},
};

use anyhow::{Context, bail};

/// Where per-test databases are created.
pub enum Postgres {
    /// A cluster this run started; stopped and removed on drop.
    Throwaway {
        bin: PathBuf,
        dir: tempfile::TempDir,
        as_postgres: bool,
    },
    /// A server given by `THIDUA_TEST_DATABASE_URL`.
    External { url: String },
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

pub fn find_bin() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    candidates.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(best) = candidates.pop() {
        return Some(best);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Postgres {
    /// Starts or finds a server; `Err` says why none is available.
    pub fn start() -> anyhow::Result<Self> {
        if let Ok(url) = std::env::var("THIDUA_TEST_DATABASE_URL") {
            return Ok(Postgres::External { url });
        }
        let bin = find_bin().context("no initdb/pg_ctl found (install postgresql)")?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("thidua-pg-").tempdir()?;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(dir.path()))?;
        }
        let data = dir.path().join("data");
        let pg = |program: &str| -> Command {
            if as_postgres {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(bin.join(program));
                c
            } else {
                Command::new(bin.join(program))
            }
        };
        run(pg("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]))?;
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.path().display()
        );
        run(pg("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .args(["-w", "-o", &options, "start"]))?;
        Ok(Postgres::Throwaway {
            bin,
            dir,
            as_postgres,
        })
    }

    /// Creates a fresh database and returns its URL.
    pub fn new_database(&self, label: &str) -> anyhow::Result<String> {
        let name = format!(
            "thidua_{}_{}_{}",
            label,
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        match self {
            Postgres::Throwaway { bin, dir, .. } => {
                run(Command::new(bin.join("createdb"))
                    .arg("-h")
                    .arg(dir.path())
                    .args(["-U", "postgres", &name]))?;
                Ok(format!(
                    "postgres://postgres@localhost/{name}?host={}",
                    dir.path().display()
                ))
            }
            Postgres::External { url } => {
                run(Command::new("createdb")
                    .arg(format!("--maintenance-db={url}"))
                    .arg(&name))?;
                let (base, query) = url
                    .split_once('?')
                    .map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
                let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
                Ok(match query {
                    Some(q) => format!("{prefix}/{name}?{q}"),
                    None => format!("{prefix}/{name}"),
                })
            }
        }
    }

    /// Stops (`fast`: sessions are terminated) or starts a throwaway server; `Err` for an
    /// external one, which this run does not control.
    pub fn control(&self, action: &str) -> anyhow::Result<()> {
        match self {
            Postgres::Throwaway {
                bin,
                dir,
                as_postgres,
            } => {
                let mut c = if *as_postgres {
                    let mut c = Command::new("runuser");
                    c.args(["-u", "postgres", "--"]).arg(bin.join("pg_ctl"));
                    c
                } else {
                    Command::new(bin.join("pg_ctl"))
                };
                c.arg("-D").arg(dir.path().join("data"));
                if action == "start" {
                    let options = format!(
                        "-k {} -c listen_addresses='' -c fsync=off -c max_connections=300",
                        dir.path().display()
                    );
                    c.arg("-l")
                        .arg(dir.path().join("log"))
                        .args(["-w", "-o", &options, "start"]);
                } else {
                    c.args(["-m", "fast", "-w", "stop"]);
                }
                run(&mut c)
            }
            Postgres::External { .. } => bail!("an external PostgreSQL is not stopped by tests"),
        }
    }

    /// The log of a throwaway server, for failures.
    pub fn log_path(&self) -> Option<PathBuf> {
        match self {
            Postgres::Throwaway { dir, .. } => Some(dir.path().join("log")),
            Postgres::External { .. } => None,
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Postgres::Throwaway {
            bin,
            dir,
            as_postgres,
        } = self
        {
            let data: &Path = &dir.path().join("data");
            let mut c = if *as_postgres {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--"]).arg(bin.join("pg_ctl"));
                c
            } else {
                Command::new(bin.join("pg_ctl"))
            };
            let _ = c
                .arg("-D")
                .arg(data)
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
