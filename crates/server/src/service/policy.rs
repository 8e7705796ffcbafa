//! `ScoringService` calls of a term's scoring policy (quy chế chấm điểm).

use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tonic::{Request, Response, Status};

use super::invalid;
use crate::{app, authorization::admit, convert};

pub(super) async fn get(
    store: &Store,
    request: Request<pb::GetScoringPolicyRequest>,
) -> Result<Response<pb::GetScoringPolicyResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::term_name("term", &req.term).map_err(invalid)?;
    let policy = run
        .run(move |store| app::scoring::policy(store, &term))
        .await?;
    Ok(Response::new(pb::GetScoringPolicyResponse {
        policy: Some(convert::policy_out(policy)),
    }))
}

pub(super) async fn set(
    store: &Store,
    request: Request<pb::SetScoringPolicyRequest>,
) -> Result<Response<pb::SetScoringPolicyResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let pb::SetScoringPolicyRequest { term, policy } = req;
    let term = convert::term_name("term", &term).map_err(invalid)?;
    let policy = convert::policy_in(policy).map_err(crate::status::to_status)?;
    let policy = run
        .run(move |store| app::scoring::set_policy(store, &term, policy))
        .await?;
    Ok(Response::new(pb::SetScoringPolicyResponse {
        policy: Some(convert::policy_out(policy)),
    }))
}
