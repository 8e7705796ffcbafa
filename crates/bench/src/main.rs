//! `thidua-bench`: benchmarks as ratios to ceilings measured beside them.

mod data;
mod import;
mod lineage;
mod nationwide;
mod read;
mod server;
mod startup;
mod watch;
mod world;

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use clap::Parser;
use thidua_storage::Store;

/// Runs the benchmarks and prints one table.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The legacy unit list (code,name,kind,parent_code); generated in its shape when omitted.
    #[arg(long)]
    units: Option<PathBuf>,
    /// Multiply the national data by this factor for the engine-only scoring (terms are
    /// repeated).
    #[arg(long, default_value_t = 1)]
    scale: usize,
    /// Only the first N districts of the list in the database scenarios (all by default).
    #[arg(long)]
    districts: Option<usize>,
    /// A tiny run of every scenario that only checks the harness works.
    #[arg(long)]
    smoke: bool,
    /// PostgreSQL server URL for the PostgreSQL scenario (its database must be empty); a
    /// throwaway cluster is started when omitted.
    #[arg(long)]
    postgres: Option<String>,
    /// Skip the PostgreSQL scenario.
    #[arg(long)]
    no_postgres: bool,
    /// Also write the table to this Markdown file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Repetitions of each in-process measurement; the fastest counts.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Calls of the unary read scenario (and of its ceiling).
    #[arg(long, default_value_t = 20_000)]
    reads: usize,
    /// Watchers of the WatchScoreboard fan-out, spread over two servers on PostgreSQL.
    #[arg(long, default_value_t = 1_000)]
    watchers: usize,
    /// The 2025 unit list (`units-2025.csv`): with --lineage and --units, the lineage import
    /// scenario runs.
    #[arg(long)]
    units_2025: Option<PathBuf>,
    /// The 2025 reform's commune lineage (`lineage-2025.csv`).
    #[arg(long)]
    lineage: Option<PathBuf>,
    /// Import the round this many times in all (each a new revision of every result), to
    /// show how import and scoring grow with the table. Each round's import is reported;
    /// scoring is measured at the powers of two (16 gives 1×, 2×, 4×, 8× and 16×).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
}

/// One row of the result table.
pub struct Row {
    /// The scenario.
    pub scenario: String,
    /// The ceiling, printed.
    pub ceiling: String,
    /// The result, printed.
    pub result: String,
    /// result ÷ ceiling, in the direction the goal is stated.
    pub ratio: f64,
    /// The goal, in words.
    pub goal: String,
    /// Whether the goal was met.
    pub met: bool,
}

