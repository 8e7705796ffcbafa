//! A test run killed with SIGKILL leaves nothing behind once the next run starts: the holder
//! binary makes a scratch directory and a PostgreSQL cluster as a test run would, is killed
//! mid-run, and the next run's reaping stops the cluster and removes both.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
};

use anyhow::{Context, ensure};

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.contains(") Z "))
}

#[test]
fn a_killed_run_leaves_no_cluster_and_no_directory() -> anyhow::Result<()> {
    let mut holder = Command::new(env!("CARGO_BIN_EXE_thidua-testkit-holder"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = holder.stdout.take().context("no stdout")?;
    let (mut scratch, mut cluster) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(path) = line.strip_prefix("scratch ") {
            scratch = Some(PathBuf::from(path));
        } else if let Some(path) = line.strip_prefix("postgres ") {
            if let Some(reason) = path.strip_prefix("none: ") {
                ensure!(
                    std::env::var("THIDUA_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                    "THIDUA_REQUIRE_POSTGRES=1 but no cluster: {reason}"
                );
                eprintln!("no PostgreSQL cluster, only the scratch directory is checked: {reason}");
            } else {
                cluster = Some(PathBuf::from(path));
            }
        } else if line == "ready" {
            break;
        }
    }
    let scratch = scratch.context("the holder named no scratch directory")?;
    let postmaster = match &cluster {
        Some(dir) => {
            let pid_file = std::fs::read_to_string(dir.join("data/postmaster.pid"))?;
            let pid: u32 = pid_file.lines().next().context("empty pid file")?.parse()?;
            ensure!(alive(pid), "the holder's PostgreSQL is not running");
            Some(pid)
        }
        None => None,
    };

    holder.kill()?;
    holder.wait()?;
    ensure!(scratch.exists(), "a killed run cannot have cleaned up");

    let reaped = thidua_testkit::reap_abandoned();
    ensure!(
        reaped.contains(&scratch) && !scratch.exists(),
        "{} was left behind",
        scratch.display()
    );
    if let (Some(dir), Some(pid)) = (cluster, postmaster) {
        ensure!(!alive(pid), "PostgreSQL {pid} still runs");
        ensure!(!dir.exists(), "{} was left behind", dir.display());
    }
    Ok(())
}
