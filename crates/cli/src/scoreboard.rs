//! `thidua scoreboard …`: the scoreboard (bảng tổng hợp) shown, watched, exported and
//! explained, and tie decisions.

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
    /// Make a read-only link to the live scoreboard page, to project at the cluster meeting.
    Share {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// How long the link opens the page: minutes, hours or days (`90m`, `12h`, `1d`); at
        /// most 31 days.
        #[arg(long, default_value = "1d")]
        valid: String,
        /// What the link is for (default: the meeting of the year).
        #[arg(long)]
        label: Option<String>,
    },
    /// List the term's share links, revoked and expired ones included.
    Shares {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
    },
    /// Revoke a share link: the page stops showing the scoreboard at once.
    Unshare {
        /// The link's name, as `thidua scoreboard shares` lists it.
        name: String,
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

pub fn explanation(e: &pb::ExplainScoreResponse) -> Vec<Section> {
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

pub async fn run_scoreboard(ctx: &mut Context, command: ScoreboardCommand) -> Result<(), Failure> {
    match command {
        ScoreboardCommand::Watch {
            cluster,
            year,
            layer,
        } => watch(ctx, cluster, year, layer).await,
        ScoreboardCommand::Show {
            cluster,
            year,
            layer,
        } => show(ctx, cluster, year, layer).await,
        ScoreboardCommand::Decide {
            cluster,
            year,
            units,
            by,
            reason,
        } => decide(ctx, cluster, year, units, by, reason).await,
        ScoreboardCommand::Export {
            cluster,
            year,
            file,
            layer,
        } => export(ctx, cluster, year, file, layer).await,
        ScoreboardCommand::Explain {
            cluster,
            year,
            unit,
            layer,
        } => explain(ctx, cluster, year, unit, layer).await,
        ScoreboardCommand::Share {
            cluster,
            year,
            valid,
            label,
        } => share(ctx, cluster, year, &valid, label).await,
        ScoreboardCommand::Shares { cluster, year } => shares(ctx, cluster, year).await,
        ScoreboardCommand::Unshare { name } => unshare(ctx, name).await,
    }
}

async fn watch(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    layer: LayerArg,
) -> Result<(), Failure> {
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

async fn show(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    layer: LayerArg,
) -> Result<(), Failure> {
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

async fn decide(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    units: Vec<String>,
    by: String,
    reason: String,
) -> Result<(), Failure> {
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

async fn export(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    file: std::path::PathBuf,
    layer: LayerArg,
) -> Result<(), Failure> {
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
    crate::sheets::save(&file, &out.content, "doc-scoreboard")?;
    Ok(())
}

async fn explain(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    unit: String,
    layer: LayerArg,
) -> Result<(), Failure> {
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

/// Seconds in `90m`, `12h` or `1d`.
fn seconds(valid: &str) -> Result<i64, Failure> {
    let valid = valid.trim();
    let unit = match valid.chars().last() {
        Some('m') => 60,
        Some('h') => 3600,
        Some('d') => 86_400,
        _ => 0,
    };
    valid[..valid.len().saturating_sub(1)]
        .parse::<i64>()
        .ok()
        .filter(|n| unit > 0 && *n > 0)
        .map(|n| n.saturating_mul(unit))
        .ok_or_else(|| {
            Failure::input(crate::i18n::text_with(
                "share-valid",
                &[("given", valid.to_owned())],
            ))
        })
}

async fn share(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    valid: &str,
    label: Option<String>,
) -> Result<(), Failure> {
    let valid_seconds = seconds(valid)?;
    let made = ctx
        .scoring
        .create_scoreboard_share(pb::CreateScoreboardShareRequest {
            term: refs::term(&cluster, year),
            display_name: label.unwrap_or_default(),
            valid_seconds,
        })
        .await?
        .into_inner();
    eprintln!("{}", crate::i18n::text("share-once"));
    let mut s = shares_section(&made.share.into_iter().collect::<Vec<_>>());
    s.title = "share link".into();
    // On its own line, so it is copied whole.
    let url = Section::fields(
        "page",
        vec![("url", format!("{}{}", ctx.server, made.path))],
    );
    ctx.print(&[s, url])
}

async fn shares(ctx: &mut Context, cluster: String, year: i32) -> Result<(), Failure> {
    let listed = ctx
        .scoring
        .list_scoreboard_shares(pb::ListScoreboardSharesRequest {
            term: refs::term(&cluster, year),
        })
        .await?
        .into_inner();
    ctx.print(&[shares_section(&listed.shares)])
}

async fn unshare(ctx: &mut Context, name: String) -> Result<(), Failure> {
    let revoked = ctx
        .scoring
        .revoke_scoreboard_share(pb::RevokeScoreboardShareRequest { name })
        .await?
        .into_inner();
    ctx.print(&[shares_section(
        &revoked.share.into_iter().collect::<Vec<_>>(),
    )])
}

fn shares_section(shares: &[pb::ScoreboardShare]) -> Section {
    let mut s = Section::new(
        "share links",
        vec!["name", "label", "created", "creator", "expires", "revoked"],
    );
    for l in shares {
        s.row(vec![
            l.name.clone(),
            l.display_name.clone(),
            render::time(l.create_time.as_ref()),
            l.creator.clone(),
            render::time(l.expire_time.as_ref()),
            render::time(l.revoke_time.as_ref()),
        ]);
    }
    s
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
            thidua_domain::scoring::NOT_COMPLETED.into()
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
