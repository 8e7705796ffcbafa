//! `thidua table …`

use std::path::PathBuf;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render, sheets,
};

#[derive(Debug, Subcommand)]
pub enum TableCommand {
    /// Create a criteria table (bảng tiêu chí) with an empty draft version 1.
    Create(CreateArgs),
    /// List criteria tables.
    List,
    /// Replace the draft's tree from a spreadsheet (a published latest version gets a new draft).
    Import {
        /// Table id.
        table: String,
        /// CSV or XLSX: code,title,max_points,bonus_cap,rule,params,metric,mandatory,evidence.
        file: PathBuf,
        /// csv or xlsx (default: from the extension).
        #[arg(long)]
        format: Option<String>,
    },
    /// Write a version to a spreadsheet.
    Export {
        /// Table id.
        table: String,
        /// The file to write (.csv or .xlsx).
        file: PathBuf,
        /// Version number (default: the latest).
        #[arg(long)]
        version: Option<i32>,
        /// csv or xlsx (default: from the extension).
        #[arg(long)]
        format: Option<String>,
    },
    /// Print a version's tree with maxima.
    Show {
        /// Table id.
        table: String,
        /// Version number (default: the latest).
        #[arg(long)]
        version: Option<i32>,
    },
    /// Publish a draft version; it never changes afterwards.
    Publish {
        /// Table id.
        table: String,
        /// Version number (default: the latest).
        #[arg(long)]
        version: Option<i32>,
    },
    /// List a table's versions.
    Versions {
        /// Table id.
        table: String,
    },
}

/// The flags of `Create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// Id: a-z, 0-9 and '-', starting with a letter (generated when omitted).
    #[arg(long)]
    pub id: Option<String>,
    /// Title.
    #[arg(long)]
    pub title: String,
    /// The issuing act, e.g. "Quyết định 123/QĐ-UBND".
    #[arg(long, default_value = "")]
    pub act: String,
    /// Date of the act (YYYY-MM-DD).
    #[arg(long)]
    pub act_date: Option<String>,
    /// Nominal total points (thang điểm).
    #[arg(long, default_value = "100")]
    pub scale: String,
    /// Rounding step.
    #[arg(long, default_value = "0.01")]
    pub step: String,
    /// Idempotency key.
    #[arg(long)]
    pub request_id: Option<String>,
}

/// The version name, resolving "latest" through the server.
pub async fn version_name(
    ctx: &mut Context,
    table: &str,
    version: Option<i32>,
) -> Result<String, Failure> {
    let name = refs::table(table);
    let n = match version {
        Some(n) => n,
        None => {
            ctx.targets
                .get_criteria_table(pb::GetCriteriaTableRequest { name: name.clone() })
                .await?
                .into_inner()
                .table
                .answered("a table")?
                .latest_version
        }
    };
    Ok(format!("{name}/versions/{n}"))
}

fn summary(v: &pb::TableVersion) -> Section {
    let nodes: usize = v
        .groups
        .iter()
        .map(|g| {
            1 + g
                .criteria
                .iter()
                .map(|c| 1 + c.sub_criteria.len())
                .sum::<usize>()
        })
        .sum();
    Section::fields(
        "version",
        vec![
            ("name", v.name.clone()),
            ("state", render::version_state(v.state)),
            ("groups", v.groups.len().to_string()),
            ("nodes", nodes.to_string()),
            ("published", render::time(v.publish_time.as_ref())),
            ("etag", v.etag.clone()),
        ],
    )
}

pub async fn run(ctx: &mut Context, command: TableCommand) -> Result<(), Failure> {
    match command {
        TableCommand::Create(args) => create(ctx, args).await,
        TableCommand::List => list(ctx).await,
        TableCommand::Import {
            table,
            file,
            format,
        } => import(ctx, table, file, format).await,
        TableCommand::Export {
            table,
            file,
            version,
            format,
        } => export(ctx, table, file, version, format).await,
        TableCommand::Show { table, version } => show(ctx, table, version).await,
        TableCommand::Publish { table, version } => publish(ctx, table, version).await,
        TableCommand::Versions { table } => versions(ctx, table).await,
    }
}

