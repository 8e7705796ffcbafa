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
                    }),
                })
                .await?
                .into_inner()
                .result
                .ok_or_else(|| Failure::other("the server answered without a result"))?;
            ctx.print(&[results(&[r], &HashMap::new())])
        }
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
        ]);
    }
    s
}

pub async fn run_score(ctx: &mut Context, command: ScoreCommand) -> Result<(), Failure> {
    let (layer, args) = match command {
        ScoreCommand::SelfScore(a) => (pb::ScoreLayer::Self_, a),
        ScoreCommand::Review(a) => (pb::ScoreLayer::Review, a),
        ScoreCommand::Adjust(a) => (pb::ScoreLayer::Adjustment, a),
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
            ctx.print(&[info, s])
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
