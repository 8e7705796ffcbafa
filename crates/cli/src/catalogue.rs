//! `thidua catalogue …`: the catalogue of titles and forms (danh mục danh hiệu thi đua, hình
//! thức khen thưởng) with its rules, its versions, and a new version from an edited sheet.

use clap::Subcommand;
use thidua_domain::award::catalogue_sheet::COLUMNS;
use thidua_proto::v1 as pb;

use crate::{Context, failure::Failure, output::Section, render};

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// The entries of a version, one row per title or form, in the columns `catalogue put`
    /// reads back (`-o csv > danh-muc.csv` gives the sheet to edit).
    Show {
        /// The version in force for this emulation year.
        #[arg(long, conflicts_with = "version")]
        year: Option<i32>,
        /// This version (default: the latest).
        #[arg(long)]
        version: Option<i32>,
    },
    /// Every version, with the first year each is in force.
    Versions,
    /// Store a new version from a CSV or XLSX sheet (administrators): in force from
    /// --from-year, after the latest version's; checked whole, nothing stored while a cell is
    /// bad.
    Put {
        /// The sheet, e.g. danh-muc-2026.csv.
        file: std::path::PathBuf,
        /// The first emulation year it is in force.
        #[arg(long)]
        from_year: i32,
        /// Why, e.g. the act that changed the titles.
        #[arg(long, default_value = "")]
        note: String,
        /// csv or xlsx (default: from the extension).
        #[arg(long)]
        format: Option<String>,
    },
}

fn entries(list: Vec<pb::AwardEntry>) -> Section {
    // The sheet's own columns, so that `-o csv` gives what `catalogue put` reads.
    let mut s = Section::new("entries", COLUMNS.to_vec());
    for e in list {
        s.row(vec![
            e.code,
            e.display_name,
            e.level,
            e.kind,
            if e.proposed_as == i32::from(pb::AwardKind::Unspecified) {
                String::new()
            } else {
                render::award_kind(e.proposed_as)
            },
            if e.secret_ballot { "yes" } else { "no" }.to_owned(),
            e.quota,
            e.quota_scope,
            e.prerequisites.join("; "),
        ]);
    }
    s
}

fn versions(list: &[pb::AwardCatalogueVersion]) -> Section {
    let mut s = Section::new(
        "versions",
        vec!["version", "from_year", "entries", "created", "note"],
    );
    for v in list {
        s.row(vec![
            v.version.to_string(),
            v.from_year.to_string(),
            v.entries.to_string(),
            v.create_time
                .as_ref()
                .map_or_else(|| "built in".to_owned(), |t| render::time(Some(t))),
            v.note.clone(),
        ]);
    }
    s
}

pub async fn run(ctx: &mut Context, command: CatalogueCommand) -> Result<(), Failure> {
    match command {
        CatalogueCommand::Show { year, version } => {
            let r = ctx
                .scoring
                .list_award_entries(pb::ListAwardEntriesRequest {
                    year: year.unwrap_or(0),
                    version: version.unwrap_or(0),
                })
                .await?
                .into_inner();
            if let Some(v) = r.version {
                eprintln!(
                    "catalogue version {} (in force from {}){}",
                    v.version,
                    v.from_year,
                    if v.note.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", v.note)
                    }
                );
            }
            ctx.print(&[entries(r.entries)])
        }
        CatalogueCommand::Versions => {
            let r = ctx
                .scoring
                .list_award_entries(pb::ListAwardEntriesRequest::default())
                .await?
                .into_inner();
            ctx.print(&[versions(&r.versions)])
        }
        CatalogueCommand::Put {
            file,
            from_year,
            note,
            format,
        } => {
            let request = pb::PutAwardCatalogueRequest {
                format: crate::sheets::format(&file, format.as_deref())?.into(),
                content: crate::sheets::read(&file)?,
                from_year,
                note,
            };
            let r = ctx.scoring.put_award_catalogue(request).await?.into_inner();
            ctx.print(&[versions(r.version.as_slice()), entries(r.entries)])
        }
    }
}
