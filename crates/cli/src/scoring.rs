//! `thidua result …`, `thidua score …`, `thidua scoreboard …`

use std::collections::HashMap;

use clap::{Subcommand, ValueEnum};
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, refs, render};

/// Which scores a scoreboard uses.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LayerArg {
    /// Computed from reported results only.
    Results,
    /// With self-scores.
    #[value(name = "self")]
    SelfScore,
    /// With review scores.
    Review,
    /// With adjustments: the final scores.
    Final,
}

impl LayerArg {
    fn proto(self) -> pb::ScoreLayer {
        match self {
            LayerArg::Results => pb::ScoreLayer::Results,
            LayerArg::SelfScore => pb::ScoreLayer::Self_,
            LayerArg::Review => pb::ScoreLayer::Review,
            LayerArg::Final => pb::ScoreLayer::Adjustment,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ResultCommand {
    /// Report one result with its evidence; a correction is a new revision.
    Submit {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The member.
        #[arg(long)]
        unit: String,
        /// The criterion code.
        #[arg(long)]
        criterion: String,
        /// The value: a measurement, proposed points (judged) or 1/0 (event).
        #[arg(long)]
        value: String,
        /// The evidence's document reference.
        #[arg(long, default_value = "")]
        evidence: String,
        /// The evidence's description.
        #[arg(long, default_value = "")]
        evidence_note: String,
        /// Why there is no evidence, where it is required.
        #[arg(long, default_value = "")]
        explanation: String,
    },
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

#[derive(Debug, Subcommand)]
pub enum ScoreCommand {
    /// A member's self-score (tự chấm) for one criterion.
    #[command(name = "self")]
    SelfScore(ScoreArgs),
    /// The review score (chấm chéo) for one criterion.
    Review(ScoreArgs),
    /// The organiser's adjustment, with a reason.
    Adjust(ScoreArgs),
    /// Every score of every layer, kept as recorded.
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

/// The arguments of a score.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Cluster id.
    cluster: String,
    /// Year.
    year: i32,
    /// The member.
    #[arg(long)]
    unit: String,
    /// The criterion code.
    #[arg(long)]
    criterion: String,
    /// The points.
    #[arg(long)]
    points: String,
    /// Why (required for an adjustment).
    #[arg(long, default_value = "")]
    reason: String,
}

#[derive(Debug, Subcommand)]
pub enum ScoreboardCommand {
    /// Rank and classify the members.
    Show {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// Which scores to use.
        #[arg(long, value_enum, default_value = "final")]
        layer: LayerArg,
    },
    /// Write the summary table to sign (Bảng tổng hợp kết quả chấm điểm) as CSV or XLSX.
    Export {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The file to write (.csv or .xlsx).
        #[arg(short, long)]
        file: std::path::PathBuf,
        /// Which scores to use.
        #[arg(long, value_enum, default_value = "final")]
        layer: LayerArg,
    },
    /// Print the scoreboard now and again at every change, until interrupted.
    Watch {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// Which scores to use.
        #[arg(long, value_enum, default_value = "final")]
        layer: LayerArg,
    },
    /// Record the decision ordering members tied under every rule (during review).
    Decide {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// A tied member; repeat, best first.
        #[arg(long = "unit", required = true)]
        units: Vec<String>,
        /// Who decided.
        #[arg(long)]
        by: String,
        /// Why (e.g. the minutes' reference).
        #[arg(long)]
        reason: String,
    },
    /// Explain one member's points, criterion by criterion.
    Explain {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The member.
        unit: String,
        /// Which scores to use.
        #[arg(long, value_enum, default_value = "final")]
        layer: LayerArg,
    },
}

fn explanation(e: &pb::ExplainScoreResponse) -> Vec<Section> {
    let info = Section::fields(
        "member",
        vec![
            ("unit", e.unit.clone()),
            ("total", render::decimal(e.total.as_ref())),
        ],
    );
    let mut s = Section::new(
        "criteria",
        vec![
            "code", "title", "rule", "max", "target", "input", "points", "why",
        ],
    );
    for c in &e.criteria {
        let depth = c.code.matches('.').count();
        s.row(vec![
            format!("{}{}", "  ".repeat(depth), c.code),
            c.title.clone(),
            c.rule.clone(),
            render::decimal(c.max_points.as_ref()),
            render::decimal(c.target.as_ref()),
            c.input.clone(),
            render::decimal(c.points.as_ref()),
            c.why.clone(),
        ]);
    }
    vec![info, s]
}

pub async fn run_result(ctx: &mut Context, command: ResultCommand) -> Result<(), Failure> {
    match command {
        ResultCommand::Submit {
            cluster,
            year,
            unit,
            criterion,
            value,
            evidence,
            evidence_note,
            explanation: why,
        } => {
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
                .ok_or_else(|| Failure::other("the server answered without a result"))?;
            ctx.print(&[results(&[r], &HashMap::new())])
        }
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
        } => {
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
    }
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

pub async fn run_score(ctx: &mut Context, command: ScoreCommand) -> Result<(), Failure> {
    let (layer, args) = match command {
        ScoreCommand::SelfScore(a) => (pb::ScoreLayer::Self_, a),
        ScoreCommand::Review(a) => (pb::ScoreLayer::Review, a),
        ScoreCommand::Adjust(a) => (pb::ScoreLayer::Adjustment, a),
        ScoreCommand::List {
            cluster,
            year,
            unit,
        } => {
            let scores = ctx
                .scoring
                .list_scores(pb::ListScoresRequest {
                    term: refs::term(&cluster, year),
                    unit: unit
                        .map(|u| refs::unit(&u, &ctx.scheme))
                        .unwrap_or_default(),
                })
                .await?
                .into_inner()
                .scores;
            let mut s = Section::new(
                "scores",
                vec![
                    "unit",
                    "criterion",
                    "layer",
                    "seq",
                    "points",
                    "reason",
                    "recorded",
                ],
            );
            for x in &scores {
                s.row(vec![
                    render::short_unit(&x.unit),
                    x.criterion_code.clone(),
                    match pb::ScoreLayer::try_from(x.layer).unwrap_or(pb::ScoreLayer::Unspecified) {
                        pb::ScoreLayer::Adjustment => "adjustment".to_owned(),
                        _ => render::layer(x.layer),
                    },
                    x.seq.to_string(),
                    render::decimal(x.points.as_ref()),
                    x.reason.clone(),
                    render::time(x.record_time.as_ref()),
                ]);
            }
            return ctx.print(&[s]);
        }
    };
    let e = ctx
        .scoring
        .record_score(pb::RecordScoreRequest {
            term: refs::term(&args.cluster, args.year),
            unit: refs::unit(&args.unit, &ctx.scheme),
            criterion_code: args.criterion,
            layer: layer.into(),
            points: Some(pb::Decimal { value: args.points }),
            reason: args.reason,
        })
        .await?
        .into_inner()
        .explanation
        .ok_or_else(|| Failure::other("the server answered without an explanation"))?;
    ctx.print(&explanation(&e))
}

pub async fn run_scoreboard(ctx: &mut Context, command: ScoreboardCommand) -> Result<(), Failure> {
    match command {
        ScoreboardCommand::Watch {
            cluster,
            year,
            layer,
        } => {
            let mut stream = ctx
                .scoring
                .watch_scoreboard(pb::WatchScoreboardRequest {
                    term: refs::term(&cluster, year),
                    layer: layer.proto().into(),
                })
                .await?
                .into_inner();
            while let Some(message) = stream.message().await? {
                if let Some(b) = message.scoreboard {
                    ctx.print(&board_sections(&b))?;
                }
            }
            Ok(())
        }
        ScoreboardCommand::Show {
            cluster,
            year,
            layer,
        } => {
            let b = ctx
                .scoring
                .get_scoreboard(pb::GetScoreboardRequest {
                    term: refs::term(&cluster, year),
                    layer: layer.proto().into(),
                })
                .await?
                .into_inner();
            ctx.print(&board_sections(&b))
        }
        ScoreboardCommand::Decide {
            cluster,
            year,
            units,
            by,
            reason,
        } => {
            ctx.scoring
                .record_tie_decision(pb::RecordTieDecisionRequest {
                    term: refs::term(&cluster, year),
                    units: units.iter().map(|u| refs::unit(u, &ctx.scheme)).collect(),
                    decided_by: by,
                    reason,
                })
                .await?;
            eprintln!("decision recorded; run `thidua scoreboard show {cluster} {year}`");
            Ok(())
        }
        ScoreboardCommand::Export {
            cluster,
            year,
            file,
            layer,
        } => {
            let format = crate::sheets::format(&file, None)?;
            let out = ctx
                .scoring
                .export_scoreboard(pb::ExportScoreboardRequest {
                    term: refs::term(&cluster, year),
                    layer: layer.proto().into(),
                    format: format.into(),
                })
                .await?
                .into_inner();
            crate::sheets::write(&file, &out.content)?;
            eprintln!("wrote the scoreboard to {}", file.display());
            Ok(())
        }
        ScoreboardCommand::Explain {
            cluster,
            year,
            unit,
            layer,
        } => {
            let e = ctx
                .scoring
                .explain_score(pb::ExplainScoreRequest {
                    term: refs::term(&cluster, year),
                    unit: refs::unit(&unit, &ctx.scheme),
                    layer: layer.proto().into(),
                })
                .await?
                .into_inner();
            ctx.print(&explanation(&e))
        }
    }
}

/// Reads the CSV or XLSX file (malformed lines reported before anything is sent) and streams it
/// in batches, with a progress bar on a terminal.
async fn import(
    ctx: &mut Context,
    term: &str,
    file: &std::path::Path,
    request_id: Option<String>,
) -> Result<(), Failure> {
    use std::io::IsTerminal;

    use tokio_stream::StreamExt as _;

    let (headers, records) = crate::sheets::read_rows(file)?;
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(unit), Some(criterion), Some(value)) =
        (column("unit"), column("criterion"), column("value"))
    else {
        return Err(Failure::input(format!(
            "{}: the header must name the columns unit,criterion,value (and optionally evidence,evidence_note,explanation)",
            file.display()
        )));
    };
    let (evidence, note, explanation) = (
        column("evidence"),
        column("evidence_note"),
        column("explanation"),
    );
    let rows: Vec<pb::ResultRow> = records
        .iter()
        .map(|(line, cells)| {
            let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).cloned().unwrap_or_default();
            pb::ResultRow {
                unit: cell(Some(unit)),
                criterion_code: cell(Some(criterion)),
                value: cell(Some(value)),
                evidence_reference: cell(evidence),
                evidence_description: cell(note),
                explanation: cell(explanation),
                line: *line,
            }
        })
        .collect();
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(u64::try_from(rows.len()).unwrap_or(u64::MAX));
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("sending");
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
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

/// A scoreboard as printable sections: the board's facts and the ranking.
fn board_sections(b: &pb::GetScoreboardResponse) -> Vec<Section> {
    let codes: Vec<String> = b
        .rows
        .first()
        .map(|r| r.subtotals.iter().map(|s| s.code.clone()).collect())
        .unwrap_or_default();
    let mut headers: Vec<&str> = vec!["rank", "unit", "display_name", "total"];
    headers.extend(codes.iter().map(String::as_str));
    headers.extend(["classification", "tie_note"]);
    let mut s = Section::new("scoreboard", headers);
    for r in &b.rows {
        let mut row = vec![
            if r.unresolved_tie {
                format!("{}=", r.rank)
            } else {
                r.rank.to_string()
            },
            render::short_unit(&r.unit),
            r.display_name.clone(),
            render::decimal(r.total.as_ref()),
        ];
        row.extend(
            r.subtotals
                .iter()
                .map(|s| render::decimal(s.points.as_ref())),
        );
        row.push(if r.classification.is_empty() {
            "không hoàn thành".into()
        } else {
            r.classification.clone()
        });
        row.push(r.tie_note.clone());
        s.row(row);
    }
    let info = Section::fields(
        "board",
        vec![
            ("term", b.term.clone()),
            ("table_version", b.table_version.clone()),
            ("layer", render::layer(b.layer)),
            ("leading_unit", render::short_unit(&b.leading_unit)),
        ],
    );
    vec![info, s]
}
