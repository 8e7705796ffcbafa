//! `thidua.v1.TargetService`: criteria tables, versions, term binding and targets.

use thidua_domain::access::Role;

use crate::authorization::admit;
use thidua_domain::{
    criteria, error::Violations, names::TableName, names::TermName, target::TargetInput, text,
};
use thidua_proto::v1::{self as pb, target_service_server::TargetService};
use thidua_storage::Store;
use tonic::{Request, Response, Status};

use super::{format_in, idempotency, invalid, invalid_all, page_request, page_token};
use crate::{app, convert, status::to_status};

/// The target service over a store.
#[derive(Debug, Clone)]
pub struct Targets {
    store: Store,
}

impl Targets {
    /// A service over `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn table_id(field: &str, name: &str) -> Result<String, Status> {
    TableName::parse(field, name)
        .map(|t| t.table_id)
        .map_err(invalid)
}

fn version_ref(field: &str, name: &str) -> Result<(String, i32), Status> {
    convert::version_name(field, name).map_err(invalid)
}

fn term_ref(field: &str, name: &str) -> Result<TermName, Status> {
    convert::term_name(field, name).map_err(invalid)
}

fn etag(field: &str, etag: &str) -> Result<Option<i64>, Status> {
    convert::etag_in(field, etag).map_err(invalid)
}

#[tonic::async_trait]
impl TargetService for Targets {
    async fn create_criteria_table(
        &self,
        request: Request<pb::CreateCriteriaTableRequest>,
    ) -> Result<Response<pb::CreateCriteriaTableResponse>, Status> {
        let (run, mut req) = admit(&self.store, request).await?;
        let request_id = std::mem::take(&mut req.request_id);
        let key = idempotency("CreateCriteriaTable", &request_id, &req)?;
        let pb::CreateCriteriaTableRequest {
            table,
            table_id,
            request_id: _,
        } = req;
        let pb::CriteriaTable {
            name: _,
            title,
            legal_act,
            legal_date,
            scale,
            rounding_step,
            latest_version: _,
            create_time: _,
        } = table.unwrap_or_default();
        let mut v = Violations::default();
        let id = if table_id.is_empty() {
            Some(None)
        } else {
            v.check(criteria::check_table_id("table_id", &table_id))
                .map(|()| Some(table_id))
        };
        let title = v.check(text::required_name(
            "table.title",
            &title,
            criteria::MAX_TITLE_CHARS,
        ));
        let legal_act = v.check(text::optional_text(
            "table.legal_act",
            &text::normalize(&legal_act),
            300,
        ));
        let legal_date = v.check(convert::date_in("table.legal_date", legal_date.as_ref()));
        let scale = v.check(convert::decimal_in("table.scale", scale.as_ref()));
        let step = v.check(convert::decimal_in(
            "table.rounding_step",
            rounding_step.as_ref(),
        ));
        let (
            Some(id),
            Some(title),
            Some(legal_act),
            Some(legal_date),
            Some(scale),
            Some(rounding_step),
        ) = (id, title, legal_act, legal_date, scale, step)
        else {
            return Err(invalid_all(v.into_inner()));
        };
        // An organiser's table belongs to its unit: only that organiser (and administrators)
        // may edit, import or publish it.
        let owner = match run.principal().role {
            Role::Organiser => run.principal().scope.clone(),
            _ => None,
        };
        let new = app::tables::NewTable {
            id,
            title,
            legal_act,
            legal_date,
            scale,
            rounding_step,
            owner,
        };
        let (table, latest) = run
            .run(move |store| app::tables::create(store, new, key))
            .await?;
        Ok(Response::new(pb::CreateCriteriaTableResponse {
            table: Some(convert::table_out(&table, latest)),
        }))
    }

