//! Use cases of API keys and the audit log.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use thidua_domain::{
    Error,
    access::{self, ApiKey, Principal, Role, TOKEN_PREFIX, display_prefix, token_digest},
    audit::{
        BrokenLink, Event, GENESIS, Verifier,
        checkpoint::{AuditKey, Checkpoint},
    },
    time::Timestamp,
    unit::UnitRef,
};
use thidua_storage::{AuditFilter, Page, PageRequest, Store};

use super::now;

/// Longest key label.
pub const MAX_LABEL_CHARS: usize = 200;

/// Events read per transaction while verifying the chain.
const VERIFY_BATCH: i64 = 10_000;

/// A key to create, validated.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// What it is for.
    pub label: String,
    /// The role.
    pub role: Role,
    /// The scope unit; required for every role but admin, refused for admin.
    pub scope: Option<UnitRef>,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
}

/// A fresh bearer secret after `prefix` (`thd_` for keys, `ths_` for share links): 32 bytes
/// from the operating system's generator.
pub(crate) fn new_secret(prefix: &str) -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness for a key: {e}")))?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn key_record(new: &NewKey, token: &str, created_by: String, now: Timestamp) -> ApiKey {
    ApiKey {
        id: uuid::Uuid::now_v7().simple().to_string(),
        label: new.label.clone(),
        role: new.role,
        scope: new.scope.as_ref().map(UnitRef::key),
        display_prefix: display_prefix(token),
        created_at: now,
        created_by,
        expires_at: new.expires_at,
        revoked_at: None,
    }
}

/// Creates a key; returns it and its secret, which is not stored.
pub fn create_key(
    store: &Store,
    creator: &Principal,
    new: NewKey,
) -> Result<(ApiKey, String), Error> {
    let now = now();
    access::check_key_request(new.role, new.scope.as_ref(), new.expires_at, now)?;
    let token = new_secret(TOKEN_PREFIX)?;
    let key = key_record(&new, &token, creator.audit_name(), now);
    store.write(|tx| {
        if let Some(scope) = &new.scope {
            thidua_domain::unit::referenced("api_key.scope", scope, tx.unit(scope)?)?;
        }
        tx.insert_key(&key, &token_digest(&token))
    })?;
    Ok((key, token))
}

/// Creates an administrator key without a caller: `thidua-server bootstrap-admin`, and the
/// first start on a database without keys (`only_if_none`). Returns `None` when keys exist and
/// `only_if_none` is set.
pub fn bootstrap_admin(
    store: &Store,
    only_if_none: bool,
) -> Result<Option<(ApiKey, String)>, Error> {
    let now = now();
    let token = new_secret(TOKEN_PREFIX)?;
    let new = NewKey {
        label: "bootstrap administrator".into(),
        role: Role::Admin,
        scope: None,
        expires_at: None,
    };
    let key = key_record(&new, &token, "bootstrap".into(), now);
    store.write(|tx| {
        if only_if_none && tx.count_keys()? > 0 {
            return Ok(None);
        }
        tx.insert_key(&key, &token_digest(&token))?;
        tx.append_audit(thidua_storage::NewEvent {
            time: now,
            principal: "bootstrap".into(),
            method: "AccessService/CreateApiKey".into(),
            resource: format!("keys/{}", key.id),
            outcome: thidua_domain::audit::Outcome::Ok,
            request_id: String::new(),
            digest: String::new(),
        })?;
        Ok(Some((key.clone(), token.clone())))
    })
}

/// Lists keys.
pub fn list_keys(store: &Store, page: &PageRequest) -> Result<Page<ApiKey>, Error> {
    store.read(|tx| tx.list_keys(page))
}

/// Revokes a key.
pub fn revoke_key(store: &Store, id: &str) -> Result<ApiKey, Error> {
    let now = now();
    store.write(|tx| {
        tx.key(id)?;
        tx.revoke_key(id, now)
    })
}

/// The key of a principal.
pub fn caller(store: &Store, principal: &Principal) -> Result<ApiKey, Error> {
    store.read(|tx| tx.key(&principal.key_id))
}

/// Whether key `key_id` still authenticates (neither revoked nor expired).
pub fn check_key(store: &Store, key_id: &str) -> Result<(), Error> {
    let now = now();
    store.read(|tx| tx.key(key_id))?.check_usable(now)
}

/// Lists audit events.
pub fn list_audit(
    store: &Store,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<Event>, Error> {
    store.read(|tx| tx.list_audit(filter, page))
}

/// Recomputes the whole chain, a batch per transaction, held to `anchor` (a checkpoint and
/// the key that must have signed it) when given; returns how many events matched and the
/// first broken link, if any.
pub fn verify_audit(
    store: &Store,
    anchor: Option<(&Checkpoint, &AuditKey)>,
) -> Result<(i64, Option<BrokenLink>), Error> {
    let mut verifier = match anchor {
        Some((checkpoint, key)) => {
            key.check("checkpoint", checkpoint)?;
            Verifier::anchored(checkpoint)
        }
        None => Verifier::default(),
    };
    loop {
        let after = verifier.checked();
        let batch = store.read(|tx| tx.audit_chain(after, VERIFY_BATCH))?;
        if batch.is_empty() {
            let checked = verifier.checked();
            return Ok((checked, verifier.finish().err()));
        }
        for (event, hash) in &batch {
            if let Err(broken) = verifier.check(event, hash) {
                return Ok((verifier.checked(), Some(broken)));
            }
        }
    }
}

/// Signs the chain's present head with `key` (the genesis link, at position 0, when the log
/// is empty).
pub fn create_checkpoint(store: &Store, key: &AuditKey) -> Result<Checkpoint, Error> {
    let head = store.read(|tx| tx.audit_head())?;
    let (sequence, hash) = head.unwrap_or((0, GENESIS.to_owned()));
    Ok(key.sign(sequence, &hash, now()))
}
