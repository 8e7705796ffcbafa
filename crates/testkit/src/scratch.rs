//! Scratch directories that name their owner, so that a run killed before it could clean up
//! (SIGKILL, a timeout) is cleaned up by the next run: every directory the harness makes lives
//! in the system's temporary directory under [`PREFIX`], with an owner record (the owning
//! process's pid and start time, which tell a dead owner from a recycled pid). The first scratch
//! directory a process makes reaps the abandoned ones, stopping any PostgreSQL still running in
//! them.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::Once,
};

use anyhow::Context;

/// Every harness directory's name starts with this.
const PREFIX: &str = "thidua-";
/// The owner record in each harness directory.
const OWNER_FILE: &str = "thidua-owner";

/// A temporary directory owned by this process, removed when dropped (and by the next run's
/// [`reap_abandoned`] if this process dies first).
#[derive(Debug)]
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new directory named `thidua-{kind}-…`.
    pub fn new(kind: &str) -> anyhow::Result<Self> {
        static REAP: Once = Once::new();
        REAP.call_once(|| {
            reap_abandoned();
        });
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{kind}-"))
            .tempdir()?;
        let me = Owner::me().context("cannot read this process's start time")?;
        fs::write(dir.path().join(OWNER_FILE), me.record())?;
        Ok(Self { dir })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A process, told apart from a later one with the same pid by its start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Owner {
    pid: u32,
    start: u64,
}

impl Owner {
    fn me() -> Option<Owner> {
        let pid = std::process::id();
        Some(Owner {
            pid,
            start: start_time(pid)?,
        })
    }

    fn record(self) -> String {
        format!("{} {}\n", self.pid, self.start)
    }

    fn parse(record: &str) -> Option<Owner> {
        let mut fields = record.split_whitespace();
        Some(Owner {
            pid: fields.next()?.parse().ok()?,
            start: fields.next()?.parse().ok()?,
        })
    }

    fn alive(self) -> bool {
        start_time(self.pid) == Some(self.start)
    }
}

/// A process's start time, in clock ticks since boot (`/proc/PID/stat`, field 22).
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; it ends at the last ')'.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// Removes every harness directory whose owner has died, first stopping a PostgreSQL cluster
/// left running in it; returns the directories removed. Directories of live owners, and
/// anything without an owner record, are left alone.
pub fn reap_abandoned() -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return Vec::new();
    };
    let mut reaped = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let named = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(PREFIX));
        let owner = fs::read_to_string(path.join(OWNER_FILE))
            .ok()
            .and_then(|r| Owner::parse(&r));
        let Some(owner) = owner.filter(|_| named) else {
            continue;
        };
        if owner.alive() {
            continue;
        }
        crate::postgres::stop_abandoned(&path);
        if fs::remove_dir_all(&path).is_ok() {
            reaped.push(path);
        }
    }
    reaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_is_alive_while_its_process_is() {
        let me = Owner::me();
        assert!(me.is_some_and(Owner::alive));
        let record = me.map(Owner::record).unwrap_or_default();
        assert_eq!(Owner::parse(&record), me);
        let recycled = me.map(|o| Owner {
            start: o.start + 1,
            ..o
        });
        assert!(
            !recycled.is_some_and(Owner::alive),
            "another process with the same pid is not the owner"
        );
        assert_eq!(Owner::parse("garbage"), None);
    }
}
