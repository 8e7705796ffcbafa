//! `thidua unit …`

use std::path::PathBuf;

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    output::Section,
    refs, render,
};

/// Rows per streamed import message.
const IMPORT_BATCH: usize = 500;

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Import a CSV list `code,name,kind,parent_code` (the GSO layout) into the scheme given by
    /// --scheme. All rows or none: every bad row is reported.
    Import {
        /// The CSV file (UTF-8, header row).
        file: PathBuf,
        /// Validity start given to every unit (YYYY-MM-DD).
        #[arg(long)]
        valid_from: Option<String>,
        /// Validity end, exclusive, given to every unit (YYYY-MM-DD).
        #[arg(long)]
        valid_to: Option<String>,
        /// Idempotency key; a retry with the same key has one effect.
        #[arg(long)]
        request_id: Option<String>,
    },
    /// List units, filtered; `--search` ignores case and diacritics.
    List(ListArgs),
    /// Show one unit.
    Get {
        /// Unit: code, scheme~code or units/scheme~code.
        unit: String,
    },
    /// Create one unit.
    Create(CreateArgs),
    /// Change a unit's name, kind, parent or validity.
    Update(UpdateArgs),
    /// Record a merger, split or renaming.
    Link(LinkArgs),
    /// Show a unit's lineage, or import a reform's lineage file.
    Lineage(crate::lineage::LineageArgs),
    /// A unit's record year by year — terms, rank, total, classification, awards — with the
    /// years of the predecessors whose record it carries (e.g. phường Bắc Kạn, 2025, carries
    /// Phùng Chí Kiên's).
    History {
        /// The unit, e.g. qd19-2025~01843.
        unit: String,
        /// Only years from this one on.
        #[arg(long)]
        from: Option<i32>,
    },
}

/// The flags of `Link`.
#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// merged-into, split-from or renamed-to.
    #[arg(long)]
    pub kind: String,
    /// The unit the link speaks of.
    #[arg(long)]
    pub unit: String,
    /// The other unit.
    #[arg(long)]
    pub related: String,
    /// The legal act.
    #[arg(long)]
    pub act: String,
    /// Effective date (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    /// Note.
    #[arg(long, default_value = "")]
    pub note: String,
    /// Idempotency key.
    #[arg(long)]
    pub request_id: Option<String>,
}

/// The flags of `Update`.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The unit.
    pub unit: String,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    /// New kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// New parent.
    #[arg(long)]
    pub parent: Option<String>,
    /// New validity start.
    #[arg(long)]
    pub valid_from: Option<String>,
    /// New validity end (exclusive).
    #[arg(long)]
    pub valid_to: Option<String>,
    /// The day the new name, kind or parent take effect (YYYY-MM-DD): the earlier ones are
    /// kept, and terms of earlier years keep showing them. Without it, a correction in place.
    #[arg(long)]
    pub from: Option<String>,
    /// Only update if the unit still has this etag.
    #[arg(long)]
    pub etag: Option<String>,
}

/// The flags of `Create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// Code in the scheme.
    #[arg(long)]
    pub code: String,
    /// Name without kind prefix.
    #[arg(long)]
    pub name: String,
    /// Kind: ward, commune, township, province, central_city, rural_district, department, …
    #[arg(long)]
    pub kind: String,
    /// Parent unit.
    #[arg(long)]
    pub parent: Option<String>,
    /// Validity start (YYYY-MM-DD).
    #[arg(long)]
    pub valid_from: Option<String>,
    /// Validity end, exclusive (YYYY-MM-DD).
    #[arg(long)]
    pub valid_to: Option<String>,
    /// Idempotency key.
    #[arg(long)]
    pub request_id: Option<String>,
}

/// The flags of `List`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this scheme.
    #[arg(long = "in-scheme")]
    pub in_scheme: Option<String>,
    /// Only children of this unit.
    #[arg(long)]
    pub parent: Option<String>,
    /// Only this kind (e.g. ward, commune, province).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only units existing on this date.
    #[arg(long)]
    pub valid_on: Option<String>,
    /// Search names (diacritic-insensitive) or an exact code.
    #[arg(long)]
    pub search: Option<String>,
    /// At most this many units.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Every matching unit.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
}

/// Reads a kind as typed: `ward`, `UNIT_KIND_WARD`, or the CSV form `phuong`.
fn kind(s: &str) -> Result<i32, Failure> {
    let csv = [
        ("thanh_pho_trung_uong", pb::UnitKind::CentralCity),
        ("tinh", pb::UnitKind::Province),
        ("quan", pb::UnitKind::UrbanDistrict),
        ("huyen", pb::UnitKind::RuralDistrict),
        ("thi_xa", pb::UnitKind::DistrictTown),
        ("thanh_pho", pb::UnitKind::ProvincialCity),
        ("phuong", pb::UnitKind::Ward),
        ("xa", pb::UnitKind::Commune),
        ("thi_tran", pb::UnitKind::Township),
        ("dac_khu", pb::UnitKind::SpecialZone),
    ];
    if let Some((_, k)) = csv.iter().find(|(n, _)| *n == s) {
        return Ok((*k).into());
    }
    let upper = s.to_uppercase().replace('-', "_");
    let full = if upper.starts_with("UNIT_KIND_") {
        upper
    } else {
        format!("UNIT_KIND_{upper}")
    };
    pb::UnitKind::from_str_name(&full)
        .filter(|k| *k != pb::UnitKind::Unspecified)
        .map(Into::into)
        .ok_or_else(|| Failure::flag_value("--kind", s, "thidua unit import --help"))
}

