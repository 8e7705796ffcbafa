//! Bulk import of one national reporting round through the client-streaming ImportResults,
//! against the same rows written straight into the same table: one transaction and a prepared
//! statement on SQLite, `COPY … FROM STDIN` on PostgreSQL. Health-check latency is measured
//! idle and during the import.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::ensure;
use diesel::{Connection, RunQueryDsl};
use thidua_proto::v1 as pb;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

use crate::{server::Server, world::RoundTerm};

/// Rows per streamed message: what the `thidua result import` command sends.
const BATCH: usize = 500;

diesel::table! {
    results (cluster_id, year, unit_id, criterion_code, revision) {
        cluster_id -> Text,
        year -> Integer,
        unit_id -> Text,
        criterion_code -> Text,
        revision -> Integer,
        value -> Text,
        kind -> Text,
        evidence_ref -> Text,
        evidence_note -> Text,
        explanation -> Text,
        submitted_at -> BigInt,
    }
}

#[derive(diesel::Insertable)]
#[diesel(table_name = results)]
// COPY needs every column present, never a default.
#[diesel(treat_none_as_default_value = false)]
struct Row<'a> {
    cluster_id: &'a str,
    year: i32,
    unit_id: String,
    criterion_code: &'a str,
    revision: i32,
    value: &'a str,
    kind: &'a str,
    evidence_ref: &'a str,
    evidence_note: &'a str,
    explanation: &'a str,
    submitted_at: i64,
}

impl<'a> Row<'a> {
    /// The stored form of a sent row: the first revision of an actual value.
    fn of(term: &'a TermRows, r: &'a pb::ResultRow) -> Self {
        Self {
            cluster_id: &term.cluster_id,
            year: crate::world::YEAR,
            unit_id: r.unit.trim_start_matches("units/").to_owned(),
            criterion_code: &r.criterion_code,
            revision: 1,
            value: &r.value,
            kind: "actual",
            evidence_ref: "",
            evidence_note: "",
            explanation: "",
            submitted_at: 0,
        }
    }
}

/// One term's rows, as the client sends them.
pub struct TermRows {
    /// The cluster.
    pub cluster_id: String,
    /// The rows.
    pub rows: Vec<pb::ResultRow>,
}

/// The round: every member's actual for every criterion.
pub fn round(terms: &[RoundTerm]) -> Vec<TermRows> {
    let codes: Vec<String> = crate::nationwide::table()
        .iter()
        .flat_map(|g| g.children.iter().map(|c| c.code.clone()))
        .collect();
    let mut u = 0;
    terms
        .iter()
        .map(|t| TermRows {
            cluster_id: t.term.cluster_id.clone(),
            rows: t
                .members
                .iter()
                .flat_map(|m| {
                    u += 1;
                    let unit = u;
                    codes
                        .iter()
                        .enumerate()
                        .map(move |(c, code)| pb::ResultRow {
                            unit: format!("units/{}", m.key()),
                            criterion_code: code.clone(),
                            value: crate::nationwide::actual(unit, c).to_string(),
                            evidence_reference: String::new(),
                            evidence_description: String::new(),
                            explanation: String::new(),
                            line: 0,
                        })
                })
                .collect(),
        })
        .collect()
}

/// Rows in the round.
pub fn count(round: &[TermRows]) -> usize {
    round.iter().map(|t| t.rows.len()).sum()
}

