//! Start-up and the machine's noise.
//!
//! - Start-up: `thidua-server --demo` on an empty database, from spawn to its ready line (the
//!   seed case, its 2025 reform and a share link loaded, the server serving), against the same
//!   server starting on an empty database without the demo (migrations and the first key).
//! - Noise: a fixed piece of processor work timed before the scenarios and after them. On a
//!   shared machine a slow spell can hit a ceiling and miss its scenario (or the reverse); when
//!   the machine's speed moved by more than [`NOISE_BOUND`] during the run, the run does not
//!   count.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use thidua_testkit::{ServerProcess, beside_this_executable};

use crate::{Row, ms};

/// How far the calibration may move between the start and the end of a counted run.
pub const NOISE_BOUND: f64 = 0.15;

/// The fastest of `runs` starts with `extra` flags, each on a fresh database in `dir`.
fn fastest_start(dir: &Path, label: &str, extra: &[&str], runs: usize) -> anyhow::Result<Duration> {
    let binary = beside_this_executable("thidua-server")?;
    let mut best = Duration::MAX;
    for run in 0..runs {
        let database = dir
            .join(format!("start-{label}-{run}.db"))
            .display()
            .to_string();
        let began = Instant::now();
        let server = ServerProcess::start(&binary, &database, extra)?;
        best = best.min(began.elapsed());
        server.stop()?;
    }
    Ok(best)
}

/// The start-up row: `--demo` on an empty database, to ready, in at most a second.
pub fn startup(dir: &Path, runs: usize) -> anyhow::Result<Row> {
    let limit = Duration::from_secs(1);
    // Once untimed: the first start reads the binary from disk, which no later start does.
    fastest_start(dir, "warm", &[], 1)?;
    let empty = fastest_start(dir, "empty", &[], runs)?;
    let demo = fastest_start(dir, "demo", &["--demo"], runs)?;
    Ok(Row {
        scenario: "start-up: `--demo` on an empty database (the seed, its 2025 reform, a share \
                   link) to ready, vs the same start without the demo"
            .into(),
        ceiling: ms(empty),
        result: ms(demo),
        ratio: demo.as_secs_f64() / empty.as_secs_f64().max(1e-9),
        goal: format!("≤ {}", ms(limit)),
        met: demo <= limit,
    })
}

/// The fastest of five runs of a fixed loop of integer work (about 50 ms).
pub fn calibration() -> Duration {
    (0..5)
        .map(|_| {
            let began = Instant::now();
            let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
            for _ in 0..40_000_000u32 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }
            std::hint::black_box(x);
            began.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The noise row: the calibration after the run against before it.
pub fn noise(before: Duration, after: Duration) -> Row {
    let ratio = after.as_secs_f64() / before.as_secs_f64().max(1e-9);
    Row {
        scenario: "machine noise: a fixed processor loop timed after the scenarios vs before; \
                   outside the bound the run does not count"
            .into(),
        ceiling: ms(before),
        result: ms(after),
        ratio,
        goal: format!("within ±{:.0}%", NOISE_BOUND * 100.0),
        met: (ratio - 1.0).abs() <= NOISE_BOUND,
    }
}
