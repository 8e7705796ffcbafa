//! PostgreSQL for the benchmark: `--postgres URL`, or a throwaway cluster started from the
//! machine's `initdb`/`pg_ctl` (as the `postgres` user when running as root) on a unix socket,
//! with the server's default durability settings, removed afterwards.

use std::{path::PathBuf, process::Command};

use anyhow::{Context, bail};

/// A throwaway cluster; stopped and removed on drop.
pub struct Throwaway {
    bin: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

impl Throwaway {
    fn tool(&self, name: &str) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(name));
            c
        } else {
            Command::new(self.bin.join(name))
        }
    }

    /// Starts a cluster and creates database `thidua`; returns it with its URL.
    pub fn start() -> anyhow::Result<(Self, String)> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")?
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .max()
            .context("no PostgreSQL binaries under /usr/lib/postgresql")?;
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let dir = tempfile::Builder::new()
            .prefix("thidua-bench-pg-")
            .tempdir()?;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(dir.path()))?;
        }
        let pg = Self {
            bin,
            dir,
            as_postgres,
        };
        let data = pg.dir.path().join("data");
        run(pg.tool("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        ]))?;
        let options = format!("-k {} -c listen_addresses=''", pg.dir.path().display());
        run(pg
            .tool("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(pg.dir.path().join("log"))
            .args(["-w", "-o", &options, "start"]))?;
        run(Command::new(pg.bin.join("createdb"))
            .arg("-h")
            .arg(pg.dir.path())
            .args(["-U", "postgres", "thidua"]))?;
        let url = format!(
            "postgres://postgres@localhost/thidua?host={}",
            pg.dir.path().display()
        );
        Ok((pg, url))
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}
