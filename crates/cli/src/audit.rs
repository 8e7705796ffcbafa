//! `thidua audit`: the audit log's events, its hash chain, and checkpoints of its head.

use std::path::PathBuf;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, render};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List audit events, newest first.
    List {
        /// Only this principal (keys/{id}).
        #[arg(long)]
        principal: Option<String>,
        /// Only this method, e.g. ScoringService/RecordScore.
        #[arg(long)]
        method: Option<String>,
        /// Only this resource; ending with /, everything under it.
        #[arg(long)]
        resource: Option<String>,
        /// Only refusals.
        #[arg(long)]
        refusals: bool,
        /// Only events with this outcome: ok, permission-denied, failed-precondition, …
        #[arg(long, value_parser = outcome)]
        outcome: Option<pb::AuditOutcome>,
        /// At most this many events.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Recompute the hash chain and report the first broken link (exit 6 when broken).
    Verify {
        /// Also hold the chain to this checkpoint (from `thidua audit checkpoint`): a history
        /// rewritten up to it, or events cut from the end, are found too.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Sign the chain's present head with the server's audit key and write it as JSON, to
    /// keep apart from the server and its database.
    Checkpoint {
        /// Write it to this file instead of standard output (never overwrites a file).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// What a checkpoint file says it is.
const CHECKPOINT_KIND: &str = "thidua audit checkpoint";

/// The JSON of a checkpoint file.
fn checkpoint_json(c: &pb::AuditCheckpoint) -> serde_json::Value {
    let time = c.create_time.unwrap_or_default();
    serde_json::json!({
        "kind": CHECKPOINT_KIND,
        "sequence": c.sequence,
        "hash": c.hash,
        "create_time": render::time(c.create_time.as_ref()),
        "create_time_seconds": time.seconds,
        "create_time_nanos": time.nanos,
        "key_id": c.key_id,
        "signature": c.signature,
    })
}

/// Reads a checkpoint file written by [`checkpoint_json`].
fn read_checkpoint(path: &std::path::Path) -> Result<pb::AuditCheckpoint, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::input(crate::i18n::text_with(
            "err-reading",
            &[
                ("path", path.display().to_string()),
                ("cause", e.to_string()),
            ],
        ))
    })?;
    let bad = |why: &str| {
        Failure::input(crate::i18n::text_with(
            "err-not-a-checkpoint",
            &[
                ("path", path.display().to_string()),
                ("why", why.to_owned()),
            ],
        ))
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
    if v["kind"] != CHECKPOINT_KIND {
        return Err(bad("its \"kind\" is not \"thidua audit checkpoint\""));
    }
    let int = |k: &str| {
        v[k].as_i64()
            .ok_or_else(|| bad(&format!("no whole number \"{k}\"")))
    };
    let text = |k: &str| {
        v[k].as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad(&format!("no text \"{k}\"")))
    };
    Ok(pb::AuditCheckpoint {
        sequence: int("sequence")?,
        hash: text("hash")?,
        create_time: Some(prost_types::Timestamp {
            seconds: int("create_time_seconds")?,
            nanos: i32::try_from(int("create_time_nanos")?).map_err(|_| bad("nanos"))?,
        }),
        key_id: text("key_id")?,
        signature: text("signature")?,
    })
}

async fn checkpoint(ctx: &mut Context, out: Option<PathBuf>) -> Result<(), Failure> {
    let created = ctx
        .audit
        .create_audit_checkpoint(pb::CreateAuditCheckpointRequest {})
        .await?
        .into_inner()
        .checkpoint
        .ok_or_else(|| Failure::other("the server sent no checkpoint"))?;
    let json = serde_json::to_string_pretty(&checkpoint_json(&created)).map_err(Failure::other)?;
    match out {
        Some(path) => {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| {
                    Failure::input(crate::i18n::text_with(
                        "err-writing",
                        &[
                            ("path", path.display().to_string()),
                            ("cause", e.to_string()),
                        ],
                    ))
                })?;
            writeln!(file, "{json}").map_err(Failure::other)?;
            eprintln!(
                "{}",
                crate::i18n::text_with(
                    "checkpoint-written",
                    &[
                        ("seq", created.sequence.to_string()),
                        ("path", path.display().to_string()),
                    ],
                )
            );
        }
        None => println!("{json}"),
    }
    Ok(())
}

