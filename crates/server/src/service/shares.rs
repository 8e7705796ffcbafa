//! Share links of a term's scoreboard (`ScoringService`): the live page for the cluster
//! meeting, read-only, one term, until the link expires or is revoked.

use thidua_domain::access::share::ShareName;
use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tonic::{Request, Response, Status};

use super::invalid;
use crate::{app, authorization::admit, convert};

pub(super) async fn create(
    store: &Store,
    request: Request<pb::CreateScoreboardShareRequest>,
) -> Result<Response<pb::CreateScoreboardShareResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::term_name("term", &req.term).map_err(invalid)?;
    let creator = run.principal().audit_name();
    let (share, token) = {
        let term = term.clone();
        run.run(move |store| {
            app::shares::create(store, creator, &term, &req.display_name, req.valid_seconds)
        })
        .await?
    };
    Ok(Response::new(pb::CreateScoreboardShareResponse {
        share: Some(convert::share_out(share)),
        path: crate::http::page::share_path(&term, &token),
        token,
    }))
}

pub(super) async fn list(
    store: &Store,
    request: Request<pb::ListScoreboardSharesRequest>,
) -> Result<Response<pb::ListScoreboardSharesResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::term_name("term", &req.term).map_err(invalid)?;
    let shares = run
        .run(move |store| app::shares::list(store, &term))
        .await?;
    Ok(Response::new(pb::ListScoreboardSharesResponse {
        shares: shares.into_iter().map(convert::share_out).collect(),
    }))
}

pub(super) async fn revoke(
    store: &Store,
    request: Request<pb::RevokeScoreboardShareRequest>,
) -> Result<Response<pb::RevokeScoreboardShareResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let name = ShareName::parse("name", &req.name).map_err(invalid)?;
    let share = run
        .run(move |store| app::shares::revoke(store, &name))
        .await?;
    Ok(Response::new(pb::RevokeScoreboardShareResponse {
        share: Some(convert::share_out(share)),
    }))
}