/// Imports the round through the server, one streamed call per term, in order.
pub async fn through_server(
    server: Arc<Server>,
    round: Arc<Vec<TermRows>>,
) -> anyhow::Result<Duration> {
    let mut client = pb::scoring_service_client::ScoringServiceClient::new(server.authed().await?)
        .max_decoding_message_size(64 * 1024 * 1024);
    let started = Instant::now();
    for term in round.iter() {
        let mut messages = Vec::with_capacity(term.rows.len() / BATCH + 1);
        for (i, chunk) in term.rows.chunks(BATCH).enumerate() {
            messages.push(pb::ImportResultsRequest {
                term: if i == 0 {
                    format!("clusters/{}/terms/{}", term.cluster_id, crate::world::YEAR)
                } else {
                    String::new()
                },
                request_id: String::new(),
                rows: chunk.to_vec(),
            });
        }
        let outcome = client
            .import_results(tokio_stream::iter(messages))
            .await?
            .into_inner();
        ensure!(
            usize::try_from(outcome.results_stored)? == term.rows.len(),
            "{}: stored {} of {}",
            term.cluster_id,
            outcome.results_stored,
            term.rows.len()
        );
    }
    Ok(started.elapsed())
}

/// The same rows straight into SQLite: one transaction, one prepared statement.
pub fn sqlite_ceiling(path: &str, round: &[TermRows]) -> anyhow::Result<Duration> {
    let mut conn = diesel::SqliteConnection::establish(path)?;
    diesel::sql_query("PRAGMA journal_mode = WAL").execute(&mut conn)?;
    let started = Instant::now();
    conn.transaction::<_, diesel::result::Error, _>(|c| {
        for term in round {
            for r in &term.rows {
                diesel::insert_into(results::table)
                    .values(&Row::of(term, r))
                    .execute(c)?;
            }
        }
        Ok(())
    })?;
    Ok(started.elapsed())
}

/// The same rows into PostgreSQL with `COPY … FROM STDIN`.
pub fn postgres_ceiling(url: &str, round: &[TermRows]) -> anyhow::Result<Duration> {
    use diesel::prelude::ExecuteCopyFromDsl;
    let mut conn = diesel::PgConnection::establish(url)?;
    let started = Instant::now();
    let rows: Vec<Row<'_>> = round
        .iter()
        .flat_map(|term| term.rows.iter().map(|r| Row::of(term, r)))
        .collect();
    let expected = rows.len();
    let copied = diesel::copy_from(results::table)
        .from_insertable(rows)
        .execute(&mut conn)?;
    ensure!(copied == expected, "copied {copied} of {expected}");
    Ok(started.elapsed())
}

/// The health prober's pace: a thousand checks a second, far more often than a load
/// balancer's, so a 99th percentile is well sampled within one import.
const PROBE_EVERY: Duration = Duration::from_millis(1);

/// How long a prober runs.
pub enum Probes {
    /// This many health checks.
    Count(usize),
    /// Until the flag is set.
    Until(Arc<AtomicBool>),
}

/// Health checks one every [`PROBE_EVERY`], on a connection, runtime and thread of their own:
/// a probe sharing the load generator's runtime would wait behind its encoding, and measure the
/// generator instead of the server; probes back to back would take a core of their own from
/// the two the import shares. Returns the latencies.
pub fn probe_health(
    server: &Server,
    probes: Probes,
) -> std::thread::JoinHandle<anyhow::Result<Vec<Duration>>> {
    let url = server.url.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let channel = tonic::transport::Endpoint::from_shared(url)?
                .tcp_nodelay(true)
                .connect()
                .await?;
            let mut health = HealthClient::new(channel);
            let mut latencies = Vec::new();
            let mut every = tokio::time::interval(PROBE_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let more = |done: usize| match &probes {
                Probes::Count(n) => done < *n,
                Probes::Until(stop) => !stop.load(Ordering::Relaxed),
            };
            while more(latencies.len()) {
                every.tick().await;
                let started = Instant::now();
                health
                    .check(HealthCheckRequest {
                        service: String::new(),
                    })
                    .await?;
                latencies.push(started.elapsed());
            }
            Ok(latencies)
        })
    })
}

/// The 99th percentile of `samples`.
pub fn p99(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    let i = (samples.len() * 99 / 100).min(samples.len().saturating_sub(1));
    samples.get(i).copied().unwrap_or_default()
}