fn outcome(s: &str) -> Result<pb::AuditOutcome, String> {
    let name = format!("AUDIT_OUTCOME_{}", s.to_uppercase().replace('-', "_"));
    pb::AuditOutcome::from_str_name(&name)
        .filter(|o| *o != pb::AuditOutcome::Unspecified)
        .ok_or_else(|| format!("{s} is not an outcome (ok, permission-denied, not-found, …)"))
}

/// An outcome as the audit log shows it: the gRPC code's name (`OK`, `PERMISSION_DENIED`).
fn outcome_name(value: i32) -> String {
    pb::AuditOutcome::try_from(value)
        .map(|o| {
            o.as_str_name()
                .strip_prefix("AUDIT_OUTCOME_")
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_else(|_| value.to_string())
}

/// Runs an audit command.
pub async fn run_audit(ctx: &mut Context, command: AuditCommand) -> Result<(), Failure> {
    match command {
        AuditCommand::List {
            principal,
            method,
            resource,
            refusals,
            outcome,
            limit,
        } => list_command(ctx, principal, method, resource, refusals, outcome, limit).await,
        AuditCommand::Verify { checkpoint } => verify(ctx, checkpoint).await,
        AuditCommand::Checkpoint { out } => checkpoint(ctx, out).await,
    }
}

async fn list_command(
    ctx: &mut Context,
    principal: Option<String>,
    method: Option<String>,
    resource: Option<String>,
    refusals: bool,
    outcome: Option<pb::AuditOutcome>,
    limit: usize,
) -> Result<(), Failure> {
    let mut s = Section::new(
        "Audit events",
        vec![
            "seq",
            "time",
            "principal",
            "method",
            "resource",
            "outcome",
            "request_id",
            "digest",
        ],
    );
    let mut token = String::new();
    while s.rows.len() < limit {
        let page = ctx
            .audit
            .list_audit_events(pb::ListAuditEventsRequest {
                page_size: i32::try_from(limit - s.rows.len())
                    .unwrap_or(1000)
                    .min(1000),
                page_token: token,
                principal: principal.clone().unwrap_or_default(),
                method: method.clone().unwrap_or_default(),
                resource: resource.clone().unwrap_or_default(),
                since: None,
                refusals_only: refusals,
                outcome: outcome.unwrap_or_default().into(),
            })
            .await?
            .into_inner();
        for e in page.audit_events {
            s.row(vec![
                e.sequence.to_string(),
                render::time(e.time.as_ref()),
                e.principal,
                e.method,
                e.resource,
                outcome_name(e.outcome),
                e.request_id,
                e.digest.chars().take(16).collect(),
            ]);
        }
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    ctx.print(&[s])
}

async fn verify(ctx: &mut Context, checkpoint: Option<PathBuf>) -> Result<(), Failure> {
    let checkpoint = checkpoint.as_deref().map(read_checkpoint).transpose()?;
    let v = ctx
        .audit
        .verify_audit_chain(pb::VerifyAuditChainRequest { checkpoint })
        .await?
        .into_inner();
    let mut s = Section::new(
        "Audit chain",
        vec!["intact", "events_checked", "broken_sequence", "description"],
    );
    s.row(vec![
        v.intact.to_string(),
        v.events_checked.to_string(),
        if v.intact {
            String::new()
        } else {
            v.broken_sequence.to_string()
        },
        v.description.clone(),
    ]);
    ctx.print(&[s])?;
    if v.intact {
        Ok(())
    } else {
        Err(Failure {
            code: 6,
            message: crate::i18n::text_with(
                "err-audit-broken",
                &[
                    ("seq", v.broken_sequence.to_string()),
                    ("description", v.description.clone()),
                ],
            ),
            denied: None,
        })
    }
}
