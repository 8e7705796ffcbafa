//! `thidua target …`

use std::{collections::HashMap, path::PathBuf};

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render, sheets,
};

#[derive(Debug, Subcommand)]
pub enum TargetCommand {
    /// Set one target: a member's assigned value (--unit) or the term's default.
    Set {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The criterion code, e.g. I.1.
        #[arg(long)]
        criterion: String,
        /// The member (omit for the default value).
        #[arg(long)]
        unit: Option<String>,
        /// The value, in the criterion's metric.
        #[arg(long)]
        value: String,
    },
    /// List a term's targets and what is still missing.
    List {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
    },
    /// Set targets from a spreadsheet: unit,name,{code}… with a `*` row for defaults.
    Import {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// CSV or XLSX file.
        file: PathBuf,
        /// csv or xlsx (default: from the extension).
        #[arg(long)]
        format: Option<String>,
    },
    /// Write a term's targets to a spreadsheet.
    Export {
        /// Cluster id.
        cluster: String,
        /// Year.
        year: i32,
        /// The file to write (.csv or .xlsx).
        file: PathBuf,
        /// csv or xlsx (default: from the extension).
        #[arg(long)]
        format: Option<String>,
    },
}

fn sections(t: &pb::TermTargets, names: &HashMap<String, String>) -> Vec<Section> {
    let mut values = Section::new(
        "targets",
        vec!["unit", "display_name", "criterion", "value"],
    );
    for d in &t.defaults {
        values.row(vec![
            "*".into(),
            "(mặc định)".into(),
            d.criterion_code.clone(),
            render::decimal(d.value.as_ref()),
        ]);
    }
    for a in &t.assigned {
        values.row(vec![
            render::short_unit(&a.unit),
            names.get(&a.unit).cloned().unwrap_or_default(),
            a.criterion_code.clone(),
            render::decimal(a.value.as_ref()),
        ]);
    }
    let mut missing = Section::new("missing", vec!["unit", "display_name", "criterion"]);
    for m in &t.missing {
        missing.row(vec![
            render::short_unit(&m.unit),
            names.get(&m.unit).cloned().unwrap_or_default(),
            m.criterion_code.clone(),
        ]);
    }
    let info = Section::fields(
        "term",
        vec![
            ("term", t.term.clone()),
            ("table_version", t.table_version.clone()),
        ],
    );
    vec![info, values, missing]
}

pub async fn member_names(
    ctx: &mut Context,
    term: &str,
) -> Result<HashMap<String, String>, Failure> {
    let t = ctx
        .clusters
        .get_term(pb::GetTermRequest {
            name: term.to_owned(),
        })
        .await?
        .into_inner()
        .term
        .answered("a term")?;
    Ok(t.members
        .into_iter()
        .map(|m| (m.unit, m.display_name))
        .collect())
}

/// A term's targets from a response that must carry them.
fn show(t: Option<pb::TermTargets>) -> Result<pb::TermTargets, Failure> {
    t.answered("targets")
}

/// Runs a `thidua target` command.
pub async fn run(ctx: &mut Context, command: TargetCommand) -> Result<(), Failure> {
    match command {
        TargetCommand::Set {
            cluster,
            year,
            criterion,
            unit,
            value,
        } => set(ctx, cluster, year, criterion, unit, value).await,
        TargetCommand::List { cluster, year } => list(ctx, cluster, year).await,
        TargetCommand::Import {
            cluster,
            year,
            file,
            format,
        } => import(ctx, cluster, year, file, format).await,
        TargetCommand::Export {
            cluster,
            year,
            file,
            format,
        } => export(ctx, cluster, year, file, format).await,
    }
}

async fn set(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    criterion: String,
    unit: Option<String>,
    value: String,
) -> Result<(), Failure> {
    let term = refs::term(&cluster, year);
    let target = pb::Target {
        criterion_code: criterion,
        unit: unit
            .map(|u| refs::unit(&u, &ctx.scheme))
            .unwrap_or_default(),
        value: Some(pb::Decimal { value }),
    };
    let t = show(
        ctx.targets
            .set_targets(pb::SetTargetsRequest {
                term: term.clone(),
                targets: vec![target],
            })
            .await?
            .into_inner()
            .targets,
    )?;
    let names = member_names(ctx, &term).await?;
    ctx.print(&sections(&t, &names))
}

async fn list(ctx: &mut Context, cluster: String, year: i32) -> Result<(), Failure> {
    let term = refs::term(&cluster, year);
    let t = show(
        ctx.targets
            .list_targets(pb::ListTargetsRequest { term: term.clone() })
            .await?
            .into_inner()
            .targets,
    )?;
    let names = member_names(ctx, &term).await?;
    ctx.print(&sections(&t, &names))
}

async fn import(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    file: PathBuf,
    format: Option<String>,
) -> Result<(), Failure> {
    let format = sheets::format(&file, format.as_deref())?;
    let content = sheets::read(&file)?;
    let term = refs::term(&cluster, year);
    let imported = ctx
        .targets
        .import_targets(pb::ImportTargetsRequest {
            term: term.clone(),
            content,
            format: format.into(),
        })
        .await?
        .into_inner();
    for w in &imported.warnings {
        eprintln!("{}: {w}", crate::i18n::text("warning"));
    }
    let t = show(imported.targets)?;
    let names = member_names(ctx, &term).await?;
    ctx.print(&sections(&t, &names))
}

async fn export(
    ctx: &mut Context,
    cluster: String,
    year: i32,
    file: PathBuf,
    format: Option<String>,
) -> Result<(), Failure> {
    let format = sheets::format(&file, format.as_deref())?;
    let term = refs::term(&cluster, year);
    let out = ctx
        .targets
        .export_targets(pb::ExportTargetsRequest {
            term: term.clone(),
            format: format.into(),
        })
        .await?
        .into_inner();
    crate::sheets::save(&file, &out.content, "doc-targets")?;
    Ok(())
}