pub async fn run(ctx: &mut Context, command: UnitCommand) -> Result<(), Failure> {
    match command {
        UnitCommand::Import {
            file,
            valid_from,
            valid_to,
            request_id,
        } => import_command(ctx, file, valid_from, valid_to, request_id).await,
        UnitCommand::List(args) => list(ctx, args).await,
        UnitCommand::Get { unit } => get(ctx, unit).await,
        UnitCommand::Create(args) => create(ctx, args).await,
        UnitCommand::Update(args) => update(ctx, args).await,
        UnitCommand::Link(args) => link(ctx, args).await,
        UnitCommand::Lineage(args) => crate::lineage::run(ctx, args).await,
        UnitCommand::History { unit, from } => {
            let request = pb::GetUnitHistoryRequest {
                unit: refs::unit(&unit, &ctx.scheme),
                from_year: from.unwrap_or(0),
            };
            let years = ctx
                .units
                .get_unit_history(request)
                .await?
                .into_inner()
                .years;
            ctx.print(&[render::unit_history(&years)])
        }
    }
}

async fn import_command(
    ctx: &mut Context,
    file: PathBuf,
    valid_from: Option<String>,
    valid_to: Option<String>,
    request_id: Option<String>,
) -> Result<(), Failure> {
    let scheme = ctx.scheme.clone();
    import(ctx, &file, scheme, valid_from, valid_to, request_id).await
}

async fn list(ctx: &mut Context, args: ListArgs) -> Result<(), Failure> {
    let ListArgs {
        in_scheme,
        parent,
        kind: k,
        valid_on,
        search,
        limit,
        all,
    } = args;
    let mut request = pb::ListUnitsRequest {
        page_size: 0,
        page_token: String::new(),
        scheme: in_scheme.unwrap_or_default(),
        parent: parent
            .map(|p| refs::unit(&p, &ctx.scheme))
            .unwrap_or_default(),
        kind: k.as_deref().map(kind).transpose()?.unwrap_or(0),
        valid_on: refs::opt_date("--valid-on", valid_on.as_deref())?,
        search: search.unwrap_or_default(),
    };
    let limit = if all { usize::MAX } else { limit };
    let mut found = Vec::new();
    loop {
        request.page_size =
            i32::try_from(limit.saturating_sub(found.len()).min(1000)).unwrap_or(1000);
        let page = ctx.units.list_units(request.clone()).await?.into_inner();
        found.extend(page.units);
        if page.next_page_token.is_empty() || found.len() >= limit {
            break;
        }
        request.page_token = page.next_page_token;
    }
    ctx.print(&[render::units(&found)])
}

async fn get(ctx: &mut Context, unit: String) -> Result<(), Failure> {
    let name = refs::unit(&unit, &ctx.scheme);
    let response = ctx
        .units
        .get_unit(pb::GetUnitRequest { name })
        .await?
        .into_inner();
    let periods = render::unit_periods(&response.past_periods);
    let u = response.unit.answered("a unit")?;
    if response.past_periods.is_empty() {
        ctx.print(&[render::unit(&u)])
    } else {
        ctx.print(&[render::unit(&u), periods])
    }
}

async fn create(ctx: &mut Context, args: CreateArgs) -> Result<(), Failure> {
    let CreateArgs {
        code,
        name,
        kind: k,
        parent,
        valid_from,
        valid_to,
        request_id,
    } = args;
    let unit = pb::Unit {
        name: String::new(),
        scheme: ctx.scheme.clone(),
        code,
        display_name: name,
        kind: kind(&k)?,
        parent: parent
            .map(|p| refs::unit(&p, &ctx.scheme))
            .unwrap_or_default(),
        valid_from: refs::opt_date("--valid-from", valid_from.as_deref())?,
        valid_to: refs::opt_date("--valid-to", valid_to.as_deref())?,
        create_time: None,
        update_time: None,
        etag: String::new(),
    };
    let u = ctx
        .units
        .create_unit(pb::CreateUnitRequest {
            unit: Some(unit),
            request_id: refs::request_id(request_id),
        })
        .await?
        .into_inner()
        .unit
        .answered("a unit")?;
    ctx.print(&[render::unit(&u)])
}

