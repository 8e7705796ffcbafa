//! `ScoringService` calls of the award register: proposals listed by term or organiser,
//! decisions, the register and its export, past decisions, the catalogue.

use thidua_domain::{FieldViolation, unit::Scheme};
use thidua_proto::v1 as pb;
use thidua_storage::{RegisterFilter, Store};
use tonic::{Request, Response, Status};

use super::{format_in, idempotency, invalid, invalid_all};
use crate::{app, app::catalogue::Which, authorization::admit, convert};

pub(super) async fn record_decision(
    store: &Store,
    request: Request<pb::RecordDecisionRequest>,
) -> Result<Response<pb::RecordDecisionResponse>, Status> {
    let (run, mut req) = admit(store, request).await?;
    let request_id = std::mem::take(&mut req.request_id);
    let key = idempotency("RecordDecision", &request_id, &req)?;
    let new = convert::decision_in(req).map_err(invalid_all)?;
    let (decision, lines) = run
        .run(move |store| app::decisions::record(store, new, key))
        .await?;
    Ok(Response::new(pb::RecordDecisionResponse {
        decision: Some(convert::decision_out(decision)),
        entries: lines.into_iter().map(convert::registered_out).collect(),
    }))
}

pub(super) async fn list_register(
    store: &Store,
    request: Request<pb::ListRegisterRequest>,
) -> Result<Response<pb::ListRegisterResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let pb::ListRegisterRequest { year, unit, entry } = req;
    let unit = convert::optional_unit_name("unit", &unit).map_err(invalid)?;
    let filter = RegisterFilter {
        units: unit.map(|u| vec![u]),
        year: (year != 0).then_some(year),
        entry: (!entry.trim().is_empty()).then(|| entry.trim().to_owned()),
        decision: None,
    };
    let lines = run
        .run(move |store| app::decisions::register(store, &filter))
        .await?;
    Ok(Response::new(pb::ListRegisterResponse {
        entries: lines.into_iter().map(convert::registered_out).collect(),
    }))
}

pub(super) async fn import_decisions(
    store: &Store,
    request: Request<pb::ImportDecisionsRequest>,
) -> Result<Response<pb::ImportDecisionsResponse>, Status> {
    let (run, mut req) = admit(store, request).await?;
    let request_id = std::mem::take(&mut req.request_id);
    let key = idempotency("ImportDecisions", &request_id, &req)?;
    let format = format_in(req.format)?;
    let scheme = if req.scheme.trim().is_empty() {
        Scheme::Qd124_2004
    } else {
        Scheme::parse_field("scheme", &req.scheme).map_err(invalid)?
    };
    let content = req.content;
    let outcome = run
        .run_bulk(move |store| {
            let sheet = crate::sheets::read(&content, format)?;
            app::decisions::import(store, scheme, &sheet.header, &sheet.rows, key)
        })
        .await?;
    Ok(Response::new(pb::ImportDecisionsResponse {
        rows: outcome.rows,
        decisions_created: outcome.created,
        decisions_unchanged: outcome.unchanged,
        registered: outcome.registered,
    }))
}

pub(super) async fn export_register(
    store: &Store,
    request: Request<pb::ExportRegisterRequest>,
) -> Result<Response<pb::ExportRegisterResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let format = format_in(req.format)?;
    let year = (req.year != 0).then_some(req.year);
    let summary = req.summary;
    let (content, file_name) = run
        .run(move |store| {
            if summary {
                app::decisions::summarise_register(store, year, format)
            } else {
                app::decisions::export_register(store, year, format)
            }
        })
        .await?;
    Ok(Response::new(pb::ExportRegisterResponse {
        content,
        file_name,
    }))
}

pub(super) async fn list_awards(
    store: &Store,
    request: Request<pb::ListAwardsRequest>,
) -> Result<Response<pb::ListAwardsResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let term = convert::term_name("term", &req.term).map_err(invalid)?;
    let awards = run
        .run(move |store| app::awards::list(store, &term))
        .await?;
    Ok(Response::new(pb::ListAwardsResponse {
        awards: awards.into_iter().map(convert::award_out).collect(),
    }))
}

pub(super) async fn list_organiser_awards(
    store: &Store,
    request: Request<pb::ListOrganiserAwardsRequest>,
) -> Result<Response<pb::ListOrganiserAwardsResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let organiser = convert::unit_name("organiser", &req.organiser).map_err(invalid)?;
    let year = thidua_domain::term::check_year("year", req.year).map_err(invalid)?;
    let awards = run
        .run(move |store| app::awards::list_of_organiser(store, &organiser, year))
        .await?;
    Ok(Response::new(pb::ListOrganiserAwardsResponse {
        awards: awards
            .into_iter()
            .map(|(a, stage)| pb::OrganiserAward {
                award: Some(convert::award_out(a)),
                stage: convert::stage_out(stage).into(),
            })
            .collect(),
    }))
}

pub(super) async fn list_award_entries(
    store: &Store,
    request: Request<pb::ListAwardEntriesRequest>,
) -> Result<Response<pb::ListAwardEntriesResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let which = match (req.year, req.version) {
        (0, 0) => Which::Latest,
        (year, 0) => {
            Which::InForce(thidua_domain::term::check_year("year", year).map_err(invalid)?)
        }
        (0, v) => Which::Version(u32::try_from(v).map_err(|_| {
            invalid(FieldViolation::new(
                "version",
                thidua_domain::words!("version-from-one"),
            ))
        })?),
        _ => {
            return Err(invalid(FieldViolation::new(
                "version",
                thidua_domain::words!("year-or-version"),
            )));
        }
    };
    let (chosen, versions) = run
        .run(move |store| app::catalogue::list(store, which))
        .await?;
    Ok(Response::new(pb::ListAwardEntriesResponse {
        entries: chosen.entries.iter().map(convert::entry_out).collect(),
        version: versions
            .iter()
            .find(|(c, _)| c.version == chosen.version)
            .map(|(c, at)| convert::catalogue_version_out(c, *at)),
        versions: versions
            .iter()
            .map(|(c, at)| convert::catalogue_version_out(c, *at))
            .collect(),
    }))
}

pub(super) async fn put_award_catalogue(
    store: &Store,
    request: Request<pb::PutAwardCatalogueRequest>,
) -> Result<Response<pb::PutAwardCatalogueResponse>, Status> {
    let (run, req) = admit(store, request).await?;
    let format = format_in(req.format)?;
    let pb::PutAwardCatalogueRequest {
        content,
        from_year,
        note,
        ..
    } = req;
    let note = thidua_domain::text::optional_text("note", &note, 500).map_err(invalid)?;
    let catalogue = run
        .run(move |store| app::catalogue::put(store, &content, format, from_year, &note))
        .await?;
    Ok(Response::new(pb::PutAwardCatalogueResponse {
        version: Some(convert::catalogue_version_out(&catalogue, Some(app::now()))),
        entries: catalogue.entries.iter().map(convert::entry_out).collect(),
    }))
}
