//! `thidua decision …`: decisions (quyết định khen thưởng) and the award register.

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, refs, render};

#[derive(Debug, Subcommand)]
pub enum DecisionCommand {
    /// Record a decision: approve or reject submitted proposals, award units directly, or (with
    /// --revoke) take back an award on a legal ground.
    Record(RecordArgs),
    /// The award register: who holds which title or form, for which year, by which decision.
    List {
        /// Only this year.
        #[arg(long)]
        year: Option<i32>,
        /// Only this unit.
        #[arg(long)]
        unit: Option<String>,
        /// Only this entry's code.
        #[arg(long)]
        entry: Option<String>,
    },
    /// Write the standing awards for the national records (CSV or XLSX, by the extension).
    Export {
        /// The file to write, e.g. so-khen-thuong-2022.xlsx.
        file: std::path::PathBuf,
        /// Only this year.
        #[arg(long)]
        year: Option<i32>,
        /// The yearly statistical summary by title and form (Tổng hợp khen thưởng) instead of
        /// the list.
        #[arg(long)]
        summary: bool,
    },
    /// Load past decisions from CSV or XLSX: `unit_code,entry_code,number,date,authority,year`
    /// (and `signer`), one row per awarded unit; all rows or none.
    Import {
        /// The file.
        file: std::path::PathBuf,
        /// csv or xlsx (default: from the extension).
        #[arg(long)]
        format: Option<String>,
        /// Idempotency key.
        #[arg(long)]
        request_id: Option<String>,
    },
}

/// The flags of `Record`.
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// Number and symbol, e.g. "123/QĐ-UBND".
    #[arg(long)]
    number: String,
    /// The day it was signed (YYYY-MM-DD).
    #[arg(long)]
    date: String,
    /// The issuing authority, e.g. 06 (Bắc Kạn province).
    #[arg(long)]
    authority: String,
    /// Who signed, e.g. "Chủ tịch UBND tỉnh".
    #[arg(long)]
    signer: String,
    /// The catalogue entry's code, e.g. CTD_TINH (`thidua catalogue show`).
    #[arg(long)]
    entry: String,
    /// A submitted proposal approved (awards/ID or ID); repeat.
    #[arg(long)]
    approve: Vec<String>,
    /// A submitted proposal rejected; repeat.
    #[arg(long)]
    reject: Vec<String>,
    /// A unit awarded without a proposal (with --revoke: whose award is revoked); repeat.
    #[arg(long)]
    unit: Vec<String>,
    /// The year it concerns, when no proposal gives it.
    #[arg(long)]
    year: Option<i32>,
    /// The reason; with --revoke, the legal ground.
    #[arg(long, default_value = "")]
    reason: String,
    /// A revocation (thu hồi) of what an earlier decision conferred.
    #[arg(long)]
    revoke: bool,
    /// Idempotency key.
    #[arg(long)]
    request_id: Option<String>,
}

fn register(lines: &[pb::RegisterEntry]) -> Section {
    let mut s = Section::new(
        "register",
        vec![
            "year",
            "entry",
            "entry_name",
            "unit",
            "display_name",
            "decision",
            "date",
            "authority",
            "award",
            "revoked_by",
        ],
    );
    for l in lines {
        let d = l.decision.clone().unwrap_or_default();
        s.row(vec![
            d.year.to_string(),
            d.entry.clone(),
            l.entry_name.clone(),
            render::short_unit(&l.unit),
            l.unit_display_name.clone(),
            d.number.clone(),
            render::date(d.decision_date.as_ref()),
            render::short_unit(&d.authority),
            l.award.clone(),
            l.revoked_by.clone(),
        ]);
    }
    s
}

pub async fn run(ctx: &mut Context, command: DecisionCommand) -> Result<(), Failure> {
    match command {
        DecisionCommand::Record(a) => {
            let scheme = ctx.scheme.clone();
            let request = pb::RecordDecisionRequest {
                decision: Some(pb::Decision {
                    number: a.number,
                    decision_date: Some(refs::date("--date", &a.date)?),
                    authority: refs::unit(&a.authority, &scheme),
                    signer: a.signer,
                    entry: a.entry,
                    year: a.year.unwrap_or(0),
                    kind: if a.revoke {
                        pb::DecisionKind::Revocation
                    } else {
                        pb::DecisionKind::Award
                    }
                    .into(),
                    reason: a.reason,
                    ..Default::default()
                }),
                approve: a.approve.iter().map(|x| refs::award(x)).collect(),
                reject: a.reject.iter().map(|x| refs::award(x)).collect(),
                units: a.unit.iter().map(|u| refs::unit(u, &scheme)).collect(),
                request_id: refs::request_id(a.request_id),
            };
            let response = ctx.scoring.record_decision(request).await?.into_inner();
            ctx.print(&[register(&response.entries)])
        }
        DecisionCommand::List { year, unit, entry } => {
            let request = pb::ListRegisterRequest {
                year: year.unwrap_or(0),
                unit: unit
                    .map(|u| refs::unit(&u, &ctx.scheme))
                    .unwrap_or_default(),
                entry: entry.unwrap_or_default(),
            };
            let lines = ctx
                .scoring
                .list_register(request)
                .await?
                .into_inner()
                .entries;
            ctx.print(&[register(&lines)])
        }
        DecisionCommand::Import {
            file,
            format,
            request_id,
        } => {
            let request = pb::ImportDecisionsRequest {
                format: crate::sheets::format(&file, format.as_deref())?.into(),
                content: crate::sheets::read(&file)?,
                scheme: ctx.scheme.clone(),
                request_id: refs::request_id(request_id),
            };
            let r = ctx.scoring.import_decisions(request).await?.into_inner();
            ctx.print(&[Section::fields(
                "import",
                vec![
                    ("rows", r.rows.to_string()),
                    ("decisions_created", r.decisions_created.to_string()),
                    ("decisions_unchanged", r.decisions_unchanged.to_string()),
                    ("registered", r.registered.to_string()),
                ],
            )])
        }
        DecisionCommand::Export {
            file,
            year,
            summary,
        } => {
            let request = pb::ExportRegisterRequest {
                year: year.unwrap_or(0),
                format: crate::sheets::format(&file, None)?.into(),
                summary,
            };
            let out = ctx.scoring.export_register(request).await?.into_inner();
            crate::sheets::save(&file, &out.content, "doc-register")?;
            Ok(())
        }
    }
}
