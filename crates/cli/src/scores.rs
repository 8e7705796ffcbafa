//! `thidua score …`: self-scores (tự chấm), review scores (chấm chéo) and adjustments.

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render,
};

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

/// Runs a `thidua score` command.
pub async fn run_score(ctx: &mut Context, command: ScoreCommand) -> Result<(), Failure> {
    match command {
        ScoreCommand::SelfScore(a) => record(ctx, pb::ScoreLayer::Self_, a).await,
        ScoreCommand::Review(a) => record(ctx, pb::ScoreLayer::Review, a).await,
        ScoreCommand::Adjust(a) => record(ctx, pb::ScoreLayer::Adjustment, a).await,
        ScoreCommand::List {
            cluster,
            year,
            unit,
        } => list(ctx, &cluster, year, unit).await,
    }
}

async fn list(
    ctx: &mut Context,
    cluster: &str,
    year: i32,
    unit: Option<String>,
) -> Result<(), Failure> {
    let scores = ctx
        .scoring
        .list_scores(pb::ListScoresRequest {
            term: refs::term(cluster, year),
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
    ctx.print(&[s])
}

async fn record(ctx: &mut Context, layer: pb::ScoreLayer, args: ScoreArgs) -> Result<(), Failure> {
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
        .answered("an explanation")?;
    ctx.print(&crate::scoreboard::explanation(&e))
}
