//! `thidua covenant …`

use std::collections::HashMap;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    refs, render,
};

#[derive(Debug, Subcommand)]
pub enum CovenantCommand {
    /// Write the covenant (Giao ước thi đua) with a line for each member's signatory as a
    /// DOCX document to print and sign.
    ///
    /// Example: thidua covenant export bac-kan-city 2022 giao-uoc-2022.docx
    Export {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The .docx file to write.
        file: std::path::PathBuf,
    },
    /// Show the covenant with its commitments, signatories and witnesses.
    Show {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
    },
    /// Edit the draft (refused once anyone has signed).
    Draft(DraftArgs),
    /// Record a member's signature.
    Sign {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The signing member.
        #[arg(long)]
        unit: String,
        /// The person who signs.
        #[arg(long)]
        signatory: String,
        /// The person's title.
        #[arg(long, default_value = "")]
        title: String,
    },
    /// Record a witness.
    Witness {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The witness's name.
        #[arg(long)]
        name: String,
        /// The witness's title.
        #[arg(long, default_value = "")]
        title: String,
        /// The witness's unit.
        #[arg(long)]
        unit: Option<String>,
    },
}

/// The flags of `Draft`.
#[derive(Debug, clap::Args)]
pub struct DraftArgs {
    /// Cluster id.
    pub cluster: String,
    /// Year.
    pub year: i32,
    /// Theme.
    #[arg(long)]
    pub theme: Option<String>,
    /// Body text.
    #[arg(long)]
    pub text: Option<String>,
    /// A commitment; repeat in order (replaces the list).
    #[arg(long = "commitment")]
    pub commitments: Vec<String>,
    /// Place of signing.
    #[arg(long)]
    pub place: Option<String>,
    /// Date of signing (YYYY-MM-DD).
    #[arg(long)]
    pub date: Option<String>,
}

async fn print(ctx: &mut Context, covenant: &pb::Covenant) -> Result<(), Failure> {
    let term_name = covenant.name.trim_end_matches("/covenant").to_owned();
    let term = ctx
        .clusters
        .get_term(pb::GetTermRequest { name: term_name })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    let names: HashMap<String, String> = term
        .members
        .into_iter()
        .map(|m| (m.unit, m.display_name))
        .collect();
    ctx.print(&render::covenant(covenant, &names))
}

pub async fn run(ctx: &mut Context, command: CovenantCommand) -> Result<(), Failure> {
    match command {
        CovenantCommand::Show { cluster, year } => show(ctx, cluster, year).await,
        CovenantCommand::Export {
            cluster,
            year,
            file,
        } => {
            let request = pb::ExportCovenantRequest {
                name: format!("{}/covenant", refs::term(&cluster, year)),
            };
            crate::sheets::document(&file, "doc-covenant", async {
                Ok(ctx
                    .clusters
                    .export_covenant(request)
                    .await?
                    .into_inner()
                    .content)
            })
            .await
        }
        CovenantCommand::Draft(args) => draft(ctx, args).await,
        CovenantCommand::Sign {
            cluster,
            year,
            unit,
            signatory,
            title,
        } => sign(ctx, cluster, year, unit, signatory, title).await,
        CovenantCommand::Witness {
            cluster,
            year,
            name,
            title,
            unit,
        } => witness(ctx, cluster, year, name, title, unit).await,
    }
}

async fn show(ctx: &mut Context, cluster: String, year: i32) -> Result<(), Failure> {
    let c = ctx
        .clusters
        .get_covenant(pb::GetCovenantRequest {
            name: format!("{}/covenant", refs::term(&cluster, year)),
        })
        .await?
        .into_inner()
        .covenant
        .answered("a covenant")?;
    print(ctx, &c).await
}

async fn draft(ctx: &mut Context, args: DraftArgs) -> Result<(), Failure> {
    let DraftArgs {
        cluster,
        year,
        theme,
        text,
        commitments,
        place,
        date,
    } = args;
    let mut paths = Vec::new();
    let mut c = pb::Covenant {
        name: format!("{}/covenant", refs::term(&cluster, year)),
        ..Default::default()
    };
    if let Some(t) = theme {
        c.theme = t;
        paths.push("theme".to_owned());
    }
    if let Some(t) = text {
        c.text = t;
        paths.push("text".to_owned());
    }
    if !commitments.is_empty() {
        c.commitments = commitments;
        paths.push("commitments".to_owned());
    }
    if let Some(p) = place {
        c.place = p;
        paths.push("place".to_owned());
    }
    if let Some(d) = date {
        c.signing_date = Some(refs::date("--date", &d)?);
        paths.push("signing_date".to_owned());
    }
    if paths.is_empty() {
        return Err(Failure::input(crate::i18n::text_with(
            "err-nothing-to-change",
            &[(
                "flags",
                "--theme, --text, --commitment, --place, --date".to_owned(),
            )],
        )));
    }
    let c = ctx
        .clusters
        .update_covenant(pb::UpdateCovenantRequest {
            covenant: Some(c),
            update_mask: Some(prost_types::FieldMask { paths }),
        })
        .await?
        .into_inner()
        .covenant
        .answered("a covenant")?;
    print(ctx, &c).await
}

async fn sign(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    unit: String,
    signatory: String,
    title: String,
) -> Result<(), Failure> {
    let c = ctx
        .clusters
        .sign_covenant(pb::SignCovenantRequest {
            covenant: format!("{}/covenant", refs::term(&cluster, year)),
            signature: Some(pb::Signature {
                unit: refs::unit(&unit, &ctx.scheme),
                signatory_name: signatory,
                signatory_title: title,
                sign_time: None,
            }),
        })
        .await?
        .into_inner()
        .covenant
        .answered("a covenant")?;
    print(ctx, &c).await
}

async fn witness(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    name: String,
    title: String,
    unit: Option<String>,
) -> Result<(), Failure> {
    let c = ctx
        .clusters
        .add_covenant_witness(pb::AddCovenantWitnessRequest {
            covenant: format!("{}/covenant", refs::term(&cluster, year)),
            witness: Some(pb::Witness {
                person_name: name,
                title,
                unit: unit
                    .map(|u| refs::unit(&u, &ctx.scheme))
                    .unwrap_or_default(),
            }),
        })
        .await?
        .into_inner()
        .covenant
        .answered("a covenant")?;
    print(ctx, &c).await
}
