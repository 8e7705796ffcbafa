//! Holds what the harness makes (a scratch directory, and a PostgreSQL cluster when one can be
//! started) and waits to be killed: `tests/reaping.rs` kills it with SIGKILL, as a timed-out or
//! interrupted test run would be, and checks that the next run leaves nothing behind. Prints
//! `scratch PATH`, then `postgres PATH` or `postgres none: REASON`, then `ready`.

use std::io::{Read, Write};

use thidua_testkit::{Durability, Postgres, Scratch};

fn main() -> anyhow::Result<()> {
    let scratch = Scratch::new("holder")?;
    let postgres = Postgres::throwaway(Durability::Off);
    let mut out = std::io::stdout().lock();
    writeln!(out, "scratch {}", scratch.path().display())?;
    match &postgres {
        Ok(pg) => writeln!(
            out,
            "postgres {}",
            pg.dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        )?,
        Err(e) => writeln!(out, "postgres none: {e:#}")?,
    }
    writeln!(out, "ready")?;
    out.flush()?;
    // Until killed: standard input stays open in the test.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    Ok(())
}
