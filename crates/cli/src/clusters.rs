//! `thidua cluster …`

use clap::Subcommand;
use thidua_proto::v1 as pb;

use crate::{
    Context,
    failure::{Answered, Failure},
    refs, render,
};

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Create a cluster or block.
    Create {
        /// Id: a-z, 0-9 and '-', starting with a letter (generated when omitted).
        #[arg(long)]
        id: Option<String>,
        /// Name, e.g. "Cụm thi đua các xã, phường thành phố Bắc Kạn".
        #[arg(long)]
        name: String,
        /// territorial (cụm) or block (khối).
        #[arg(long, default_value = "territorial")]
        kind: String,
        /// The organising unit.
        #[arg(long)]
        organiser: String,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
        /// Idempotency key.
        #[arg(long)]
        request_id: Option<String>,
    },
    /// List clusters.
    List {
        /// Search names (diacritic-insensitive).
        #[arg(long)]
        search: Option<String>,
        /// Only clusters of this organiser.
        #[arg(long)]
        organiser: Option<String>,
    },
    /// Show a cluster.
    Get {
        /// Cluster id.
        cluster: String,
    },
    /// Rename or re-describe a cluster.
    Update {
        /// Cluster id.
        cluster: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// Only update if the cluster still has this etag.
        #[arg(long)]
        etag: Option<String>,
    },
    /// Delete a cluster that has no terms.
    Delete {
        /// Cluster id.
        cluster: String,
    },
    /// Record that the organiser ceased and who took the cluster over (đơn vị kế thừa), e.g.
    /// Bắc Kạn city (qd124-2004~058) → Thái Nguyên province (qd19-2025~19) on 2025-07-01.
    Transfer {
        /// Cluster id.
        cluster: String,
        /// The successor organiser, e.g. qd19-2025~19.
        #[arg(long)]
        to: String,
        /// The day it took over (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        /// The act that decided it, e.g. "Nghị quyết 1683/NQ-UBTVQH15".
        #[arg(long)]
        act: String,
        /// Only transfer if the cluster still has this etag.
        #[arg(long)]
        etag: Option<String>,
        /// Idempotency key.
        #[arg(long)]
        request_id: Option<String>,
    },
}

fn kind(s: &str) -> Result<pb::ClusterKind, Failure> {
    match s {
        "territorial" | "cum" | "cụm" => Ok(pb::ClusterKind::Territorial),
        "block" | "functional-block" | "functional_block" | "khoi" | "khối" => {
            Ok(pb::ClusterKind::FunctionalBlock)
        }
        other => Err(Failure::flag_value("--kind", other, "territorial, block")),
    }
}

pub async fn run(ctx: &mut Context, command: ClusterCommand) -> Result<(), Failure> {
    match command {
        ClusterCommand::Create {
            id,
            name,
            kind: k,
            organiser,
            description,
            request_id,
        } => create(ctx, id, name, k, organiser, description, request_id).await,
        ClusterCommand::List { search, organiser } => list(ctx, search, organiser).await,
        ClusterCommand::Get { cluster } => get(ctx, cluster).await,
        ClusterCommand::Update {
            cluster,
            name,
            description,
            etag,
        } => update(ctx, cluster, name, description, etag).await,
        ClusterCommand::Delete { cluster } => delete(ctx, cluster).await,
        ClusterCommand::Transfer {
            cluster,
            to,
            date,
            act,
            etag,
            request_id,
        } => {
            let request = pb::TransferClusterRequest {
                cluster: refs::cluster(&cluster),
                to_organiser: refs::unit(&to, &ctx.scheme),
                effective_date: Some(refs::date("--date", &date)?),
                legal_act: act,
                etag: etag.unwrap_or_default(),
                request_id: refs::request_id(request_id),
            };
            let c = ctx
                .clusters
                .transfer_cluster(request)
                .await?
                .into_inner()
                .cluster
                .answered("a cluster")?;
            ctx.print(&[render::cluster(&c), render::transfers(&c)])
        }
    }
}

async fn create(
    ctx: &mut Context,
    id: Option<String>,
    name: String,
    k: String,
    organiser: String,
    description: String,
    request_id: Option<String>,
) -> Result<(), Failure> {
    let cluster = pb::Cluster {
        name: String::new(),
        display_name: name,
        kind: kind(&k)?.into(),
        organiser: refs::unit(&organiser, &ctx.scheme),
        description,
        create_time: None,
        update_time: None,
        etag: String::new(),
        transfers: Vec::new(),
    };
    let c = ctx
        .clusters
        .create_cluster(pb::CreateClusterRequest {
            cluster: Some(cluster),
            cluster_id: id.unwrap_or_default(),
            request_id: refs::request_id(request_id),
        })
        .await?
        .into_inner()
        .cluster
        .answered("a cluster")?;
    ctx.print(&[render::cluster(&c)])
}

async fn list(
    ctx: &mut Context,
    search: Option<String>,
    organiser: Option<String>,
) -> Result<(), Failure> {
    let mut request = pb::ListClustersRequest {
        page_size: 1000,
        page_token: String::new(),
        organiser: organiser
            .map(|o| refs::unit(&o, &ctx.scheme))
            .unwrap_or_default(),
        kind: 0,
        search: search.unwrap_or_default(),
    };
    let mut found = Vec::new();
    loop {
        let page = ctx
            .clusters
            .list_clusters(request.clone())
            .await?
            .into_inner();
        found.extend(page.clusters);
        if page.next_page_token.is_empty() {
            break;
        }
        request.page_token = page.next_page_token;
    }
    ctx.print(&[render::clusters(&found)])
}

async fn get(ctx: &mut Context, cluster: String) -> Result<(), Failure> {
    let c = ctx
        .clusters
        .get_cluster(pb::GetClusterRequest {
            name: refs::cluster(&cluster),
        })
        .await?
        .into_inner()
        .cluster
        .answered("a cluster")?;
    if c.transfers.is_empty() {
        ctx.print(&[render::cluster(&c)])
    } else {
        ctx.print(&[render::cluster(&c), render::transfers(&c)])
    }
}

async fn update(
    ctx: &mut Context,
    cluster: String,
    name: Option<String>,
    description: Option<String>,
    etag: Option<String>,
) -> Result<(), Failure> {
    let mut paths = Vec::new();
    let mut c = pb::Cluster {
        name: refs::cluster(&cluster),
        etag: etag.unwrap_or_default(),
        ..Default::default()
    };
    if let Some(n) = name {
        c.display_name = n;
        paths.push("display_name".to_owned());
    }
    if let Some(d) = description {
        c.description = d;
        paths.push("description".to_owned());
    }
    if paths.is_empty() {
        return Err(Failure::input(crate::i18n::text_with(
            "err-nothing-to-change",
            &[("flags", "--name, --description".to_owned())],
        )));
    }
    let c = ctx
        .clusters
        .update_cluster(pb::UpdateClusterRequest {
            cluster: Some(c),
            update_mask: Some(prost_types::FieldMask { paths }),
        })
        .await?
        .into_inner()
        .cluster
        .answered("a cluster")?;
    ctx.print(&[render::cluster(&c)])
}

async fn delete(ctx: &mut Context, cluster: String) -> Result<(), Failure> {
    let name = refs::cluster(&cluster);
    ctx.clusters
        .delete_cluster(pb::DeleteClusterRequest {
            name: name.clone(),
            etag: String::new(),
        })
        .await?;
    eprintln!(
        "{}",
        crate::i18n::text_with("deleted", &[("name", name.to_string())])
    );
    Ok(())
}
