//! API keys and audit events ⇄ proto.

use thidua_domain::{
    FieldViolation,
    access::{ApiKey, Role},
    audit::{Event, Outcome, checkpoint::Checkpoint},
    time::Timestamp,
};
use thidua_proto::v1 as pb;

use super::{time_in, time_out};

/// Reads a role.
pub fn role_in(field: &str, role: i32) -> Result<Role, FieldViolation> {
    match pb::Role::try_from(role).unwrap_or(pb::Role::Unspecified) {
        pb::Role::Admin => Ok(Role::Admin),
        pb::Role::Organiser => Ok(Role::Organiser),
        pb::Role::Reporter => Ok(Role::Reporter),
        pb::Role::Observer => Ok(Role::Observer),
        pb::Role::Unspecified => Err(FieldViolation::new(
            field,
            thidua_domain::words!("role-required"),
        )),
    }
}

/// Writes a role.
pub fn role_out(role: Role) -> pb::Role {
    match role {
        Role::Admin => pb::Role::Admin,
        Role::Organiser => pb::Role::Organiser,
        Role::Reporter => pb::Role::Reporter,
        Role::Observer => pb::Role::Observer,
    }
}

/// Parses `keys/{id}`.
pub fn key_name(field: &str, name: &str) -> Result<String, FieldViolation> {
    name.strip_prefix("keys/")
        .filter(|id| {
            !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
        })
        .map(str::to_owned)
        .ok_or_else(|| {
            thidua_domain::names::refused(
                field,
                name,
                thidua_domain::words!("name-key"),
                "keys/{id}",
            )
        })
}

/// Writes a key, never its secret (which is not stored).
pub fn key_out(k: ApiKey) -> pb::ApiKey {
    let ApiKey {
        id,
        label,
        role,
        scope,
        display_prefix,
        created_at,
        created_by,
        expires_at,
        revoked_at,
    } = k;
    pb::ApiKey {
        name: format!("keys/{id}"),
        display_name: label,
        role: role_out(role).into(),
        scope: scope.map(|s| format!("units/{s}")).unwrap_or_default(),
        display_prefix,
        create_time: time_out(created_at),
        creator: created_by,
        expire_time: expires_at.and_then(time_out),
        revoke_time: revoked_at.and_then(time_out),
    }
}

/// Writes an audit event.
pub fn event_out(e: Event) -> pb::AuditEvent {
    let Event {
        seq,
        time,
        principal,
        method,
        resource,
        outcome,
        request_id,
        digest,
    } = e;
    pb::AuditEvent {
        sequence: seq,
        time: time_out(time),
        principal,
        method,
        resource,
        outcome: Outcome::from_stored(&outcome)
            .map_or(pb::AuditOutcome::Unspecified, outcome_out)
            .into(),
        request_id,
        digest,
    }
}

/// Writes an audit outcome.
pub fn outcome_out(o: Outcome) -> pb::AuditOutcome {
    match o {
        Outcome::Ok => pb::AuditOutcome::Ok,
        Outcome::Cancelled => pb::AuditOutcome::Cancelled,
        Outcome::InvalidArgument => pb::AuditOutcome::InvalidArgument,
        Outcome::NotFound => pb::AuditOutcome::NotFound,
        Outcome::AlreadyExists => pb::AuditOutcome::AlreadyExists,
        Outcome::PermissionDenied => pb::AuditOutcome::PermissionDenied,
        Outcome::ResourceExhausted => pb::AuditOutcome::ResourceExhausted,
        Outcome::FailedPrecondition => pb::AuditOutcome::FailedPrecondition,
        Outcome::Aborted => pb::AuditOutcome::Aborted,
        Outcome::Internal => pb::AuditOutcome::Internal,
        Outcome::Unavailable => pb::AuditOutcome::Unavailable,
        Outcome::Unauthenticated => pb::AuditOutcome::Unauthenticated,
    }
}

/// Reads an audit outcome filter: `None` for unspecified (any outcome).
pub fn outcome_in(field: &str, value: i32) -> Result<Option<Outcome>, FieldViolation> {
    let wanted = pb::AuditOutcome::try_from(value).map_err(|_| {
        FieldViolation::new(
            field,
            thidua_domain::words!("not-an-outcome", value = value),
        )
    })?;
    Ok(Outcome::ALL.into_iter().find(|o| outcome_out(*o) == wanted))
}

/// Writes an audit checkpoint.
pub fn checkpoint_out(c: Checkpoint) -> pb::AuditCheckpoint {
    let Checkpoint {
        sequence,
        hash,
        time,
        key_id,
        signature,
    } = c;
    pb::AuditCheckpoint {
        sequence,
        hash,
        create_time: time_out(time),
        key_id,
        signature,
    }
}

/// Reads an audit checkpoint (its signature is checked by the audit key, not here).
pub fn checkpoint_in(c: pb::AuditCheckpoint) -> Checkpoint {
    let pb::AuditCheckpoint {
        sequence,
        hash,
        create_time,
        key_id,
        signature,
    } = c;
    Checkpoint {
        sequence,
        hash,
        time: time_in(create_time.as_ref()).unwrap_or(Timestamp(0)),
        key_id,
        signature,
    }
}

/// A scoreboard share link, without its token.
pub fn share_out(s: thidua_domain::access::share::ScoreboardShare) -> pb::ScoreboardShare {
    let thidua_domain::access::share::ScoreboardShare {
        name,
        label,
        created_at,
        created_by,
        expires_at,
        revoked_at,
    } = s;
    pb::ScoreboardShare {
        name: name.to_string(),
        display_name: label,
        create_time: time_out(created_at),
        creator: created_by,
        expire_time: time_out(expires_at),
        revoke_time: revoked_at.and_then(time_out),
    }
}
