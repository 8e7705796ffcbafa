//! `thidua term …`

use std::collections::HashMap;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    policy, refs, render,
};

#[derive(Debug, Subcommand)]
pub enum TermCommand {
    /// Create a term with its members (in rotation order) and a draft covenant.
    Create {
        /// Cluster id.
        cluster: String,
        /// Emulation year.
        year: i32,
        /// A member unit; repeat in rotation order.
        #[arg(long = "member", required = true)]
        members: Vec<String>,
        /// First day (default 1 January).
        #[arg(long)]
        start: Option<String>,
        /// Last day (default 31 December).
        #[arg(long)]
        end: Option<String>,
        /// Idempotency key.
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Show a term: members, leader, deputies, covenant status and signatories.
    Show {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
    },
    /// List a cluster's terms.
    List {
        /// Cluster id.
        cluster: String,
    },
    /// Add a member (before the covenant is signed).
    AddMember {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The unit.
        unit: String,
    },
    /// Remove a member (before the covenant is signed).
    RemoveMember {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The unit.
        unit: String,
    },
    /// Record the leader (trưởng cụm) and deputies (phó cụm).
    SetLeader(SetLeaderArgs),
    /// Bind a published criteria table version to the term (before the covenant is signed).
    ApplyTable {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// Table id.
        table: String,
        /// Version number (default: the latest).
        #[arg(long)]
        version: Option<i32>,
    },
    /// Move the term to its next stage: reporting, self_scoring, review, adopted, ballot,
    /// proposed, closed.
    Advance {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The stage to move to (it must be the next one).
        stage: String,
    },
    /// Set a stage's deadline (its last day); later work is accepted but flagged late.
    Deadline {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The stage, e.g. reporting.
        stage: String,
        /// The last day (YYYY-MM-DD).
        date: String,
    },
    /// Show the term's scoring policy (tie breaks, classification levels, quotas, ballot rule).
    Policy {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
    },
    /// Set the term's scoring policy (until adoption); unset parts take the defaults.
    SetPolicy {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        #[command(flatten)]
        policy: policy::PolicyArgs,
    },
    /// Reopen adopted scores for review, with a written reason.
    Reopen {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Start a later year's term from this one: members as they are in that year (a member that
    /// ceased is replaced by its successor from the lineage), leader rotated, deputies kept.
    CarryForward {
        /// Cluster id.
        cluster: String,
        /// The year to carry forward from.
        year: i32,
        /// The new term's year (default: the next year), e.g. 2026 from 2022.
        #[arg(long)]
        to_year: Option<i32>,
        /// Show the plan; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// The new leader (a member of the new term), when the leader ceased or by decision.
        #[arg(long, conflicts_with = "leader_from_lineage")]
        leader: Option<String>,
        /// When the leader ceased, its successor from the lineage leads.
        #[arg(long)]
        leader_from_lineage: bool,
        /// Idempotency key.
        #[arg(long)]
        request_id: Option<String>,
    },
}

/// The flags of `SetLeader`.
#[derive(Debug, clap::Args)]
pub struct SetLeaderArgs {
    /// Cluster id.
    pub cluster: String,
    /// Year.
    pub year: i32,
    /// The leading member.
    #[arg(long)]
    pub leader: String,
    /// A deputy member; repeat for several.
    #[arg(long = "deputy")]
    pub deputies: Vec<String>,
    /// elected, rotated or appointed.
    #[arg(long)]
    pub method: String,
    /// The deciding act (minutes or decision number).
    #[arg(long)]
    pub act: String,
    /// Date of the act (YYYY-MM-DD).
    #[arg(long)]
    pub decided_on: Option<String>,
}

async fn show(ctx: &mut Context, term: pb::Term) -> Result<(), Failure> {
    let covenant = ctx
        .clusters
        .get_covenant(pb::GetCovenantRequest {
            name: format!("{}/covenant", term.name),
        })
        .await?
        .into_inner()
        .covenant
        .answered("a covenant")?;
    let names: HashMap<String, String> = term
        .members
        .iter()
        .map(|m| (m.unit.clone(), m.display_name.clone()))
        .collect();
    let mut sections = render::term(&term);
    sections.push(render::signatories(&covenant, &names));
    sections.push(render::witnesses(&covenant));
    ctx.print(&sections)
}

pub async fn run(ctx: &mut Context, command: TermCommand) -> Result<(), Failure> {
    match command {
        TermCommand::Create {
            cluster,
            year,
            members,
            start,
            end,
            request_id,
        } => create(ctx, cluster, year, members, start, end, request_id).await,
        TermCommand::Show { cluster, year } => show_command(ctx, cluster, year).await,
        TermCommand::List { cluster } => list(ctx, cluster).await,
        TermCommand::AddMember {
            cluster,
            year,
            unit,
        } => add_member(ctx, cluster, year, unit).await,
        TermCommand::RemoveMember {
            cluster,
            year,
            unit,
        } => remove_member(ctx, cluster, year, unit).await,
        TermCommand::SetLeader(args) => set_leader(ctx, args).await,
        TermCommand::ApplyTable {
            cluster,
            year,
            table,
            version,
        } => apply_table(ctx, cluster, year, table, version).await,
        TermCommand::Advance {
            cluster,
            year,
            stage,
        } => advance(ctx, cluster, year, stage).await,
        TermCommand::Deadline {
            cluster,
            year,
            stage,
            date,
        } => deadline(ctx, cluster, year, stage, date).await,
        TermCommand::Policy { cluster, year } => policy::show(ctx, &cluster, year).await,
        TermCommand::SetPolicy {
            cluster,
            year,
            policy,
        } => policy::set(ctx, &cluster, year, policy).await,
        TermCommand::Reopen {
            cluster,
            year,
            reason,
        } => reopen(ctx, cluster, year, reason).await,
        TermCommand::CarryForward {
            cluster,
            year,
            to_year,
            dry_run,
            leader,
            leader_from_lineage,
            request_id,
        } => {
            let request = pb::CarryForwardTermRequest {
                term: refs::term(&cluster, year),
                request_id: refs::request_id(request_id),
                year: to_year.unwrap_or(0),
                validate_only: dry_run,
                leader: leader
                    .map(|l| refs::unit(&l, &ctx.scheme))
                    .unwrap_or_default(),
                leader_from_lineage,
            };
            carry_forward(ctx, request).await
        }
    }
}

async fn create(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    members: Vec<String>,
    start: Option<String>,
    end: Option<String>,
    request_id: Option<String>,
) -> Result<(), Failure> {
    let term = pb::Term {
        year,
        start_date: refs::opt_date("--start", start.as_deref())?,
        end_date: refs::opt_date("--end", end.as_deref())?,
        members: members
            .iter()
            .map(|m| pb::TermMember {
                unit: refs::unit(m, &ctx.scheme),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let t = ctx
        .clusters
        .create_term(pb::CreateTermRequest {
            parent: refs::cluster(&cluster),
            term: Some(term),
            request_id: refs::request_id(request_id),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    ctx.print(&render::term(&t))
}

async fn show_command(ctx: &mut Context, cluster: String, year: i32) -> Result<(), Failure> {
    let t = ctx
        .clusters
        .get_term(pb::GetTermRequest {
            name: refs::term(&cluster, year),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    show(ctx, t).await
}

async fn list(ctx: &mut Context, cluster: String) -> Result<(), Failure> {
    let response = ctx
        .clusters
        .list_terms(pb::ListTermsRequest {
            parent: refs::cluster(&cluster),
            page_size: 1000,
            page_token: String::new(),
        })
        .await?
        .into_inner();
    let mut s = Section::new(
        "terms",
        vec!["name", "year", "members", "leader", "covenant"],
    );
    for t in &response.terms {
        s.row(vec![
            t.name.clone(),
            t.year.to_string(),
            t.members.len().to_string(),
            render::short_unit(&t.leadership.clone().unwrap_or_default().leader),
            render::covenant_status(t.covenant_status),
        ]);
    }
    ctx.print(&[s])
}

async fn add_member(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    unit: String,
) -> Result<(), Failure> {
    let t = ctx
        .clusters
        .add_term_member(pb::AddTermMemberRequest {
            term: refs::term(&cluster, year),
            unit: refs::unit(&unit, &ctx.scheme),
            etag: String::new(),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    ctx.print(&render::term(&t))
}

async fn remove_member(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    unit: String,
) -> Result<(), Failure> {
    let t = ctx
        .clusters
        .remove_term_member(pb::RemoveTermMemberRequest {
            term: refs::term(&cluster, year),
            unit: refs::unit(&unit, &ctx.scheme),
            etag: String::new(),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    ctx.print(&render::term(&t))
}

async fn set_leader(ctx: &mut Context, args: SetLeaderArgs) -> Result<(), Failure> {
    let SetLeaderArgs {
        cluster,
        year,
        leader,
        deputies,
        method,
        act,
        decided_on,
    } = args;
    let method = match method.as_str() {
        "elected" => pb::LeadershipMethod::Elected,
        "rotated" => pb::LeadershipMethod::Rotated,
        "appointed" => pb::LeadershipMethod::Appointed,
        other => {
            return Err(Failure::flag_value(
                "--method",
                other,
                "elected, rotated, appointed",
            ));
        }
    };
    let leadership = pb::Leadership {
        leader: refs::unit(&leader, &ctx.scheme),
        deputies: deputies
            .iter()
            .map(|d| refs::unit(d, &ctx.scheme))
            .collect(),
        method: method.into(),
        deciding_act: act,
        decided_on: refs::opt_date("--decided-on", decided_on.as_deref())?,
        record_time: None,
    };
    let t = ctx
        .clusters
        .set_term_leadership(pb::SetTermLeadershipRequest {
            term: refs::term(&cluster, year),
            leadership: Some(leadership),
            etag: String::new(),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    ctx.print(&render::term(&t))
}

async fn apply_table(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    table: String,
    version: Option<i32>,
) -> Result<(), Failure> {
    let table_version = crate::tables::version_name(ctx, &table, version).await?;
    let term = refs::term(&cluster, year);
    let targets = ctx
        .targets
        .apply_criteria_table(pb::ApplyCriteriaTableRequest {
            term: term.clone(),
            table_version: table_version.clone(),
        })
        .await?
        .into_inner()
        .targets
        .answered("targets")?;
    let s = Section::fields(
        "applied",
        vec![
            ("term", term),
            ("table_version", table_version),
            ("targets_missing", targets.missing.len().to_string()),
        ],
    );
    ctx.print(&[s])
}

async fn advance(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    stage: String,
) -> Result<(), Failure> {
    let stage = stage_arg(&stage)?;
    let t = ctx
        .scoring
        .advance_term(pb::AdvanceTermRequest {
            term: refs::term(&cluster, year),
            stage: stage.into(),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    ctx.print(&render::term(&t))
}

async fn deadline(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    stage: String,
    date: String,
) -> Result<(), Failure> {
    let stage = stage_arg(&stage)?;
    let all = ctx
        .scoring
        .set_stage_deadlines(pb::SetStageDeadlinesRequest {
            term: refs::term(&cluster, year),
            deadlines: vec![pb::StageDeadline {
                stage: stage.into(),
                deadline: Some(refs::date("DATE", &date)?),
            }],
        })
        .await?
        .into_inner()
        .deadlines;
    let mut s = Section::new("deadlines", vec!["stage", "deadline"]);
    for d in &all {
        s.row(vec![
            render::stage(d.stage),
            render::date(d.deadline.as_ref()),
        ]);
    }
    ctx.print(&[s])
}

async fn reopen(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    reason: String,
) -> Result<(), Failure> {
    let t = ctx
        .scoring
        .reopen_term(pb::ReopenTermRequest {
            term: refs::term(&cluster, year),
            reason,
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    ctx.print(&render::term(&t))
}

async fn carry_forward(
    ctx: &mut Context,
    request: pb::CarryForwardTermRequest,
) -> Result<(), Failure> {
    let dry_run = request.validate_only;
    let response = ctx.clusters.carry_forward_term(request).await?.into_inner();
    let term = response.term.unwrap_or_default();
    let mut sections = render::term(&term);
    sections.push(render::successions(&response.successions, &term));
    for d in &response.dropped_units {
        eprintln!("not carried forward (ceased, no successor in the lineage): {d}");
    }
    if dry_run {
        eprintln!("{}", crate::i18n::text("dry-run"));
    }
    ctx.print(&sections)
}

/// Reads a stage as typed: `reporting`, `self_scoring`, `self-scoring`, …
fn stage_arg(stage: &str) -> Result<pb::TermStage, Failure> {
    let full = format!("TERM_STAGE_{}", stage.to_uppercase().replace('-', "_"));
    pb::TermStage::from_str_name(&full)
        .filter(|s| *s != pb::TermStage::Unspecified)
        .ok_or_else(|| {
            Failure::flag_value(
                "STAGE",
                stage,
                "reporting, self_scoring, review, adopted, ballot, proposed, closed",
            )
        })
}
