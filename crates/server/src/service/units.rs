//! `thidua.v1.UnitService`.

use crate::authorization::{Call, Scope, admit};
use thidua_domain::{
    error::Violations,
    import::ImportRow,
    time::Validity,
    unit::{self, Scheme, UnitPatch},
};
use thidua_proto::v1::{self as pb, unit_service_server::UnitService};
use thidua_storage::{Store, UnitFilter};
use tonic::{Request, Response, Status, Streaming};

use super::{
    format_in, idempotency, invalid, invalid_all, line_of, mask_paths, page_request, page_token,
    uploads::read_upload,
};
use crate::{app, convert};

/// Rows one import may carry: the national legacy list has 11,367; this leaves ample room
/// while bounding the memory one stream can claim.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// The unit service over a store.
#[derive(Debug, Clone)]
pub struct Units {
    store: Store,
}

impl Units {
    /// A service over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[tonic::async_trait]
impl UnitService for Units {
    async fn create_unit(
        &self,
        request: Request<pb::CreateUnitRequest>,
    ) -> Result<Response<pb::CreateUnitResponse>, Status> {
        let (run, mut req) = admit(&self.store, request).await?;
        let request_id = std::mem::take(&mut req.request_id);
        let key = idempotency("CreateUnit", &request_id, &req)?;
        let pb::Unit {
            name: _,
            scheme,
            code,
            display_name,
            kind,
            parent,
            valid_from,
            valid_to,
            create_time: _,
            update_time: _,
            etag: _,
        } = req.unit.unwrap_or_default();
        let draft = app::units::draft(
            &scheme,
            &code,
            &display_name,
            convert::unit_kind_in("unit.kind", kind),
            convert::optional_unit_name("unit.parent", &parent),
            convert::date_in("unit.valid_from", valid_from.as_ref()),
            convert::date_in("unit.valid_to", valid_to.as_ref()),
        )
        .map_err(crate::status::to_status)?;
        let unit = run
            .run(move |store| app::units::create(store, draft, key))
            .await?;
        Ok(Response::new(pb::CreateUnitResponse {
            unit: Some(convert::unit_out(unit)),
        }))
    }

    async fn get_unit(
        &self,
        request: Request<pb::GetUnitRequest>,
    ) -> Result<Response<pb::GetUnitResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetUnitRequest { name } = req;
        let id = convert::unit_name("name", &name).map_err(invalid)?;
        let (unit, periods) = run
            .run(move |store| app::units::get_with_periods(store, &id))
            .await?;
        Ok(Response::new(pb::GetUnitResponse {
            unit: Some(convert::unit_out(unit)),
            past_periods: periods
                .into_iter()
                .map(|p| pb::UnitPeriod {
                    valid_until: convert::date_out(Some(p.until)),
                    display_name: p.name,
                    kind: convert::unit_kind_out(p.kind).into(),
                    parent: p.parent.map(|u| u.to_string()).unwrap_or_default(),
                })
                .collect(),
        }))
    }

