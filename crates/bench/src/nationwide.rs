//! Nationwide scoring: every district term scored and ranked by the engine, against the same
//! proportional arithmetic over plain arrays.

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use rust_decimal::Decimal;
use thidua_domain::{
    criteria::{Criterion, Rule},
    scoring::{self, ClassLevel, Entries, Entry, TieBreak},
    target::Targets,
    unit::{Scheme, UnitRef},
};

use crate::{Row, data::District};

/// Groups × criteria per group: a table of 60 leaves, each worth 100/60 rounded to the step.
const GROUPS: usize = 6;
const PER_GROUP: usize = 10;

/// The table's nominal scale: the sum of its groups' maxima.
pub fn scale() -> Decimal {
    Decimal::new(5 * i64::try_from(GROUPS * PER_GROUP).unwrap_or(60), 0)
}

/// The benchmark table: 6 groups of 10 proportional criteria worth 5 points each.
pub fn table() -> Vec<Criterion> {
    (0..GROUPS)
        .map(|g| {
            let code = format!("G{g}");
            Criterion {
                code: code.clone(),
                title: format!("Nhóm {g}"),
                max_points: Decimal::new(50 * i64::try_from(PER_GROUP).unwrap_or(10), 1),
                children: (0..PER_GROUP)
                    .map(|c| Criterion {
                        code: format!("{code}.{c}"),
                        title: format!("Tiêu chí {g}.{c}"),
                        max_points: Decimal::new(5, 0),
                        rule: Some(Rule::Proportional),
                        metric: "%".into(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect()
}

/// A deterministic "actual" in [50, 130) for (unit index, criterion index).
pub fn actual(u: usize, c: usize) -> Decimal {
    Decimal::new(
        i64::try_from(500 + (u * 7919 + c * 104_729) % 800).unwrap_or(500),
        1,
    )
}

struct Term {
    members: Vec<UnitRef>,
    targets: Targets,
    entries: Entries,
    arrays: Vec<Vec<(Decimal, Decimal)>>,
}

fn terms(districts: &[District], factor: usize, groups: &[Criterion]) -> Vec<Term> {
    // One shared code per criterion, as storage hands a term's entries to the engine.
    let codes: Vec<std::sync::Arc<str>> = groups
        .iter()
        .flat_map(|g| {
            g.children
                .iter()
                .map(|c| std::sync::Arc::from(c.code.as_str()))
        })
        .collect();
    let mut out = Vec::new();
    let mut u = 0;
    for _ in 0..factor {
        for d in districts {
            let members: Vec<UnitRef> = d
                .iter()
                .map(|c| UnitRef::new(Scheme::Qd124_2004, c.clone()))
                .collect();
            let mut targets = Targets::default();
            for code in &codes {
                targets
                    .defaults
                    .insert(code.to_string(), Decimal::ONE_HUNDRED);
            }
            let mut entries = Entries::default();
            let mut arrays = Vec::new();
            for m in &members {
                let mut row = Vec::with_capacity(codes.len());
                for (c, code) in codes.iter().enumerate() {
                    let a = actual(u, c);
                    entries.insert(m.clone(), code.clone(), Entry::Actual(a));
                    row.push((a, Decimal::ONE_HUNDRED));
                }
                arrays.push(row);
                u += 1;
            }
            out.push(Term {
                members,
                targets,
                entries,
                arrays,
            });
        }
    }
    out
}

fn fastest(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The fastest run of a ceiling and of a scenario, their runs taken in turn: on a shared
/// machine, a spell of load then slows both alike instead of whichever ran during it.
fn fastest_in_turn(
    runs: usize,
    mut ceiling: impl FnMut(),
    mut scenario: impl FnMut(),
) -> (Duration, Duration) {
    let (mut c, mut s) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        c = c.min(fastest(1, &mut ceiling));
        s = s.min(fastest(1, &mut scenario));
    }
    (c, s)
}

/// Scores and ranks every term with the engine, and the same arithmetic in a plain loop.
pub fn nationwide(districts: &[District], factor: usize, runs: usize) -> anyhow::Result<Row> {
    let groups = table();
    let terms = terms(districts, factor, &groups);
    let units: usize = terms.iter().map(|t| t.members.len()).sum();
    let step = Decimal::new(1, 2);
    let scale = scale();
    let levels = ClassLevel::defaults();
    let chain = [
        TieBreak::Subtotal("G0".into()),
        TieBreak::FullPointsCount,
        TieBreak::FewerPenalties,
    ];
    let (ceiling, result) = fastest_in_turn(
        runs,
        || plain_loop(&terms),
        || {
            for t in &terms {
                let scores = scoring::score_members(
                    &groups, scale, step, &t.members, &t.targets, &t.entries, &levels,
                );
                black_box(scoring::rank(&scores, &chain));
            }
        },
    );
    Ok(Row::time(
        format!(
            "nationwide scoring, engine only: {} terms, {units} units × {} criteria",
            terms.len(),
            GROUPS * PER_GROUP
        ),
        ceiling,
        result,
        3.0,
        Some(Duration::from_secs(1)),
    ))
}

/// The plain-loop ceiling over arrays the size of `districts`.
fn plain_loop(terms: &[Term]) {
    let step = Decimal::new(1, 2);
    let max = Decimal::new(5, 0);
    for t in terms {
        let mut totals: Vec<Decimal> = t
            .arrays
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(a, target)| {
                        scoring::round_to_step(max * (*a / *target).min(Decimal::ONE), step)
                    })
                    .sum::<Decimal>()
            })
            .collect();
        totals.sort_unstable_by(|a, b| b.cmp(a));
        black_box(totals);
    }
}

/// Every term of the round scored and ranked from the database (its table, targets and
/// results loaded in one read transaction per term), against the plain loop.
pub fn from_database(
    store: &thidua_storage::Store,
    round: &[crate::world::RoundTerm],
    runs: usize,
) -> anyhow::Result<Vec<Row>> {
    let districts: Vec<District> = round
        .iter()
        .map(|t| t.members.iter().map(|m| m.code.clone()).collect())
        .collect();
    let groups = table();
    let arrays = terms(&districts, 1, &groups);
    let units: usize = districts.iter().map(Vec::len).sum();
    let mut failure = None;
    let (ceiling, result) = fastest_in_turn(
        runs,
        || plain_loop(&arrays),
        || {
            for t in round {
                match thidua_server::app::scoring::scoreboard(store, &t.term, None) {
                    Ok(board) => {
                        black_box(board);
                    }
                    Err(e) => failure = Some(e),
                }
            }
        },
    );
    if let Some(e) = failure {
        anyhow::bail!("scoring from the database: {e}");
    }
    // The floor under it: only reading each term's latest results, nothing scored.
    let floor = fastest(runs, || {
        for t in round {
            let read = store.read(|tx| tx.latest_entries(&t.term));
            black_box(read.map(|r| r.len()).unwrap_or_default());
        }
    });
    let floor = Row {
        scenario: "floor under it: reading each term's latest results alone, nothing scored".into(),
        ceiling: format!("{:.1} ms", ceiling.as_secs_f64() * 1000.0),
        result: format!("{:.1} ms", floor.as_secs_f64() * 1000.0),
        ratio: floor.as_secs_f64() / ceiling.as_secs_f64().max(1e-9),
        goal: "— (measured to show the floor)".into(),
        met: true,
    };
    Ok(vec![
        Row::time(
            format!(
                "nationwide scoring from the database: {} terms, {units} units × {} criteria",
                round.len(),
                GROUPS * PER_GROUP
            ),
            ceiling,
            result,
            3.0,
            Some(Duration::from_secs(1)),
        ),
        floor,
    ])
}
