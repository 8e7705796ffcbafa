//! `ClusterService` calls across the 2025 reform: a cluster handed to a successor organiser,
//! and a term carried forward with members replaced by their successors.

use thidua_domain::{carry_forward::LeaderChoice, error::Violations, text};
use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tonic::{Request, Response, Status};

use super::{idempotency, invalid_all};
use crate::{app, authorization::admit, convert};

pub(super) async fn transfer_cluster(
    store: &Store,
    request: Request<pb::TransferClusterRequest>,
) -> Result<Response<pb::TransferClusterResponse>, Status> {
    let (run, mut req) = admit(store, request).await?;
    let request_id = std::mem::take(&mut req.request_id);
    let key = idempotency("TransferCluster", &request_id, &req)?;
    let mut v = Violations::default();
    let cluster_id = v.check(convert::cluster_name("cluster", &req.cluster));
    let to = v.check(convert::unit_name("to_organiser", &req.to_organiser));
    let date = v
        .check(convert::date_in(
            "effective_date",
            req.effective_date.as_ref(),
        ))
        .flatten();
    if date.is_none() && req.effective_date.is_none() {
        v.add(
            "effective_date",
            thidua_domain::words!("succession-date-required"),
        );
    }
    let legal_act = v.check(text::required_name("legal_act", &req.legal_act, 500));
    let etag = v.check(convert::etag_in("etag", &req.etag)).flatten();
    let (Some(cluster_id), Some(to), Some(date), Some(legal_act)) =
        (cluster_id, to, date, legal_act)
    else {
        return Err(invalid_all(v.into_inner()));
    };
    let new = app::succession::NewTransfer {
        cluster_id,
        to,
        date,
        legal_act,
        etag,
    };
    let (cluster, transfers) = run
        .run(move |store| app::succession::transfer(store, new, key))
        .await?;
    Ok(Response::new(pb::TransferClusterResponse {
        cluster: Some(convert::cluster_with_transfers_out(cluster, transfers)),
    }))
}

pub(super) async fn carry_forward_term(
    store: &Store,
    request: Request<pb::CarryForwardTermRequest>,
) -> Result<Response<pb::CarryForwardTermResponse>, Status> {
    let (run, mut req) = admit(store, request).await?;
    let request_id = std::mem::take(&mut req.request_id);
    let key = idempotency("CarryForwardTerm", &request_id, &req)?;
    let mut v = Violations::default();
    let term = v.check(convert::term_name("term", &req.term));
    let leader = v
        .check(convert::optional_unit_name("leader", &req.leader))
        .flatten();
    let year = (req.year != 0).then_some(req.year);
    if leader.is_some() && req.leader_from_lineage {
        v.add(
            "leader_from_lineage",
            thidua_domain::words!("leader-or-lineage"),
        );
    }
    let Some(term) = term.filter(|_| v.is_empty()) else {
        return Err(invalid_all(v.into_inner()));
    };
    let options = app::terms::CarryOptions {
        year,
        leader: match leader {
            Some(u) => LeaderChoice::Named(u),
            None if req.leader_from_lineage => LeaderChoice::FromLineage,
            None => LeaderChoice::Rotate,
        },
        validate_only: req.validate_only,
    };
    let carried = run
        .run(move |store| app::terms::carry_forward(store, &term, options, key))
        .await?;
    Ok(Response::new(pb::CarryForwardTermResponse {
        term: Some(convert::term_out(carried.term)),
        dropped_units: carried.dropped.iter().map(ToString::to_string).collect(),
        successions: carried
            .successions
            .iter()
            .map(|(unit, successor)| pb::Succession {
                unit: unit.to_string(),
                successor: successor.to_string(),
            })
            .collect(),
    }))
}
