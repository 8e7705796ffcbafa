//! `thidua term policy` and `thidua term set-policy`: a term's scoring policy (tie breaks,
//! classification levels, quotas, the ballot rule).

use clap::Args;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render,
};

/// The parts of a policy, as flags.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A tie-break step, in order: subtotal:CODE, full_points or fewer_penalties.
    #[arg(long = "tie-break")]
    pub tie_breaks: Vec<String>,
    /// A classification level, highest first: NAME:TOTAL_SHARE:CRITERION_SHARE.
    #[arg(long = "level")]
    pub levels: Vec<String>,
    /// Provincial flags per term.
    #[arg(long, default_value_t = 0)]
    pub flags: i32,
    /// Certificates of merit per term.
    #[arg(long, default_value_t = 0)]
    pub merits: i32,
    /// Government flags as a share of units meeting the provincial standard.
    #[arg(long)]
    pub government_share: Option<String>,
    /// The share of the ballot base the yes votes must exceed.
    #[arg(long)]
    pub ballot_threshold: Option<String>,
    /// present or all.
    #[arg(long, default_value = "present")]
    pub ballot_base: String,
}

/// Prints a term's policy.
pub async fn show(ctx: &mut Context, cluster: &str, year: i32) -> Result<(), Failure> {
    let p = ctx
        .scoring
        .get_scoring_policy(pb::GetScoringPolicyRequest {
            term: refs::term(cluster, year),
        })
        .await?
        .into_inner()
        .policy
        .answered("a policy")?;
    ctx.print(&sections(&p))
}

/// Sets a term's policy and prints it.
pub async fn set(
    ctx: &mut Context,
    cluster: &str,
    year: i32,
    args: PolicyArgs,
) -> Result<(), Failure> {
    let policy = policy_in(args)?;
    let p = ctx
        .scoring
        .set_scoring_policy(pb::SetScoringPolicyRequest {
            term: refs::term(cluster, year),
            policy: Some(policy),
        })
        .await?
        .into_inner()
        .policy
        .answered("a policy")?;
    ctx.print(&sections(&p))
}

/// The policy the flags describe.
fn policy_in(args: PolicyArgs) -> Result<pb::ScoringPolicy, Failure> {
    let tie_breaks = args
        .tie_breaks
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
            _ => Err(Failure::flag_value(
                "--tie-break",
                t,
                "subtotal:CODE, full_points, fewer_penalties",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let levels = args
        .levels
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
                _ => Err(Failure::flag_value(
                    "--level",
                    l,
                    "NAME:TOTAL_SHARE:CRITERION_SHARE",
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let base = match args.ballot_base.as_str() {
        "present" => pb::BallotBase::Present,
        "all" => pb::BallotBase::All,
        other => {
            return Err(Failure::flag_value("--ballot-base", other, "present, all"));
        }
    };
    Ok(pb::ScoringPolicy {
        tie_breaks,
        levels,
        provincial_flags: args.flags,
        certificates_of_merit: args.merits,
        government_flag_share: args.government_share.map(|value| pb::Decimal { value }),
        ballot_threshold: args.ballot_threshold.map(|value| pb::Decimal { value }),
        ballot_base: base.into(),
    })
}

fn sections(p: &pb::ScoringPolicy) -> Vec<Section> {
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