async fn update(ctx: &mut Context, args: UpdateArgs) -> Result<(), Failure> {
    let UpdateArgs {
        unit,
        name,
        kind: k,
        parent,
        valid_from,
        valid_to,
        from,
        etag,
    } = args;
    let effective_date = from.map(|d| refs::date("--from", &d)).transpose()?;
    let mut paths = Vec::new();
    let mut u = pb::Unit {
        name: refs::unit(&unit, &ctx.scheme),
        etag: etag.unwrap_or_default(),
        ..Default::default()
    };
    if let Some(n) = name {
        u.display_name = n;
        paths.push("display_name".to_owned());
    }
    if let Some(k) = k {
        u.kind = kind(&k)?;
        paths.push("kind".to_owned());
    }
    if let Some(p) = parent {
        u.parent = if p.is_empty() {
            p
        } else {
            refs::unit(&p, &ctx.scheme)
        };
        paths.push("parent".to_owned());
    }
    if let Some(d) = valid_from {
        u.valid_from = if d.is_empty() {
            None
        } else {
            Some(refs::date("--valid-from", &d)?)
        };
        paths.push("valid_from".to_owned());
    }
    if let Some(d) = valid_to {
        u.valid_to = if d.is_empty() {
            None
        } else {
            Some(refs::date("--valid-to", &d)?)
        };
        paths.push("valid_to".to_owned());
    }
    if paths.is_empty() {
        return Err(Failure::input(crate::i18n::text_with(
            "err-nothing-to-change",
            &[(
                "flags",
                "--name, --kind, --parent, --valid-from, --valid-to".to_owned(),
            )],
        )));
    }
    let u = ctx
        .units
        .update_unit(pb::UpdateUnitRequest {
            unit: Some(u),
            update_mask: Some(prost_types::FieldMask { paths }),
            effective_date,
        })
        .await?
        .into_inner()
        .unit
        .answered("a unit")?;
    ctx.print(&[render::unit(&u)])
}

async fn link(ctx: &mut Context, args: LinkArgs) -> Result<(), Failure> {
    let LinkArgs {
        kind: k,
        unit,
        related,
        act,
        date,
        note,
        request_id,
    } = args;
    let kind = match k.as_str() {
        "merged-into" | "merged_into" => pb::LineageKind::MergedInto,
        "split-from" | "split_from" => pb::LineageKind::SplitFrom,
        "renamed-to" | "renamed_to" => pb::LineageKind::RenamedTo,
        other => {
            return Err(Failure::flag_value(
                "--kind",
                other,
                "merged-into, split-from, renamed-to",
            ));
        }
    };
    let link = pb::LineageLink {
        name: String::new(),
        kind: kind.into(),
        unit: refs::unit(&unit, &ctx.scheme),
        related_unit: refs::unit(&related, &ctx.scheme),
        legal_act: act,
        effective_date: Some(refs::date("--date", &date)?),
        note,
        create_time: None,
        share: pb::LineageShare::Whole.into(),
    };
    let link = ctx
        .units
        .create_lineage_link(pb::CreateLineageLinkRequest {
            link: Some(link),
            request_id: refs::request_id(request_id),
        })
        .await?
        .into_inner()
        .link
        .answered("a link")?;
    ctx.print(&[crate::lineage::links(&[link])])
}

/// Reads the CSV or XLSX file (every malformed line reported at once), then streams it in
/// batches with a progress bar on a terminal.
async fn import(
    ctx: &mut Context,
    file: &std::path::Path,
    scheme: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    request_id: Option<String>,
) -> Result<(), Failure> {
    let (headers, records) = crate::sheets::read_rows(file)?;
    let rows: Vec<pb::UnitRow> = thidua_domain::import::unit_rows(&headers, &records)
        .map_err(|e| Failure::local(file.display(), e))?
        .into_iter()
        .map(|r| pb::UnitRow {
            code: r.code,
            name: r.name,
            kind: r.kind,
            parent_code: r.parent_code,
            line: r.line,
        })
        .collect();
    let total = rows.len();
    let progress = crate::sheets::progress(total);
    let mut messages = Vec::with_capacity(total / IMPORT_BATCH + 1);
    let mut chunks = rows.chunks(IMPORT_BATCH);
    messages.push(pb::ImportUnitsRequest {
        scheme,
        request_id: refs::request_id(request_id),
        valid_from: refs::opt_date("--valid-from", valid_from.as_deref())?,
        valid_to: refs::opt_date("--valid-to", valid_to.as_deref())?,
        rows: chunks.next().map(<[_]>::to_vec).unwrap_or_default(),
    });
    messages.extend(chunks.map(|c| pb::ImportUnitsRequest {
        rows: c.to_vec(),
        ..Default::default()
    }));
    let bar = progress.clone();
    let stream = tokio_stream::iter(messages).map(move |m| {
        bar.inc(u64::try_from(m.rows.len()).unwrap_or(0));
        m
    });
    let result = ctx.units.import_units(stream).await;
    progress.finish_and_clear();
    let response = result?.into_inner();
    let mut s = Section::fields(
        "import",
        vec![
            ("file", file.display().to_string()),
            ("rows", response.rows_total.to_string()),
            ("created", response.units_created.to_string()),
            ("unchanged", response.units_unchanged.to_string()),
            ("replayed", response.replayed.to_string()),
        ],
    );
    s.title = "import".into();
    ctx.print(&[s])
}

use tokio_stream::StreamExt as _;
