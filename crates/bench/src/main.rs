//! `thidua-bench`: benchmarks as ratios to ceilings measured beside them.

mod data;
mod scoring;

use std::{path::PathBuf, time::Duration};

use clap::Parser;

/// Runs the benchmarks and prints one table.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The legacy unit list (code,name,kind,parent_code); generated in its shape when omitted.
    #[arg(long)]
    units: Option<PathBuf>,
    /// Multiply the national data by this factor (terms are repeated).
    #[arg(long, default_value_t = 1)]
    scale: usize,
    /// A tiny run that only checks the harness works.
    #[arg(long)]
    smoke: bool,
    /// Also write the table to this Markdown file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Repetitions of each measurement; the fastest counts.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

/// One row of the result table.
pub struct Row {
    /// The scenario.
    pub scenario: String,
    /// The ceiling's time.
    pub ceiling: Duration,
    /// The scenario's time.
    pub result: Duration,
    /// The goal, in words.
    pub goal: String,
    /// Whether the goal was met.
    pub met: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let districts = match (&args.units, args.smoke) {
        (_, true) => data::generated(12, 15),
        (Some(path), false) => data::from_csv(path)?,
        (None, false) => data::generated(705, 15),
    };
    let mut rows = Vec::new();
    for factor in if args.smoke {
        vec![1]
    } else {
        vec![args.scale]
    } {
        rows.push(scoring::nationwide(&districts, factor, args.runs.max(1))?);
    }
    let table = render(&rows, &args);
    print!("{table}");
    if let Some(out) = &args.out {
        std::fs::write(out, table)?;
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn render(rows: &[Row], args: &Args) -> String {
    let mut out = String::new();
    out.push_str("| scenario | ceiling | result | ratio | goal | met |\n| --- | --- | --- | --- | --- | --- |\n");
    for r in rows {
        let ratio = r.result.as_secs_f64() / r.ceiling.as_secs_f64().max(1e-9);
        out.push_str(&format!(
            "| {} | {} | {} | {:.2}× | {} | {} |\n",
            r.scenario,
            ms(r.ceiling),
            ms(r.result),
            ratio,
            r.goal,
            if r.met { "yes" } else { "no" }
        ));
    }
    out.push_str(&format!(
        "\ncommand: `thidua-bench{}{}{}` (fastest of {} runs)\n",
        args.units
            .as_ref()
            .map(|p| format!(" --units {}", p.display()))
            .unwrap_or_default(),
        if args.scale > 1 {
            format!(" --scale {}", args.scale)
        } else {
            String::new()
        },
        if args.smoke { " --smoke" } else { "" },
        args.runs
    ));
    out
}