/// The latencies a prober thread measured.
fn join(
    prober: std::thread::JoinHandle<anyhow::Result<Vec<Duration>>>,
) -> anyhow::Result<Vec<Duration>> {
    prober
        .join()
        .map_err(|_| anyhow::anyhow!("the health prober panicked"))?
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

impl Row {
    /// A time against a time ceiling: met when within `at_most` times it (and `limit`).
    pub fn time(
        scenario: String,
        ceiling: Duration,
        result: Duration,
        at_most: f64,
        limit: Option<Duration>,
    ) -> Self {
        let ratio = result.as_secs_f64() / ceiling.as_secs_f64().max(1e-9);
        let goal = match limit {
            Some(l) => format!("≤ {at_most}× and ≤ {}", ms(l)),
            None => format!("≤ {at_most}×"),
        };
        Self {
            scenario,
            ceiling: ms(ceiling),
            result: ms(result),
            ratio,
            goal,
            met: ratio <= at_most && limit.is_none_or(|l| result <= l),
        }
    }

    /// A rate against a rate ceiling: met when at least `at_least` of it.
    pub fn rate(scenario: String, ceiling: f64, result: f64, unit: &str, at_least: f64) -> Self {
        let ratio = result / ceiling.max(1e-9);
        Self {
            scenario,
            ceiling: format!("{ceiling:.0} {unit}"),
            result: format!("{result:.0} {unit}"),
            ratio,
            goal: format!("≥ {at_least}×"),
            met: ratio >= at_least,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let nation = match (&args.units, args.smoke) {
        (_, true) => data::generated(6, 15),
        (Some(path), false) => data::from_csv(path)?,
        (None, false) => data::generated(705, 15),
    };
    let nation = match args.districts {
        Some(n) => nation.first(n),
        None => nation,
    };
    let runs = if args.smoke { 1 } else { args.runs.max(1) };
    let calibrated = startup::calibration();
    let mut rows = vec![nationwide::nationwide(
        &nation.district_lists(),
        args.scale,
        runs,
    )?];
    // Readers measure their own latency, so they run at normal priority.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // The import's generator stands in for a provincial system on another machine: on a
    // machine whose cores it shares with the server, it runs in the idle scheduling class, so
    // that the server's isolation is measured instead of the generator's competition for the
    // processor. (It measures throughput, which the ceiling's minimal program bounds.)
    let bulk = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_start(thidua_server::service::lower_priority)
        .enable_all()
        .build()?;
    let mut notes = Vec::new();

    // SQLite: the round through the server, and the database scenarios on the result.
    let dir = thidua_testkit::Scratch::new("bench")?;
    match (&args.units, &args.units_2025, &args.lineage) {
        (Some(legacy), Some(units_2025), Some(lineage)) if !args.smoke => {
            rows.push(lineage::lineage_import(
                dir.path(),
                legacy,
                units_2025,
                lineage,
                runs,
            )?);
        }
        _ => notes.push(
            "Lineage import skipped: it needs --units, --units-2025 and --lineage.".to_owned(),
        ),
    }
    let path = dir.path().join("round.db").display().to_string();
    let (round_terms, round) = setup(&path, &nation)?;
    let round = Arc::new(round);
    let rows_in_round = import::count(&round);
    let ceiling = import::sqlite_ceiling(&path, &round)?;
    clear_results(&path)?;
    let server = Arc::new(server::Server::start(&path)?);
    let reads = if args.smoke { 640 } else { args.reads };
    let first_round = rt.block_on(async {
        let idle = import::Probes::Count(if args.smoke { 200 } else { 5_000 });
        let mut idle_samples = join(import::probe_health(&server, idle))?;
        let stop = Arc::new(AtomicBool::new(false));
        let busy = import::probe_health(&server, import::Probes::Until(stop.clone()));
        let result = bulk.spawn(import::through_server(server.clone(), round.clone())).await??;
        stop.store(true, Ordering::Relaxed);
        let mut busy_samples = join(busy)?;
        let per_second = |d: Duration| rows_in_round as f64 / d.as_secs_f64().max(1e-9);
        rows.push(Row::rate(
            format!("bulk import, SQLite: {rows_in_round} results in {} streamed calls", round.len()),
            per_second(ceiling),
            per_second(result),
            "rows/s",
            0.3,
        ));
        let idle_p99 = import::p99(&mut idle_samples);
        let busy_p99 = import::p99(&mut busy_samples);
        rows.push(Row::time(
            format!(
                "isolation: health-check p99 during the import ({} probes) vs idle ({} probes)",
                busy_samples.len(),
                idle_samples.len()
            ),
            idle_p99,
            busy_p99,
            2.0,
            None,
        ));
        let term = round_terms
            .iter()
            .min_by_key(|t| t.members.len().abs_diff(15))
            .map(|t| t.term.to_string())
            .unwrap_or_default();
        let members = round_terms
            .iter()
            .min_by_key(|t| t.members.len().abs_diff(15))
            .map_or(0, |t| t.members.len());
        // As the issue asks, server and load generator on processors of their own, when the
        // machine allows; then again unpinned, for comparison: unpinned, the server may use
        // both processors between the generator's calls.
        let pinned = server::Pinned::apart(&server);
        let (health, board) = read::scoreboard_vs_health(&server, &term, 64, 4, reads).await?;
        let placement = if pinned.is_some() {
            "server and load generator each on a processor of its own"
        } else {
            "not pinned (taskset missing or one processor)"
        };
        drop(pinned);
        rows.push(Row::rate(
            format!("unary read: GetScoreboard of a {members}-member term, 64 streams over 4 connections, {reads} calls, {placement} — throughput vs health check"),
            health.per_second,
            board.per_second,
            "calls/s",
            0.5,
        ));
        rows.push(Row::time(
            "unary read: p99 latency vs health check".into(),
            health.p99,
            board.p99,
            3.0,
            None,
        ));
        let (health, board) = read::scoreboard_vs_health(&server, &term, 64, 4, reads).await?;
        let ratio = board.per_second / health.per_second.max(1e-9);
        rows.push(Row {
            scenario: format!(
                "unary read, the same unpinned (both processors shared): throughput; p99 {:.1} ms (health check {:.1} ms)",
                board.p99.as_secs_f64() * 1e3,
                health.p99.as_secs_f64() * 1e3
            ),
            ceiling: format!("{:.0} calls/s", health.per_second),
            result: format!("{:.0} calls/s", board.per_second),
            ratio,
            goal: "— (shown for comparison)".into(),
            met: true,
        });
        let every: Vec<String> = round_terms.iter().map(|t| t.term.to_string()).collect();
        read::every_board_once(&server, &every).await?;
        let (rss, peak) = server.memory()?;
        let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
        rows.push(Row {
            scenario: format!(
                "memory: server RSS after the round, the read scenario and every scoreboard read once ({} terms; default cache bounds)",
                every.len()
            ),
            ceiling: "—".into(),
            result: format!("{:.1} MiB (peak {:.1} MiB)", mib(rss), mib(peak)),
            ratio: mib(rss) / 64.0,
            goal: "≤ 64 MiB".into(),
            met: mib(rss) <= 64.0,
        });
        anyhow::Ok(result)
    })?;
    let first_rate = rows_in_round as f64 / first_round.as_secs_f64().max(1e-9);
    let store = Store::open(&path)?;
    rows.extend(nationwide::from_database(&store, &round_terms, runs)?);
    for n in 2..=args.rounds {
        let took =
            rt.block_on(bulk.spawn(import::through_server(server.clone(), round.clone())))??;
        let per_second = rows_in_round as f64 / took.as_secs_f64().max(1e-9);
        rows.push(Row {
            scenario: format!(
                "growth: import of round {n}, onto {} results",
                (n - 1) * rows_in_round
            ),
            ceiling: "—".into(),
            result: format!("{per_second:.0} rows/s ({})", ms(took)),
            ratio: per_second / first_rate,
            goal: "linear: ≥ 0.7× the rate of round 1".into(),
            met: per_second >= 0.7 * first_rate,
        });
        if !n.is_power_of_two() {
            continue;
        }
        let mut scored = nationwide::from_database(&store, &round_terms, runs)?;
        scored.truncate(1);
        for row in &mut scored {
            row.scenario = format!("growth: scoring from the database with {n}× the results");
        }
        rows.extend(scored);
    }
    drop(store);
    drop(server);

    // PostgreSQL: the same round against COPY.
    if !args.no_postgres {
        // Kept until the end of the scenario: dropping it stops the cluster.
        let mut throwaway = None;
        let url = match &args.postgres {
            Some(url) => Some(url.clone()),
            None => match thidua_testkit::Postgres::throwaway(thidua_testkit::Durability::Default)
                .and_then(|pg| Ok((pg.new_database("bench")?, pg)))
            {
                Ok((url, pg)) => {
                    throwaway = Some(pg);
                    Some(url)
                }
                Err(e) => {
                    notes.push(format!("PostgreSQL scenario skipped: {e:#}"));
                    None
                }
            },
        };
        if let Some(url) = url {
            let (pg_terms, round) = setup(&url, &nation)?;
            let round = Arc::new(round);
            let ceiling = import::postgres_ceiling(&url, &round)?;
            clear_results(&url)?;
            let server = Arc::new(server::Server::start(&url)?);
            let result =
                rt.block_on(bulk.spawn(import::through_server(server.clone(), round.clone())))??;
            let per_second = |d: Duration| rows_in_round as f64 / d.as_secs_f64().max(1e-9);
            rows.push(Row::rate(
                format!("bulk import, PostgreSQL: {rows_in_round} results vs COPY"),
                per_second(ceiling),
                per_second(result),
                "rows/s",
                0.3,
            ));
            // A second node on the same database: watchers spread over both.
            let twin = server::Server::start(&url)?;
            let term = pg_terms
                .iter()
                .min_by_key(|t| t.members.len().abs_diff(15))
                .context("no term")?;
            let watchers = if args.smoke { 20 } else { args.watchers.max(2) };
            rows.extend(rt.block_on(watch::fan_out(&server, &twin, term, watchers, runs))?);
        }
        drop(throwaway);
    }
    rows.push(startup::startup(dir.path(), runs)?);
    let noise = startup::noise(calibrated, startup::calibration());
    if !noise.met {
        notes.push(format!(
            "This run does not count: the machine's speed moved by {:+.0}% between its start \
             and its end.",
            (noise.ratio - 1.0) * 100.0
        ));
    }
    rows.push(noise);
    let table = render(&rows, &args, &notes);
    print!("{table}");
    if let Some(out) = &args.out {
        std::fs::write(out, table)?;
    }
    Ok(())
}

/// Builds the round's world in `url` and its rows.
fn setup(
    url: &str,
    nation: &data::Nation,
) -> anyhow::Result<(Vec<world::RoundTerm>, Vec<import::TermRows>)> {
    let store = Store::open(url)?;
    let terms = world::build(&store, nation)?;
    let round = import::round(&terms);
    Ok((terms, round))
}

/// Removes the ceiling's rows, and every term's packed latest results with them (the ceiling
/// writes `results` alone), so the server imports into the same, empty tables.
fn clear_results(url: &str) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url)?;
        diesel::sql_query("TRUNCATE results, latest_results").execute(&mut c)?;
    } else {
        let mut c = diesel::SqliteConnection::establish(url)?;
        diesel::sql_query("DELETE FROM results").execute(&mut c)?;
        diesel::sql_query("DELETE FROM latest_results").execute(&mut c)?;
    }
    Ok(())
}

