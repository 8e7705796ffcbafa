//! `thidua term …`

use std::collections::HashMap;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, refs, render};

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
    SetLeader {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The leading member.
        #[arg(long)]
        leader: String,
        /// A deputy member; repeat for several.
        #[arg(long = "deputy")]
        deputies: Vec<String>,
        /// elected, rotated or appointed.
        #[arg(long)]
        method: String,
        /// The deciding act (minutes or decision number).
        #[arg(long)]
        act: String,
        /// Date of the act (YYYY-MM-DD).
        #[arg(long)]
        decided_on: Option<String>,
    },
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
        /// A tie-break step, in order: subtotal:CODE, full_points or fewer_penalties.
        #[arg(long = "tie-break")]
        tie_breaks: Vec<String>,
        /// A classification level, highest first: NAME:TOTAL_SHARE:CRITERION_SHARE.
        #[arg(long = "level")]
        levels: Vec<String>,
        /// Provincial flags per term.
        #[arg(long, default_value_t = 0)]
        flags: i32,
        /// Certificates of merit per term.
        #[arg(long, default_value_t = 0)]
        merits: i32,
        /// Government flags as a share of units meeting the provincial standard.
        #[arg(long)]
        government_share: Option<String>,
        /// The share of the ballot base the yes votes must exceed.
        #[arg(long)]
        ballot_threshold: Option<String>,
        /// present or all.
        #[arg(long, default_value = "present")]
        ballot_base: String,
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
    /// Start next year's term from this one, leader rotated.
    CarryForward {
        /// Cluster id.
        cluster: String,
        /// The year to carry forward from.
        year: i32,
        /// Idempotency key.
        #[arg(long)]
        request_id: Option<String>,
    },
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
        .ok_or_else(|| Failure::other("the server answered without a covenant"))?;
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
        } => {
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
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            ctx.print(&render::term(&t))
        }
        TermCommand::Show { cluster, year } => {
            let t = ctx
                .clusters
                .get_term(pb::GetTermRequest {
                    name: refs::term(&cluster, year),
                })
                .await?
                .into_inner()
                .term
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            show(ctx, t).await
        }
        TermCommand::List { cluster } => {
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
        TermCommand::AddMember {
            cluster,
            year,
            unit,
        } => {
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
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            ctx.print(&render::term(&t))
        }
        TermCommand::RemoveMember {
            cluster,
            year,
            unit,
        } => {
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
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            ctx.print(&render::term(&t))
        }
        TermCommand::SetLeader {
            cluster,
            year,
            leader,
            deputies,
            method,
            act,
            decided_on,
        } => {
            let method = match method.as_str() {
                "elected" => pb::LeadershipMethod::Elected,
                "rotated" => pb::LeadershipMethod::Rotated,
                "appointed" => pb::LeadershipMethod::Appointed,
                other => {
                    return Err(Failure::input(format!(
                        "--method: `{other}` is not elected, rotated or appointed"
                    )));
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
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            ctx.print(&render::term(&t))
        }
        TermCommand::ApplyTable {
            cluster,
            year,
            table,
            version,
        } => {
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
                .ok_or_else(|| Failure::other("the server answered without targets"))?;
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
        TermCommand::Advance {
            cluster,
            year,
            stage,
        } => {
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
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            ctx.print(&render::term(&t))
        }
        TermCommand::Deadline {
            cluster,
            year,
            stage,
            date,
        } => {
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
        TermCommand::Policy { cluster, year } => {
            let p = ctx
                .scoring
                .get_scoring_policy(pb::GetScoringPolicyRequest {
                    term: refs::term(&cluster, year),
                })
                .await?
                .into_inner()
                .policy
                .ok_or_else(|| Failure::other("the server answered without a policy"))?;
            ctx.print(&policy_sections(&p))
        }
        TermCommand::SetPolicy {
            cluster,
            year,
            tie_breaks,
            levels,
            flags,
            merits,
            government_share,
            ballot_threshold,
            ballot_base,
        } => {
            let tie_breaks = tie_breaks
                .iter()
                .map(|t| match t.split_once(':') {
                    Some(("subtotal", code)) => Ok(pb::TieBreakStep {
                        kind: pb::TieBreakKind::Subtotal.into(),
                        code: code.to_owned(),
                    }),
                    None if t == "full_points" => Ok(pb::TieBreakStep {
                        kind: pb::TieBreakKind::FullPoints.into(),
                        code: String::new(),
                    }),
                    None if t == "fewer_penalties" => Ok(pb::TieBreakStep {
                        kind: pb::TieBreakKind::FewerPenalties.into(),
                        code: String::new(),
                    }),
                    _ => Err(Failure::input(format!(
                        "--tie-break: `{t}` is not subtotal:CODE, full_points or fewer_penalties"
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let levels = levels
                .iter()
                .map(|l| {
                    let parts: Vec<&str> = l.rsplitn(3, ':').collect();
                    match parts.as_slice() {
                        [each, total, name] => Ok(pb::ClassificationLevel {
                            name: (*name).to_owned(),
                            min_total_share: Some(pb::Decimal {
                                value: (*total).to_owned(),
                            }),
                            min_criterion_share: Some(pb::Decimal {
                                value: (*each).to_owned(),
                            }),
                        }),
                        _ => Err(Failure::input(format!(
                            "--level: `{l}` is not NAME:TOTAL_SHARE:CRITERION_SHARE"
                        ))),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let base = match ballot_base.as_str() {
                "present" => pb::BallotBase::Present,
                "all" => pb::BallotBase::All,
                other => {
                    return Err(Failure::input(format!(
                        "--ballot-base: `{other}` is not present or all"
                    )));
                }
            };
            let policy = pb::ScoringPolicy {
                tie_breaks,
                levels,
                provincial_flags: flags,
                certificates_of_merit: merits,
                government_flag_share: government_share.map(|value| pb::Decimal { value }),
                ballot_threshold: ballot_threshold.map(|value| pb::Decimal { value }),
                ballot_base: base.into(),
            };
            let p = ctx
                .scoring
                .set_scoring_policy(pb::SetScoringPolicyRequest {
                    term: refs::term(&cluster, year),
                    policy: Some(policy),
                })
                .await?
                .into_inner()
                .policy
                .ok_or_else(|| Failure::other("the server answered without a policy"))?;
            ctx.print(&policy_sections(&p))
        }
        TermCommand::Reopen {
            cluster,
            year,
            reason,
        } => {
            let t = ctx
                .scoring
                .reopen_term(pb::ReopenTermRequest {
                    term: refs::term(&cluster, year),
                    reason,
                })
                .await?
                .into_inner()
                .term
                .ok_or_else(|| Failure::other("the server answered without a term"))?;
            ctx.print(&render::term(&t))
        }
        TermCommand::CarryForward {
            cluster,
            year,
            request_id,
        } => {
            let response = ctx
                .clusters
                .carry_forward_term(pb::CarryForwardTermRequest {
                    term: refs::term(&cluster, year),
                    request_id: refs::request_id(request_id),
                })
                .await?
                .into_inner();
            for d in &response.dropped_units {
                eprintln!("not carried forward (no longer exists): {d}");
            }
            ctx.print(&render::term(&response.term.unwrap_or_default()))
        }
    }
}

fn policy_sections(p: &pb::ScoringPolicy) -> Vec<Section> {
    let steps: Vec<String> = p
        .tie_breaks
        .iter()
        .map(|t| {
            match pb::TieBreakKind::try_from(t.kind).unwrap_or(pb::TieBreakKind::Unspecified) {
                pb::TieBreakKind::Subtotal => format!("subtotal:{}", t.code),
                pb::TieBreakKind::FullPoints => "full_points".into(),
                pb::TieBreakKind::FewerPenalties => "fewer_penalties".into(),
                pb::TieBreakKind::Unspecified => String::new(),
            }
        })
        .collect();
    let info = Section::fields(
        "policy",
        vec![
            (
                "tie_breaks",
                if steps.is_empty() {
                    "default: subtotal of the first group, full_points, fewer_penalties".into()
                } else {
                    steps.join(", ")
                },
            ),
            ("provincial_flags", p.provincial_flags.to_string()),
            ("certificates_of_merit", p.certificates_of_merit.to_string()),
            (
                "government_flag_share",
                render::decimal(p.government_flag_share.as_ref()),
            ),
            (
                "ballot_threshold",
                render::decimal(p.ballot_threshold.as_ref()),
            ),
            (
                "ballot_base",
                if p.ballot_base == i32::from(pb::BallotBase::All) {
                    "all".into()
                } else {
                    "present".into()
                },
            ),
        ],
    );
    let mut levels = Section::new(
        "levels",
        vec!["name", "min_total_share", "min_criterion_share"],
    );
    for l in &p.levels {
        levels.row(vec![
            l.name.clone(),
            render::decimal(l.min_total_share.as_ref()),
            render::decimal(l.min_criterion_share.as_ref()),
        ]);
    }
    vec![info, levels]
}

/// Reads a stage as typed: `reporting`, `self_scoring`, `self-scoring`, …
fn stage_arg(stage: &str) -> Result<pb::TermStage, Failure> {
    let full = format!("TERM_STAGE_{}", stage.to_uppercase().replace('-', "_"));
    pb::TermStage::from_str_name(&full)
        .filter(|s| *s != pb::TermStage::Unspecified)
        .ok_or_else(|| {
            Failure::input(format!(
                "`{stage}` is not a stage: reporting, self_scoring, review, adopted, ballot, proposed, closed"
            ))
        })
}
