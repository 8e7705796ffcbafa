//! `thidua.v1.AccessService` and `thidua.v1.AuditService`: API keys and the audit log.

use std::sync::Arc;

use thidua_domain::{audit::checkpoint::AuditKey, error::Violations, text, time::Timestamp};
use thidua_proto::v1::{
    self as pb, access_service_server::AccessService, audit_service_server::AuditService,
};
use thidua_storage::{AuditFilter, Store};
use tonic::{Request, Response, Status};

use super::{invalid, invalid_all, page_request, page_token};
use crate::{
    app::{self, keys::NewKey},
    authorization::admit,
    convert,
};

/// The access and audit services over a store.
#[derive(Debug, Clone)]
pub struct Access {
    store: Store,
    /// Signs and checks audit checkpoints; `None` when the server was given none.
    audit_key: Option<Arc<AuditKey>>,
}

impl Access {
    /// The services over `store`, signing audit checkpoints with `audit_key`.
    pub fn new(store: Store, audit_key: Option<Arc<AuditKey>>) -> Self {
        Self { store, audit_key }
    }

    fn audit_key(&self, field: &str) -> Result<Arc<AuditKey>, Status> {
        self.audit_key.clone().ok_or_else(|| {
            invalid(thidua_domain::FieldViolation::new(
                field,
                "this server has no audit key (thidua-server --audit-key FILE)",
            ))
        })
    }
}

#[tonic::async_trait]
impl AccessService for Access {
    async fn create_api_key(
        &self,
        request: Request<pb::CreateApiKeyRequest>,
    ) -> Result<Response<pb::CreateApiKeyResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ApiKey {
            name: _,
            display_name,
            role,
            scope,
            display_prefix: _,
            create_time: _,
            creator: _,
            expire_time,
            revoke_time: _,
        } = req.api_key.unwrap_or_default();
        let mut v = Violations::default();
        let label = v.check(text::required_name(
            "api_key.display_name",
            &display_name,
            app::keys::MAX_LABEL_CHARS,
        ));
        let role = v.check(convert::role_in("api_key.role", role));
        let scope = v.check(convert::optional_unit_name("api_key.scope", &scope));
        let (Some(label), Some(role), Some(scope)) = (label, role, scope) else {
            return Err(invalid_all(v.into_inner()));
        };
        let new = NewKey {
            label,
            role,
            scope,
            expires_at: convert::time_in(expire_time.as_ref()),
        };
        let creator = run.principal().clone();
        let (key, secret) = run
            .run(move |store| app::keys::create_key(store, &creator, new))
            .await?;
        Ok(Response::new(pb::CreateApiKeyResponse {
            api_key: Some(convert::key_out(key)),
            secret,
        }))
    }

    async fn list_api_keys(
        &self,
        request: Request<pb::ListApiKeysRequest>,
    ) -> Result<Response<pb::ListApiKeysResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListApiKeysRequest {
            page_size,
            page_token: token,
        } = req;
        let page = page_request(page_size, &token, "keys")?;
        let keys = run
            .run(move |store| app::keys::list_keys(store, &page))
            .await?;
        Ok(Response::new(pb::ListApiKeysResponse {
            api_keys: keys.items.into_iter().map(convert::key_out).collect(),
            next_page_token: page_token(keys.next, "keys"),
        }))
    }

    async fn revoke_api_key(
        &self,
        request: Request<pb::RevokeApiKeyRequest>,
    ) -> Result<Response<pb::RevokeApiKeyResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let id = convert::key_name("name", &req.name).map_err(invalid)?;
        let key = run
            .run(move |store| app::keys::revoke_key(store, &id))
            .await?;
        Ok(Response::new(pb::RevokeApiKeyResponse {
            api_key: Some(convert::key_out(key)),
        }))
    }

    async fn get_caller(
        &self,
        request: Request<pb::GetCallerRequest>,
    ) -> Result<Response<pb::GetCallerResponse>, Status> {
        let (run, pb::GetCallerRequest {}) = admit(&self.store, request).await?;
        let principal = run.principal().clone();
        let key = run
            .run(move |store| app::keys::caller(store, &principal))
            .await?;
        Ok(Response::new(pb::GetCallerResponse {
            api_key: Some(convert::key_out(key)),
        }))
    }
}

#[tonic::async_trait]
impl AuditService for Access {
    async fn list_audit_events(
        &self,
        request: Request<pb::ListAuditEventsRequest>,
    ) -> Result<Response<pb::ListAuditEventsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListAuditEventsRequest {
            page_size,
            page_token: token,
            principal,
            method,
            resource,
            since,
            refusals_only,
            outcome,
        } = req;
        let since: Option<Timestamp> = convert::time_in(since.as_ref());
        let filters = format!(
            "principal={principal}&method={method}&resource={resource}&since={since:?}&refusals={refusals_only}&outcome={outcome}"
        );
        let outcome = convert::outcome_in("outcome", outcome).map_err(invalid)?;
        let page = page_request(page_size, &token, &filters)?;
        let filter = AuditFilter {
            principal,
            method,
            resource,
            since,
            refusals_only,
            outcome,
        };
        let events = run
            .run(move |store| app::keys::list_audit(store, &filter, &page))
            .await?;
        Ok(Response::new(pb::ListAuditEventsResponse {
            audit_events: events.items.into_iter().map(convert::event_out).collect(),
            next_page_token: page_token(events.next, &filters),
        }))
    }

    async fn verify_audit_chain(
        &self,
        request: Request<pb::VerifyAuditChainRequest>,
    ) -> Result<Response<pb::VerifyAuditChainResponse>, Status> {
        let (run, pb::VerifyAuditChainRequest { checkpoint }) = admit(&self.store, request).await?;
        let anchor = match checkpoint {
            Some(c) => Some((convert::checkpoint_in(c), self.audit_key("checkpoint")?)),
            None => None,
        };
        let (checked, broken) = run
            .run(move |store| {
                app::keys::verify_audit(store, anchor.as_ref().map(|(c, k)| (c, k.as_ref())))
            })
            .await?;
        Ok(Response::new(pb::VerifyAuditChainResponse {
            events_checked: checked,
            intact: broken.is_none(),
            broken_sequence: broken.as_ref().map_or(0, |b| b.seq),
            description: broken
                .map(|b| crate::locale::say(&b.description))
                .unwrap_or_default(),
        }))
    }

    async fn create_audit_checkpoint(
        &self,
        request: Request<pb::CreateAuditCheckpointRequest>,
    ) -> Result<Response<pb::CreateAuditCheckpointResponse>, Status> {
        let (run, pb::CreateAuditCheckpointRequest {}) = admit(&self.store, request).await?;
        let key = self.audit_key("checkpoint")?;
        let checkpoint = run
            .run(move |store| app::keys::create_checkpoint(store, &key))
            .await?;
        Ok(Response::new(pb::CreateAuditCheckpointResponse {
            checkpoint: Some(convert::checkpoint_out(checkpoint)),
        }))
    }
}
