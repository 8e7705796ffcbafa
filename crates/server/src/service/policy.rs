//! `ScoringService` calls of a term's scoring policy (quy chế chấm điểm) and its stages'
//! deadlines.

use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tonic::{Request, Response, Status};

use thidua_domain::error::Violations;

use super::{invalid, invalid_all};
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

pub(super) async fn set_deadlines(
    store: &Store,
    request: Request<pb::SetStageDeadlinesRequest>,
) -> Result<Response<pb::SetStageDeadlinesResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let pb::SetStageDeadlinesRequest { term, deadlines } = req;
    let term = convert::term_name("term", &term).map_err(invalid)?;
    let mut v = Violations::default();
    let mut parsed = Vec::with_capacity(deadlines.len());
    for (i, d) in deadlines.iter().enumerate() {
        let pb::StageDeadline { stage, deadline } = d;
        let stage = v.check(convert::stage_in(&format!("deadlines[{i}].stage"), *stage));
        let date = v
            .check(convert::date_in(
                &format!("deadlines[{i}].deadline"),
                deadline.as_ref(),
            ))
            .flatten();
        if deadline.is_none() {
            v.add(
                format!("deadlines[{i}].deadline"),
                thidua_domain::words!("required"),
            );
        }
        if let (Some(stage), Some(date)) = (stage, date) {
            parsed.push((stage, date));
        }
    }
    if !v.is_empty() {
        return Err(invalid_all(v.into_inner()));
    }
    let all = run
        .run(move |store| app::scoring::set_deadlines(store, &term, &parsed))
        .await?;
    Ok(Response::new(pb::SetStageDeadlinesResponse {
        deadlines: all
            .into_iter()
            .map(|(stage, date)| pb::StageDeadline {
                stage: convert::stage_out(stage).into(),
                deadline: convert::date_out(Some(date)),
            })
            .collect(),
    }))
}
