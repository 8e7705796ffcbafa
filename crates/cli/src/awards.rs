//! `thidua award …` and `thidua ballot …`

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render,
};

#[derive(Debug, Subcommand)]
pub enum AwardCommand {
    /// Write the submission for awards (Tờ trình đề nghị khen thưởng) of the proposals that
    /// passed the ballot, as a DOCX document for the cluster's head to sign.
    ///
    /// Example: thidua award submission bac-kan-city 2022 to-trinh-2022.docx
    Submission {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The .docx file to write.
        file: std::path::PathBuf,
    },
    /// Propose an award after adoption.
    Propose {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The unit.
        #[arg(long)]
        unit: String,
        /// provincial-flag, government-flag, certificate-of-merit or certificate-of-commendation.
        #[arg(long)]
        kind: String,
        /// The submission letter (tờ trình).
        #[arg(long, default_value = "")]
        letter: String,
        /// The meeting minutes (biên bản).
        #[arg(long, default_value = "")]
        minutes: String,
        /// The achievement report (báo cáo thành tích).
        #[arg(long, default_value = "")]
        report: String,
        /// Why a provincial flag goes to a unit other than the top scorer, or why this unit
        /// takes a quota's last place it is tied for.
        #[arg(long, default_value = "")]
        override_reason: String,
    },
    /// List a term's proposals (CLUSTER YEAR), or with --organiser every proposal of a year
    /// across the clusters the unit organised, with each term's stage and the decision.
    List {
        /// Cluster id.
        #[arg(required_unless_present = "organiser")]
        cluster: Option<String>,
        /// Year.
        year: Option<i32>,
        /// The organiser whose clusters to list (with --year).
        #[arg(long, requires = "year_flag")]
        organiser: Option<String>,
        /// The year, with --organiser.
        #[arg(long = "year", id = "year_flag")]
        year_flag: Option<i32>,
    },
    /// Submit a passed proposal with its complete dossier.
    Submit {
        /// The award, awards/{id} or {id}.
        award: String,
        /// The submission letter (tờ trình).
        #[arg(long)]
        letter: Option<String>,
        /// The meeting minutes (biên bản).
        #[arg(long)]
        minutes: Option<String>,
        /// The achievement report (báo cáo thành tích).
        #[arg(long)]
        report: Option<String>,
    },
    /// Revoke a submitted award; it stays in history.
    Revoke {
        /// The award.
        award: String,
        /// The legal ground.
        #[arg(long)]
        ground: String,
        /// The revoking act.
        #[arg(long)]
        act: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BallotCommand {
    /// Write the minutes of the secret ballot (Biên bản kiểm phiếu) on the term's proposals
    /// as a DOCX document for the vote-counting board to sign.
    ///
    /// Example: thidua ballot minutes bac-kan-city 2022 bien-ban-kiem-phieu-2022.docx
    Minutes {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The .docx file to write.
        file: std::path::PathBuf,
    },
    /// Record a proposal's secret-ballot counts (no voter is stored). Whether it passed is
    /// worked out with the term's policy (its threshold and base: `thidua term policy`).
    Record {
        /// The award.
        award: String,
        /// Members entitled to vote.
        #[arg(long)]
        eligible: i64,
        /// Members present.
        #[arg(long)]
        present: i64,
        /// Valid ballots.
        #[arg(long)]
        valid: i64,
        /// Yes votes.
        #[arg(long)]
        yes: i64,
        /// No votes.
        #[arg(long)]
        no: i64,
    },
}

fn awards(list: &[pb::Award]) -> Section {
    let mut s = Section::new(
        "awards",
        vec![
            "name", "unit", "kind", "entry", "state", "ballot", "dossier", "revoked",
        ],
    );
    for a in list {
        let d = a.dossier.clone().unwrap_or_default();
        let docs = [d.submission_letter, d.minutes, d.achievement_report]
            .iter()
            .filter(|x| !x.is_empty())
            .count();
        s.row(vec![
            a.name.clone(),
            render::short_unit(&a.unit),
            render::award_kind(a.kind),
            a.entry.clone(),
            render::award_state(a.state),
            a.ballot
                .as_ref()
                .map(|b| {
                    crate::i18n::text_with(
                        "ballot-counts",
                        &[
                            ("yes", b.yes.to_string()),
                            ("present", b.present.to_string()),
                            ("eligible", b.eligible.to_string()),
                        ],
                    )
                })
                .unwrap_or_default(),
            format!("{docs}/3"),
            if a.revocation_act.is_empty() {
                String::new()
            } else {
                format!("{} ({})", a.revocation_act, a.revocation_ground)
            },
        ]);
    }
    s
}

fn one(a: Option<pb::Award>) -> Result<pb::Award, Failure> {
    a.answered("an award")
}

/// Runs a `thidua award` command.
pub async fn run_award(ctx: &mut Context, command: AwardCommand) -> Result<(), Failure> {
    match command {
        AwardCommand::Submission {
            cluster,
            year,
            file,
        } => {
            let request = pb::ExportAwardSubmissionRequest {
                term: refs::term(&cluster, year),
            };
            crate::sheets::document(&file, "doc-submission", async {
                Ok(ctx
                    .scoring
                    .export_award_submission(request)
                    .await?
                    .into_inner()
                    .content)
            })
            .await
        }
        AwardCommand::Propose {
            cluster,
            year,
            unit,
            kind,
            letter,
            minutes,
            report,
            override_reason,
        } => {
            let dossier = pb::Dossier {
                submission_letter: letter,
                minutes,
                achievement_report: report,
            };
            propose(ctx, &cluster, year, &unit, &kind, dossier, override_reason).await
        }
        AwardCommand::List {
            cluster,
            year,
            organiser,
            year_flag,
        } => match (organiser, year_flag, cluster, year) {
            (Some(organiser), Some(year), _, _) => list_of_organiser(ctx, &organiser, year).await,
            (None, _, Some(cluster), Some(year)) => list(ctx, &cluster, year).await,
            _ => Err(Failure::input(crate::i18n::text("err-award-list-what"))),
        },
        AwardCommand::Submit {
            award,
            letter,
            minutes,
            report,
        } => {
            let dossier =
                (letter.is_some() || minutes.is_some() || report.is_some()).then(|| pb::Dossier {
                    submission_letter: letter.unwrap_or_default(),
                    minutes: minutes.unwrap_or_default(),
                    achievement_report: report.unwrap_or_default(),
                });
            submit(ctx, &award, dossier).await
        }
        AwardCommand::Revoke { award, ground, act } => revoke(ctx, &award, ground, act).await,
    }
}

async fn propose(
    ctx: &mut Context,
    cluster: &str,
    year: i32,
    unit: &str,
    kind: &str,
    dossier: pb::Dossier,
    override_reason: String,
) -> Result<(), Failure> {
    let full = format!("AWARD_KIND_{}", kind.to_uppercase().replace('-', "_"));
    let kind = pb::AwardKind::from_str_name(&full)
        .filter(|k| *k != pb::AwardKind::Unspecified)
        .ok_or_else(|| Failure::flag_value("--kind", kind, "thidua award propose --help"))?;
    let award = pb::Award {
        term: refs::term(cluster, year),
        unit: refs::unit(unit, &ctx.scheme),
        kind: kind.into(),
        dossier: Some(dossier),
        override_reason,
        ..Default::default()
    };
    let award = one(ctx
        .awards()
        .propose_award(pb::ProposeAwardRequest { award: Some(award) })
        .await?
        .into_inner()
        .award)?;
    ctx.print(&[awards(&[award])])
}

async fn list(ctx: &mut Context, cluster: &str, year: i32) -> Result<(), Failure> {
    let list = ctx
        .awards()
        .list_awards(pb::ListAwardsRequest {
            term: refs::term(cluster, year),
        })
        .await?
        .into_inner()
        .awards;
    ctx.print(&[awards(&list)])
}

async fn list_of_organiser(ctx: &mut Context, organiser: &str, year: i32) -> Result<(), Failure> {
    let request = pb::ListOrganiserAwardsRequest {
        organiser: refs::unit(organiser, &ctx.scheme),
        year,
    };
    let listed = ctx
        .awards()
        .list_organiser_awards(request)
        .await?
        .into_inner()
        .awards;
    let mut s = Section::new(
        "awards",
        vec![
            "term", "stage", "unit", "kind", "entry", "state", "decision",
        ],
    );
    for entry in listed {
        let a = entry.award.unwrap_or_default();
        s.row(vec![
            a.term,
            render::stage(entry.stage),
            render::short_unit(&a.unit),
            render::award_kind(a.kind),
            a.entry,
            render::award_state(a.state),
            a.decision,
        ]);
    }
    ctx.print(&[s])
}

async fn submit(
    ctx: &mut Context,
    award: &str,
    dossier: Option<pb::Dossier>,
) -> Result<(), Failure> {
    let award = one(ctx
        .awards()
        .submit_award(pb::SubmitAwardRequest {
            award: refs::award(award),
            dossier,
        })
        .await?
        .into_inner()
        .award)?;
    ctx.print(&[awards(&[award])])
}

async fn revoke(
    ctx: &mut Context,
    award: &str,
    ground: String,
    act: String,
) -> Result<(), Failure> {
    let award = one(ctx
        .awards()
        .revoke_award(pb::RevokeAwardRequest {
            award: refs::award(award),
            legal_ground: ground,
            legal_act: act,
        })
        .await?
        .into_inner()
        .award)?;
    ctx.print(&[awards(&[award])])
}

pub async fn run_ballot(ctx: &mut Context, command: BallotCommand) -> Result<(), Failure> {
    match command {
        BallotCommand::Minutes {
            cluster,
            year,
            file,
        } => {
            let request = pb::ExportBallotMinutesRequest {
                term: refs::term(&cluster, year),
            };
            crate::sheets::document(&file, "doc-minutes", async {
                Ok(ctx
                    .scoring
                    .export_ballot_minutes(request)
                    .await?
                    .into_inner()
                    .content)
            })
            .await
        }
        BallotCommand::Record {
            award,
            eligible,
            present,
            valid,
            yes,
            no,
        } => {
            let a = one(ctx
                .awards()
                .record_ballot(pb::RecordBallotRequest {
                    award: refs::award(&award),
                    ballot: Some(pb::Ballot {
                        eligible,
                        present,
                        valid,
                        yes,
                        no,
                        ..Default::default()
                    }),
                })
                .await?
                .into_inner()
                .award)?;
            ctx.print(&[awards(&[a])])
        }
    }
}