    async fn list_units(
        &self,
        request: Request<pb::ListUnitsRequest>,
    ) -> Result<Response<pb::ListUnitsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListUnitsRequest {
            page_size,
            page_token: token,
            scheme,
            parent,
            kind,
            valid_on,
            search,
        } = req;
        let mut v = Violations::default();
        let scheme = if scheme.is_empty() {
            None
        } else {
            v.check(Scheme::parse_field("scheme", &scheme))
        };
        let parent = v
            .check(convert::optional_unit_name("parent", &parent))
            .flatten();
        let kind = if kind == 0 {
            None
        } else {
            v.check(convert::unit_kind_in("kind", kind))
        };
        let valid_on = v
            .check(convert::date_in("valid_on", valid_on.as_ref()))
            .flatten();
        let search = Some(search.trim().to_owned()).filter(|s| !s.is_empty());
        if !v.is_empty() {
            return Err(invalid_all(v.into_inner()));
        }
        let filter = UnitFilter {
            scheme,
            parent,
            kind,
            valid_on,
            search,
        };
        let fingerprint = format!("{filter:?}");
        let page = page_request(page_size, &token, &fingerprint)?;
        let page = run
            .run(move |store| app::units::list(store, &filter, &page))
            .await?;
        Ok(Response::new(pb::ListUnitsResponse {
            units: page.items.into_iter().map(convert::unit_out).collect(),
            next_page_token: page_token(page.next, &fingerprint),
        }))
    }

    async fn update_unit(
        &self,
        request: Request<pb::UpdateUnitRequest>,
    ) -> Result<Response<pb::UpdateUnitResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::UpdateUnitRequest {
            unit,
            update_mask,
            effective_date,
        } = req;
        let pb::Unit {
            name,
            scheme: _,
            code: _,
            display_name,
            kind,
            parent,
            valid_from,
            valid_to,
            create_time: _,
            update_time: _,
            etag,
        } = unit.unwrap_or_default();
        let paths = mask_paths(
            update_mask,
            &["display_name", "kind", "parent", "valid_from", "valid_to"],
        )?;
        let mut v = Violations::default();
        let id = v.check(convert::unit_name("unit.name", &name));
        let etag = v.check(convert::etag_in("unit.etag", &etag)).flatten();
        let mut patch = UnitPatch::default();
        for path in &paths {
            match path.as_str() {
                "display_name" => {
                    patch.name = v.check(unit::validate_name("unit.display_name", &display_name))
                }
                "kind" => patch.kind = v.check(convert::unit_kind_in("unit.kind", kind)),
                "parent" => {
                    patch.parent = v.check(convert::optional_unit_name("unit.parent", &parent))
                }
                "valid_from" => {
                    patch.valid_from =
                        v.check(convert::date_in("unit.valid_from", valid_from.as_ref()))
                }
                "valid_to" => {
                    patch.valid_to = v.check(convert::date_in("unit.valid_to", valid_to.as_ref()))
                }
                _ => {}
            }
        }
        let from = v
            .check(convert::date_in("effective_date", effective_date.as_ref()))
            .flatten();
        let Some(id) = id.filter(|_| v.is_empty()) else {
            return Err(invalid_all(v.into_inner()));
        };
        let unit = run
            .run(move |store| app::units::update(store, &id, etag, patch, from))
            .await?;
        Ok(Response::new(pb::UpdateUnitResponse {
            unit: Some(convert::unit_out(unit)),
        }))
    }

    async fn import_units(
        &self,
        request: Request<Streaming<pb::ImportUnitsRequest>>,
    ) -> Result<Response<pb::ImportUnitsResponse>, Status> {
        let (call, mut stream) = Call::open_stream(request)?;
        // Refuse before reading the upload; admitted again below with the upload's digest.
        drop(
            call.clone()
                .admit(&self.store, Scope::Collection("units"))
                .await?,
        );
        let (header, all_rows) = read_upload(&mut stream, MAX_IMPORT_ROWS).await?;
        let rows: Vec<ImportRow> = all_rows
            .iter()
            .enumerate()
            .map(|(i, row)| ImportRow {
                line: line_of(row.line, i + 1),
                code: row.code.clone(),
                name: row.name.clone(),
                kind: row.kind.clone(),
                parent_code: row.parent_code.clone(),
            })
            .collect();
        let pb::ImportUnitsRequest {
            scheme,
            request_id,
            valid_from,
            valid_to,
            rows: _,
        } = header;
        let mut v = Violations::default();
        let scheme = v.check(Scheme::parse_field("scheme", &scheme));
        let from = v.check(convert::date_in("valid_from", valid_from.as_ref()));
        let to = v.check(convert::date_in("valid_to", valid_to.as_ref()));
        let validity = match (from, to) {
            (Some(f), Some(t)) => v.check(Validity::new(f, t, "valid_to")),
            _ => None,
        };
        let (Some(scheme), Some(validity)) = (scheme, validity) else {
            return Err(invalid_all(v.into_inner()));
        };
        let digest_source = pb::ImportUnitsRequest {
            scheme: scheme.as_str().to_owned(),
            request_id: String::new(),
            valid_from,
            valid_to,
            rows: all_rows,
        };
        let key = idempotency("ImportUnits", &request_id, &digest_source)?;
        let run = call
            .request_id(&request_id)
            .digest(&digest_source)
            .admit(&self.store, Scope::Collection("units"))
            .await?;
        let outcome = run
            .run_bulk(move |store| app::units::import(store, scheme, validity, &rows, key))
            .await?;
        Ok(Response::new(pb::ImportUnitsResponse {
            rows_total: outcome.rows,
            units_created: outcome.created,
            units_unchanged: outcome.unchanged,
            replayed: outcome.replayed,
        }))
    }

    async fn create_lineage_link(
        &self,
        request: Request<pb::CreateLineageLinkRequest>,
    ) -> Result<Response<pb::CreateLineageLinkResponse>, Status> {
        let (run, mut req) = admit(&self.store, request).await?;
        let request_id = std::mem::take(&mut req.request_id);
        let key = idempotency("CreateLineageLink", &request_id, &req)?;
        let pb::LineageLink {
            name: _,
            kind,
            unit,
            related_unit,
            legal_act,
            effective_date,
            note,
            create_time: _,
            share,
        } = req.link.unwrap_or_default();
        let mut v = Violations::default();
        let kind = v.check(convert::lineage_kind_in("link.kind", kind));
        let share = v.check(convert::lineage_share_in("link.share", share));
        let unit = v.check(convert::unit_name("link.unit", &unit));
        let related = v.check(convert::unit_name("link.related_unit", &related_unit));
        let effective = v
            .check(convert::date_in(
                "link.effective_date",
                effective_date.as_ref(),
            ))
            .flatten();
        if effective_date.is_none() {
            v.add(
                "link.effective_date",
                thidua_domain::words!("effective-date-required"),
            );
        }
        let legal_act = v.check(thidua_domain::text::optional_text(
            "link.legal_act",
            &legal_act,
            300,
        ));
        let note = v.check(thidua_domain::text::optional_text("link.note", &note, 2000));
        let (
            Some(kind),
            Some(share),
            Some(unit),
            Some(related),
            Some(effective_date),
            Some(legal_act),
            Some(note),
        ) = (kind, share, unit, related, effective, legal_act, note)
        else {
            return Err(invalid_all(v.into_inner()));
        };
        let link = app::lineage::NewLink {
            kind,
            unit,
            related,
            share,
            legal_act,
            effective_date,
            note,
        };
        let link = run
            .run(move |store| app::lineage::create_link(store, link, key))
            .await?;
        Ok(Response::new(pb::CreateLineageLinkResponse {
            link: Some(convert::link_out(link)),
        }))
    }

    async fn list_lineage_links(
        &self,
        request: Request<pb::ListLineageLinksRequest>,
    ) -> Result<Response<pb::ListLineageLinksResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListLineageLinksRequest { unit } = req;
        let id = convert::unit_name("unit", &unit).map_err(invalid)?;
        let links = run
            .run(move |store| app::lineage::links(store, &id))
            .await?;
        Ok(Response::new(pb::ListLineageLinksResponse {
            links: links.into_iter().map(convert::link_out).collect(),
        }))
    }

    async fn get_unit_history(
        &self,
        request: Request<pb::GetUnitHistoryRequest>,
    ) -> Result<Response<pb::GetUnitHistoryResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetUnitHistoryRequest { unit, from_year } = req;
        let id = convert::unit_name("unit", &unit).map_err(invalid)?;
        let from = (from_year != 0).then_some(from_year);
        let principal = run.principal().clone();
        let years = run
            .run(move |store| {
                app::history::unit_history(store, &id, from, |tx, term| {
                    crate::authorization::may_read_term(tx, &principal, term)
                })
            })
            .await?;
        Ok(Response::new(pb::GetUnitHistoryResponse {
            years: years.into_iter().map(convert::unit_year_out).collect(),
        }))
    }

    async fn import_lineage(
        &self,
        request: Request<pb::ImportLineageRequest>,
    ) -> Result<Response<pb::ImportLineageResponse>, Status> {
        let (run, mut req) = admit(&self.store, request).await?;
        let request_id = std::mem::take(&mut req.request_id);
        let key = idempotency("ImportLineage", &request_id, &req)?;
        let pb::ImportLineageRequest {
            from_scheme,
            to_scheme,
            effective_date,
            legal_act,
            content,
            format,
            request_id: _,
        } = req;
        let format = format_in(format)?;
        let mut v = Violations::default();
        let from = v.check(Scheme::parse_field("from_scheme", &from_scheme));
        let to = v.check(Scheme::parse_field("to_scheme", &to_scheme));
        let date = v
            .check(convert::date_in("effective_date", effective_date.as_ref()))
            .flatten();
        if effective_date.is_none() {
            v.add(
                "effective_date",
                thidua_domain::words!("effective-date-required"),
            );
        }
        let legal_act = v.check(thidua_domain::text::optional_text(
            "legal_act",
            &legal_act,
            300,
        ));
        let (Some(from), Some(to), Some(date), Some(legal_act)) = (from, to, date, legal_act)
        else {
            return Err(invalid_all(v.into_inner()));
        };
        let outcome = run
            .run_bulk(move |store| {
                let sheet = crate::sheets::read(&content, format)?;
                let rows =
                    thidua_domain::lineage::import::lineage_rows(&sheet.header, &sheet.rows)?;
                crate::metrics::import_rows("lineage", rows.len());
                let file = app::lineage::LineageImport {
                    from,
                    to,
                    date,
                    legal_act,
                    rows,
                };
                app::lineage::import_lineage(store, file, key)
            })
            .await?;
        Ok(Response::new(pb::ImportLineageResponse {
            rows_total: outcome.rows,
            links_created: outcome.created,
            links_unchanged: outcome.unchanged,
            units_ended: outcome.units_ended,
            replayed: outcome.replayed,
        }))
    }
}