    async fn get_criteria_table(
        &self,
        request: Request<pb::GetCriteriaTableRequest>,
    ) -> Result<Response<pb::GetCriteriaTableResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetCriteriaTableRequest { name } = req;
        let id = table_id("name", &name)?;
        let (table, latest) = run.run(move |store| app::tables::get(store, &id)).await?;
        Ok(Response::new(pb::GetCriteriaTableResponse {
            table: Some(convert::table_out(&table, latest)),
        }))
    }

    async fn list_criteria_tables(
        &self,
        request: Request<pb::ListCriteriaTablesRequest>,
    ) -> Result<Response<pb::ListCriteriaTablesResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListCriteriaTablesRequest {
            page_size,
            page_token: token,
        } = req;
        let page = page_request(page_size, &token, "criteriaTables")?;
        let page = run
            .run(move |store| app::tables::list(store, &page))
            .await?;
        Ok(Response::new(pb::ListCriteriaTablesResponse {
            tables: page
                .items
                .iter()
                .map(|(t, n)| convert::table_out(t, *n))
                .collect(),
            next_page_token: page_token(page.next, "criteriaTables"),
        }))
    }

    async fn edit_criteria_table(
        &self,
        request: Request<pb::EditCriteriaTableRequest>,
    ) -> Result<Response<pb::EditCriteriaTableResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::EditCriteriaTableRequest {
            table,
            groups,
            etag: tag,
        } = req;
        let id = table_id("table", &table)?;
        let tag = etag("etag", &tag)?;
        let groups = convert::groups_in(&groups).map_err(to_status)?;
        let (table, version) = run
            .run(move |store| app::tables::edit(store, &id, groups, tag, None))
            .await?;
        Ok(Response::new(pb::EditCriteriaTableResponse {
            version: Some(convert::version_out(&table, version.number, &version)),
        }))
    }

    async fn import_criteria_table(
        &self,
        request: Request<pb::ImportCriteriaTableRequest>,
    ) -> Result<Response<pb::ImportCriteriaTableResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ImportCriteriaTableRequest {
            table,
            content,
            format,
            etag: tag,
        } = req;
        let id = table_id("table", &table)?;
        let format = format_in(format)?;
        let tag = etag("etag", &tag)?;
        let (table, version) = run
            .run_bulk(move |store| app::tables::import(store, &id, &content, format, tag))
            .await?;
        Ok(Response::new(pb::ImportCriteriaTableResponse {
            version: Some(convert::version_out(&table, version.number, &version)),
        }))
    }

    async fn export_criteria_table(
        &self,
        request: Request<pb::ExportCriteriaTableRequest>,
    ) -> Result<Response<pb::ExportCriteriaTableResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ExportCriteriaTableRequest { name, format } = req;
        let (id, number) = version_ref("name", &name)?;
        let format = format_in(format)?;
        let (content, file_name) = run
            .run(move |store| app::tables::export(store, &id, number, format))
            .await?;
        Ok(Response::new(pb::ExportCriteriaTableResponse {
            content,
            file_name,
        }))
    }

    async fn publish_table_version(
        &self,
        request: Request<pb::PublishTableVersionRequest>,
    ) -> Result<Response<pb::PublishTableVersionResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::PublishTableVersionRequest { name, etag: tag } = req;
        let (id, number) = version_ref("name", &name)?;
        let tag = etag("etag", &tag)?;
        let (table, version) = run
            .run(move |store| app::tables::publish(store, &id, number, tag))
            .await?;
        Ok(Response::new(pb::PublishTableVersionResponse {
            version: Some(convert::version_out(&table, version.number, &version)),
        }))
    }

    async fn get_table_version(
        &self,
        request: Request<pb::GetTableVersionRequest>,
    ) -> Result<Response<pb::GetTableVersionResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::GetTableVersionRequest { name } = req;
        let (id, number) = version_ref("name", &name)?;
        let (table, version) = run
            .run(move |store| app::tables::version(store, &id, number))
            .await?;
        Ok(Response::new(pb::GetTableVersionResponse {
            version: Some(convert::version_out(
                &table,
                version.number.max(number),
                &version,
            )),
        }))
    }

    async fn list_table_versions(
        &self,
        request: Request<pb::ListTableVersionsRequest>,
    ) -> Result<Response<pb::ListTableVersionsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListTableVersionsRequest { parent } = req;
        let id = table_id("parent", &parent)?;
        let (table, versions) = run
            .run(move |store| app::tables::versions(store, &id))
            .await?;
        let latest = versions.last().map_or(0, |v| v.number);
        Ok(Response::new(pb::ListTableVersionsResponse {
            versions: versions
                .iter()
                .map(|v| convert::version_out(&table, latest, v))
                .collect(),
        }))
    }

    async fn apply_criteria_table(
        &self,
        request: Request<pb::ApplyCriteriaTableRequest>,
    ) -> Result<Response<pb::ApplyCriteriaTableResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ApplyCriteriaTableRequest {
            term,
            table_version,
        } = req;
        let term = term_ref("term", &term)?;
        let (id, number) = version_ref("table_version", &table_version)?;
        let view = run
            .run(move |store| app::targets::apply(store, &term, &id, number))
            .await?;
        Ok(Response::new(pb::ApplyCriteriaTableResponse {
            targets: Some(convert::targets_out(view)),
        }))
    }

    async fn set_targets(
        &self,
        request: Request<pb::SetTargetsRequest>,
    ) -> Result<Response<pb::SetTargetsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::SetTargetsRequest { term, targets } = req;
        let term = term_ref("term", &term)?;
        let mut v = Violations::default();
        let mut inputs = Vec::with_capacity(targets.len());
        for (i, t) in targets.into_iter().enumerate() {
            let pb::Target {
                criterion_code,
                unit,
                value,
            } = t;
            let at = format!("targets[{i}]");
            let unit = v.check(convert::optional_unit_name(&format!("{at}.unit"), &unit));
            let value = value.map(|d| d.value);
            if value.is_none() {
                v.add(format!("{at}.value"), thidua_domain::words!("required"));
            }
            if let (Some(unit), Some(value)) = (unit, value) {
                inputs.push(TargetInput {
                    at,
                    value_field: "value".into(),
                    unit,
                    code: criterion_code.trim().to_owned(),
                    value,
                });
            }
        }
        if !v.is_empty() {
            return Err(invalid_all(v.into_inner()));
        }
        let view = run
            .run(move |store| app::targets::set(store, &term, inputs))
            .await?;
        Ok(Response::new(pb::SetTargetsResponse {
            targets: Some(convert::targets_out(view)),
        }))
    }

    async fn list_targets(
        &self,
        request: Request<pb::ListTargetsRequest>,
    ) -> Result<Response<pb::ListTargetsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListTargetsRequest { term } = req;
        let term = term_ref("term", &term)?;
        let view = run
            .run(move |store| app::targets::list(store, &term))
            .await?;
        Ok(Response::new(pb::ListTargetsResponse {
            targets: Some(convert::targets_out(view)),
        }))
    }

    async fn import_targets(
        &self,
        request: Request<pb::ImportTargetsRequest>,
    ) -> Result<Response<pb::ImportTargetsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ImportTargetsRequest {
            term,
            content,
            format,
        } = req;
        let term = term_ref("term", &term)?;
        let format = format_in(format)?;
        let (view, warnings) = run
            .run_bulk(move |store| app::targets::import(store, &term, &content, format))
            .await?;
        Ok(Response::new(pb::ImportTargetsResponse {
            targets: Some(convert::targets_out(view)),
            warnings: crate::locale::say_all(&warnings),
        }))
    }

    async fn export_targets(
        &self,
        request: Request<pb::ExportTargetsRequest>,
    ) -> Result<Response<pb::ExportTargetsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ExportTargetsRequest { term, format } = req;
        let term = term_ref("term", &term)?;
        let format = format_in(format)?;
        let (content, file_name) = run
            .run(move |store| app::targets::export(store, &term, format))
            .await?;
        Ok(Response::new(pb::ExportTargetsResponse {
            content,
            file_name,
        }))
    }
}
