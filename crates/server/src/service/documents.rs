//! Calls that return official documents to print and sign: the ballot minutes and the
//! submission for awards (`ScoringService`), the covenant (`ClusterService`).

use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tonic::{Request, Response, Status};

use super::invalid;
use crate::{app, authorization::admit, convert};

pub(super) async fn ballot_minutes(
    store: &Store,
    request: Request<pb::ExportBallotMinutesRequest>,
) -> Result<Response<pb::ExportBallotMinutesResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::term_name("term", &req.term).map_err(invalid)?;
    let (content, file_name) = run
        .run(move |store| app::documents::ballot_minutes(store, &term))
        .await?;
    Ok(Response::new(pb::ExportBallotMinutesResponse {
        content,
        file_name,
    }))
}

pub(super) async fn submission(
    store: &Store,
    request: Request<pb::ExportAwardSubmissionRequest>,
) -> Result<Response<pb::ExportAwardSubmissionResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::term_name("term", &req.term).map_err(invalid)?;
    let (content, file_name) = run
        .run(move |store| app::documents::submission(store, &term))
        .await?;
    Ok(Response::new(pb::ExportAwardSubmissionResponse {
        content,
        file_name,
    }))
}

pub(super) async fn covenant(
    store: &Store,
    request: Request<pb::ExportCovenantRequest>,
) -> Result<Response<pb::ExportCovenantResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::covenant_name("name", &req.name).map_err(invalid)?;
    let (content, file_name) = run
        .run(move |store| app::documents::covenant(store, &term))
        .await?;
    Ok(Response::new(pb::ExportCovenantResponse {
        content,
        file_name,
    }))
}