async fn create(ctx: &mut Context, args: CreateArgs) -> Result<(), Failure> {
    let CreateArgs {
        id,
        title,
        act,
        act_date,
        scale,
        step,
        request_id,
    } = args;
    let table = pb::CriteriaTable {
        title,
        legal_act: act,
        legal_date: refs::opt_date("--act-date", act_date.as_deref())?,
        scale: Some(pb::Decimal { value: scale }),
        rounding_step: Some(pb::Decimal { value: step }),
        ..Default::default()
    };
    let t = ctx
        .targets
        .create_criteria_table(pb::CreateCriteriaTableRequest {
            table: Some(table),
            table_id: id.unwrap_or_default(),
            request_id: refs::request_id(request_id),
        })
        .await?
        .into_inner()
        .table
        .answered("a table")?;
    ctx.print(&[render::criteria_table(&t)])
}

async fn list(ctx: &mut Context) -> Result<(), Failure> {
    let mut request = pb::ListCriteriaTablesRequest {
        page_size: 1000,
        page_token: String::new(),
    };
    let mut s = Section::new(
        "tables",
        vec!["name", "title", "scale", "step", "latest_version"],
    );
    loop {
        let page = ctx
            .targets
            .list_criteria_tables(request.clone())
            .await?
            .into_inner();
        for t in &page.tables {
            s.row(vec![
                t.name.clone(),
                t.title.clone(),
                render::decimal(t.scale.as_ref()),
                render::decimal(t.rounding_step.as_ref()),
                t.latest_version.to_string(),
            ]);
        }
        if page.next_page_token.is_empty() {
            break;
        }
        request.page_token = page.next_page_token;
    }
    ctx.print(&[s])
}

async fn import(
    ctx: &mut Context,
    table: String,
    file: PathBuf,
    format: Option<String>,
) -> Result<(), Failure> {
    let format = sheets::format(&file, format.as_deref())?;
    let content = sheets::read(&file)?;
    let v = ctx
        .targets
        .import_criteria_table(pb::ImportCriteriaTableRequest {
            table: refs::table(&table),
            content,
            format: format.into(),
            etag: String::new(),
        })
        .await?
        .into_inner()
        .version
        .answered("a version")?;
    ctx.print(&[summary(&v)])
}

async fn export(
    ctx: &mut Context,
    table: String,
    file: PathBuf,
    version: Option<i32>,
    format: Option<String>,
) -> Result<(), Failure> {
    let format = sheets::format(&file, format.as_deref())?;
    let name = version_name(ctx, &table, version).await?;
    let out = ctx
        .targets
        .export_criteria_table(pb::ExportCriteriaTableRequest {
            name: name.clone(),
            format: format.into(),
        })
        .await?
        .into_inner();
    crate::sheets::save(&file, &out.content, "doc-table")?;
    Ok(())
}

async fn show(ctx: &mut Context, table: String, version: Option<i32>) -> Result<(), Failure> {
    let name = version_name(ctx, &table, version).await?;
    let v = ctx
        .targets
        .get_table_version(pb::GetTableVersionRequest { name })
        .await?
        .into_inner()
        .version
        .answered("a version")?;
    ctx.print(&[summary(&v), render::tree(&v)])
}

async fn publish(ctx: &mut Context, table: String, version: Option<i32>) -> Result<(), Failure> {
    let name = version_name(ctx, &table, version).await?;
    let v = ctx
        .targets
        .publish_table_version(pb::PublishTableVersionRequest {
            name,
            etag: String::new(),
        })
        .await?
        .into_inner()
        .version
        .answered("a version")?;
    ctx.print(&[summary(&v)])
}

async fn versions(ctx: &mut Context, table: String) -> Result<(), Failure> {
    let versions = ctx
        .targets
        .list_table_versions(pb::ListTableVersionsRequest {
            parent: refs::table(&table),
        })
        .await?
        .into_inner()
        .versions;
    let mut s = Section::new("versions", vec!["name", "state", "published", "updated"]);
    for v in &versions {
        s.row(vec![
            v.name.clone(),
            render::version_state(v.state),
            render::time(v.publish_time.as_ref()),
            render::time(v.update_time.as_ref()),
        ]);
    }
    ctx.print(&[s])
}
