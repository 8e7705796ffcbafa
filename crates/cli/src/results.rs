//! `thidua result …`: reporting results (báo cáo kết quả) one by one or from a file, and
//! listing them.

use std::collections::HashMap;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render,
};

#[derive(Debug, Subcommand)]
pub enum ResultCommand {
    /// Report one result with its evidence; a correction is a new revision.
    Submit(SubmitArgs),
    /// Import results from a CSV or XLSX file: unit,criterion,value[,evidence,evidence_note,explanation].
    /// All rows or none; every bad row is reported.
    Import {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The CSV or XLSX file (first sheet).
        file: std::path::PathBuf,
        /// Idempotency key; a retry with the same key has one effect.
        #[arg(long)]
        request_id: Option<String>,
    },
    /// List a term's results, every revision.
    List {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// Only this member.
        #[arg(long)]
        unit: Option<String>,
    },
}

/// The flags of `Submit`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// Cluster id.
    pub cluster: String,
    /// Year.
    pub year: i32,
    /// The member.
    #[arg(long)]
    pub unit: String,
    /// The criterion code.
    #[arg(long)]
    pub criterion: String,
    /// The value: a measurement, proposed points (judged) or 1/0 (event).
    #[arg(long)]
    pub value: String,
    /// The evidence's document reference.
    #[arg(long, default_value = "")]
    pub evidence: String,
    /// The evidence's description.
    #[arg(long, default_value = "")]
    pub evidence_note: String,
    /// Why there is no evidence, where it is required.
    #[arg(long, default_value = "")]
    pub explanation: String,
}

pub async fn run_result(ctx: &mut Context, command: ResultCommand) -> Result<(), Failure> {
    match command {
        ResultCommand::Submit(args) => submit(ctx, args).await,
        ResultCommand::Import {
            cluster,
            year,
            file,
            request_id,
        } => import(ctx, &refs::term(&cluster, year), &file, request_id).await,
        ResultCommand::List {
            cluster,
            year,
            unit,
        } => list(ctx, cluster, year, unit).await,
    }
}

async fn submit(ctx: &mut Context, args: SubmitArgs) -> Result<(), Failure> {
    let SubmitArgs {
        cluster,
        year,
        unit,
        criterion,
        value,
        evidence,
        evidence_note,
        explanation: why,
    } = args;
    let r = ctx
        .scoring
        .submit_result(pb::SubmitResultRequest {
            term: refs::term(&cluster, year),
            result: Some(pb::ReportedResult {
                unit: refs::unit(&unit, &ctx.scheme),
                criterion_code: criterion,
                revision: 0,
                value: Some(pb::Decimal { value }),
                evidence_reference: evidence,
                evidence_description: evidence_note,
                explanation: why,
                submit_time: None,
                late: false,
            }),
        })
        .await?
        .into_inner()
        .result
        .answered("a result")?;
    ctx.print(&[results(&[r], &HashMap::new())])
}

async fn list(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    unit: Option<String>,
) -> Result<(), Failure> {
    let term = refs::term(&cluster, year);
    let list = ctx
        .scoring
        .list_results(pb::ListResultsRequest {
            term: term.clone(),
            unit: unit
                .map(|u| refs::unit(&u, &ctx.scheme))
                .unwrap_or_default(),
        })
        .await?
        .into_inner()
        .results;
    let names = crate::targets::member_names(ctx, &term).await?;
    ctx.print(&[results(&list, &names)])
}

fn results(list: &[pb::ReportedResult], names: &HashMap<String, String>) -> Section {
    let mut s = Section::new(
        "results",
        vec![
            "unit",
            "display_name",
            "criterion",
            "revision",
            "value",
            "evidence",
            "explanation",
            "submitted",
            "late",
        ],
    );
    for r in list {
        s.row(vec![
            render::short_unit(&r.unit),
            names.get(&r.unit).cloned().unwrap_or_default(),
            r.criterion_code.clone(),
            r.revision.to_string(),
            render::decimal(r.value.as_ref()),
            r.evidence_reference.clone(),
            r.explanation.clone(),
            render::time(r.submit_time.as_ref()),
            if r.late { "late".into() } else { String::new() },
        ]);
    }
    s
}

/// Reads the CSV or XLSX file (malformed lines reported before anything is sent) and streams it
/// in batches, with a progress bar on a terminal.
async fn import(
    ctx: &mut Context,
    term: &str,
    file: &std::path::Path,
    request_id: Option<String>,
) -> Result<(), Failure> {
    use tokio_stream::StreamExt as _;

    let (headers, records) = crate::sheets::read_rows(file)?;
    let rows: Vec<pb::ResultRow> = thidua_domain::reporting::result_rows(&headers, &records)
        .map_err(|e| Failure::local(file.display(), e))?
        .into_iter()
        .map(|r| pb::ResultRow {
            unit: r.unit,
            criterion_code: r.code,
            value: r.value,
            evidence_reference: r.evidence_ref,
            evidence_description: r.evidence_note,
            explanation: r.explanation,
            line: r.line,
        })
        .collect();
    let progress = crate::sheets::progress(rows.len());
    let mut messages = vec![pb::ImportResultsRequest {
        term: term.to_owned(),
        request_id: refs::request_id(request_id),
        rows: Vec::new(),
    }];
    messages.extend(rows.chunks(500).map(|c| pb::ImportResultsRequest {
        rows: c.to_vec(),
        ..Default::default()
    }));
    let bar = progress.clone();
    let stream = tokio_stream::iter(messages).map(move |m| {
        bar.inc(u64::try_from(m.rows.len()).unwrap_or(0));
        m
    });
    let result = ctx.scoring.import_results(stream).await;
    progress.finish_and_clear();
    let r = result?.into_inner();
    for w in &r.warnings {
        eprintln!("{}: {w}", crate::i18n::text("warning"));
    }
    ctx.print(&[Section::fields(
        "import",
        vec![
            ("file", file.display().to_string()),
            ("rows", r.rows_total.to_string()),
            ("stored", r.results_stored.to_string()),
            ("replayed", r.replayed.to_string()),
        ],
    )])
}