fn render(rows: &[Row], args: &Args, notes: &[String]) -> String {
    let mut out = String::new();
    out.push_str("| scenario | ceiling | result | ratio | goal | met |\n| --- | --- | --- | --- | --- | --- |\n");
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:.2}× | {} | {} |\n",
            r.scenario,
            r.ceiling,
            r.result,
            r.ratio,
            r.goal,
            if r.met { "yes" } else { "no" }
        ));
    }
    let mut command = String::from("thidua-bench");
    if let Some(p) = &args.units {
        command.push_str(&format!(" --units {}", p.display()));
    }
    if let Some(p) = &args.units_2025 {
        command.push_str(&format!(" --units-2025 {}", p.display()));
    }
    if let Some(p) = &args.lineage {
        command.push_str(&format!(" --lineage {}", p.display()));
    }
    if args.scale > 1 {
        command.push_str(&format!(" --scale {}", args.scale));
    }
    if let Some(n) = args.districts {
        command.push_str(&format!(" --districts {n}"));
    }
    if args.rounds > 1 {
        command.push_str(&format!(" --rounds {}", args.rounds));
    }
    if args.smoke {
        command.push_str(" --smoke");
    }
    out.push_str(&format!(
        "\ncommand: `{command} --runs {}` (in-process timings: the fastest run counts)\n",
        args.runs
    ));
    for n in notes {
        out.push_str(&format!("\n{n}\n"));
    }
    out
}
