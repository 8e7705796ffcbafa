//! `thidua unit lineage`: a unit's lineage, and a reform's lineage file imported at once.

use std::path::PathBuf;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, refs, render, sheets};

/// `thidua unit lineage UNIT` shows a unit's links; `thidua unit lineage import FILE …` records
/// a whole reform's.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LineageArgs {
    /// The unit whose links to show.
    pub unit: Option<String>,
    #[command(subcommand)]
    pub command: Option<LineageCommand>,
}

#[derive(Debug, Subcommand)]
pub enum LineageCommand {
    /// Import a lineage file: `legacy_code,code_2025,change,share` (communes; change is
    /// merged_into or split_into, share whole, main or part) or `legacy_code,code_2025`
    /// (provinces: every row a whole merger). Checked whole first: every bad row is reported by
    /// line and column and nothing is stored; the same file again stores nothing.
    Import(ImportArgs),
}

/// The flags of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// The scheme of the units that ceased.
    #[arg(long, default_value = "qd124-2004")]
    pub from_scheme: String,
    /// The scheme of their successors.
    #[arg(long, default_value = "qd19-2025")]
    pub to_scheme: String,
    /// The day the changes took effect (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    /// The legal act that decided them.
    #[arg(long)]
    pub act: String,
    /// csv or xlsx, when the file's extension does not say.
    #[arg(long)]
    pub format: Option<String>,
    /// Idempotency key; a retry with the same key has one effect.
    #[arg(long)]
    pub request_id: Option<String>,
}

/// Runs `thidua unit lineage …`.
pub async fn run(ctx: &mut Context, args: LineageArgs) -> Result<(), Failure> {
    match (args.command, args.unit) {
        (Some(LineageCommand::Import(import_args)), _) => import(ctx, import_args).await,
        (None, Some(unit)) => show(ctx, unit).await,
        (None, None) => Err(Failure::input(crate::i18n::text("err-lineage-what"))),
    }
}

async fn show(ctx: &mut Context, unit: String) -> Result<(), Failure> {
    let unit = refs::unit(&unit, &ctx.scheme);
    let response = ctx
        .units
        .list_lineage_links(pb::ListLineageLinksRequest { unit })
        .await?
        .into_inner();
    ctx.print(&[links(&response.links)])
}

async fn import(ctx: &mut Context, args: ImportArgs) -> Result<(), Failure> {
    let ImportArgs {
        file,
        from_scheme,
        to_scheme,
        date,
        act,
        format,
        request_id,
    } = args;
    let format = sheets::format(&file, format.as_deref())?;
    let content = sheets::read(&file)?;
    let done = ctx
        .units
        .import_lineage(pb::ImportLineageRequest {
            from_scheme,
            to_scheme,
            effective_date: Some(refs::date("--date", &date)?),
            legal_act: act,
            content,
            format: format.into(),
            request_id: refs::request_id(request_id),
        })
        .await?
        .into_inner();
    if done.links_created == 0 && !done.replayed {
        eprintln!(
            "nothing to store: all {} links of {} are already recorded",
            done.links_unchanged,
            file.display()
        );
    }
    let mut s = Section::new(
        "lineage import",
        vec![
            "rows",
            "links_created",
            "links_unchanged",
            "units_ended",
            "replayed",
        ],
    );
    s.row(vec![
        done.rows_total.to_string(),
        done.links_created.to_string(),
        done.links_unchanged.to_string(),
        done.units_ended.to_string(),
        done.replayed.to_string(),
    ]);
    ctx.print(&[s])
}

/// The links as a table.
pub fn links(links: &[pb::LineageLink]) -> Section {
    let mut s = Section::new(
        "lineage",
        vec![
            "unit",
            "kind",
            "share",
            "related_unit",
            "legal_act",
            "effective_date",
            "note",
        ],
    );
    for l in links {
        s.row(vec![
            render::short_unit(&l.unit),
            pb::LineageKind::try_from(l.kind)
                .map(|k| {
                    k.as_str_name()
                        .trim_start_matches("LINEAGE_KIND_")
                        .to_lowercase()
                })
                .unwrap_or_default(),
            pb::LineageShare::try_from(l.share)
                .map(|s| {
                    s.as_str_name()
                        .trim_start_matches("LINEAGE_SHARE_")
                        .to_lowercase()
                })
                .unwrap_or_default(),
            render::short_unit(&l.related_unit),
            l.legal_act.clone(),
            render::date(l.effective_date.as_ref()),
            l.note.clone(),
        ]);
    }
    s
}
