//! A throwaway PostgreSQL cluster: `THIDUA_TEST_DATABASE_URL` if set, otherwise one started
//! from the machine's newest `initdb`/`pg_ctl` (as the `postgres` user when running as root,
//! since PostgreSQL refuses to run as root) in a [`Scratch`] directory, on a unix socket only.
//! Dropping it stops it and removes the directory; a run killed before that leaves the
//! directory to the next run's [`crate::reap_abandoned`].

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::atomic::{AtomicU32, Ordering},
};

use anyhow::{Context, bail};

use crate::Scratch;

/// The file in a cluster's scratch directory naming the binaries that started it, so that a
/// later run can stop it.
const BIN_FILE: &str = "thidua-pg-bin";

/// How much a throwaway cluster may trade durability for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// No fsync, no synchronous commit, no full-page writes: for tests, whose databases are
    /// thrown away.
    Off,
    /// PostgreSQL's defaults: for benchmarks, which measure what a deployment would see.
    Default,
}

/// Where databases are created.
pub enum Postgres {
    /// A cluster this process started; stopped and removed on drop.
    Throwaway {
        /// Its binaries.
        bin: PathBuf,
        /// Its directory: `data/`, the socket and `log`.
        dir: Scratch,
        /// Whether its tools run as the `postgres` user.
        as_postgres: bool,
        /// How it was started (again, after [`Postgres::control`] stops it).
        durability: Durability,
    },
    /// A server given by `THIDUA_TEST_DATABASE_URL`.
    External {
        /// Its URL; databases are created beside the one it names.
        url: String,
    },
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The `bin` directory of the newest PostgreSQL installed under `/usr/lib/postgresql`, by
/// numeric version (16 is newer than 9.6), else the first directory on `PATH` with `initdb`
/// and `pg_ctl`.
pub fn newest_bin() -> Option<PathBuf> {
    newest_under(Path::new("/usr/lib/postgresql")).or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .find(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
    })
}

fn newest_under(root: &Path) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .flatten()
        .filter(|e| e.path().join("bin/initdb").exists())
        .filter_map(|e| Some((version(e.file_name().to_str()?)?, e.path().join("bin"))))
        .max()
        .map(|(_, bin)| bin)
}

/// `"16"` → `[16]`, `"9.6"` → `[9, 6]`; `None` for a name that is not a version.
fn version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL tool, run as the `postgres` user when `as_postgres`.
fn tool(bin: &Path, name: &str, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(name));
        c
    } else {
        Command::new(bin.join(name))
    }
}

fn server_options(dir: &Path, durability: Durability) -> String {
    let fast = match durability {
        Durability::Off => " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        Durability::Default => "",
    };
    format!(
        "-k {} -c listen_addresses='' -c max_connections=300{fast}",
        dir.display()
    )
}

impl Postgres {
    /// `THIDUA_TEST_DATABASE_URL` when set, else a new throwaway cluster; `Err` says why none
    /// is available.
    pub fn start(durability: Durability) -> anyhow::Result<Self> {
        if let Ok(url) = std::env::var("THIDUA_TEST_DATABASE_URL") {
            return Ok(Postgres::External { url });
        }
        Self::throwaway(durability)
    }

    /// A new cluster of this process's own, whatever `THIDUA_TEST_DATABASE_URL` says (for a
    /// test that stops its database).
    pub fn throwaway(durability: Durability) -> anyhow::Result<Self> {
        let bin = newest_bin().context("no initdb/pg_ctl found (install postgresql)")?;
        let as_postgres = is_root();
        let dir = Scratch::new("pg")?;
        std::fs::write(dir.path().join(BIN_FILE), bin.display().to_string())?;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(dir.path()))?;
        }
        let mut initdb = tool(&bin, "initdb", as_postgres);
        initdb.arg("-D").arg(dir.path().join("data")).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]);
        if durability == Durability::Off {
            initdb.arg("--no-sync");
        }
        run(&mut initdb)?;
        let pg = Postgres::Throwaway {
            bin,
            dir,
            as_postgres,
            durability,
        };
        pg.control("start")?;
        Ok(pg)
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

    /// Starts (`"start"`) or stops (anything else; `fast`: sessions are terminated) a throwaway
    /// server; `Err` for an external one, which this process does not control.
    pub fn control(&self, action: &str) -> anyhow::Result<()> {
        match self {
            Postgres::Throwaway {
                bin,
                dir,
                as_postgres,
                durability,
            } => {
                let mut c = tool(bin, "pg_ctl", *as_postgres);
                c.arg("-D").arg(dir.path().join("data"));
                if action == "start" {
                    c.arg("-l").arg(dir.path().join("log")).args([
                        "-w",
                        "-o",
                        &server_options(dir.path(), *durability),
                        "start",
                    ]);
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

    /// The directory of a throwaway cluster.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Postgres::Throwaway { dir, .. } => Some(dir.path()),
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
            ..
        } = self
        {
            stop_immediately(bin, dir.path(), *as_postgres);
        }
    }
}

fn stop_immediately(bin: &Path, dir: &Path, as_postgres: bool) {
    let _ = tool(bin, "pg_ctl", as_postgres)
        .arg("-D")
        .arg(dir.join("data"))
        .args(["-m", "immediate", "-w", "stop"])
        .output();
}

/// Stops the cluster left running in the abandoned scratch directory `dir`, if any.
pub(crate) fn stop_abandoned(dir: &Path) {
    if !dir.join("data/postmaster.pid").exists() {
        return;
    }
    let Ok(bin) = std::fs::read_to_string(dir.join(BIN_FILE)) else {
        return;
    };
    stop_immediately(Path::new(bin.trim()), dir, is_root());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_version_is_chosen_by_number_not_text() -> anyhow::Result<()> {
        let root = tempfile::tempdir()?;
        for v in ["9.6", "16", "13", "not-a-version"] {
            std::fs::create_dir_all(root.path().join(v).join("bin"))?;
            std::fs::write(root.path().join(v).join("bin/initdb"), "")?;
        }
        assert_eq!(newest_under(root.path()), Some(root.path().join("16/bin")));
        assert_eq!(version("9.6"), Some(vec![9, 6]));
        assert_eq!(version("x"), None);
        Ok(())
    }
}
