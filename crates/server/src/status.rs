//! The one place where domain errors become gRPC statuses, with rich details (`tonic-types`).

use std::collections::HashMap;

use thidua_domain::{Error, audit::Outcome};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// `ErrorInfo.domain` of every thidua error.
pub const ERROR_DOMAIN: &str = "thidua.v1";

/// Field violations sent in one status at most; the message says how many there were. Status
/// details travel in a trailer, and HTTP/2 peers refuse header blocks much over 16 KiB.
pub const MAX_FIELD_VIOLATIONS: usize = 100;

/// The gRPC code of a domain error: the same code [`to_status`] answers with.
pub fn code_of(error: &Error) -> Code {
    match Outcome::of(error) {
        Outcome::Ok => Code::Ok,
        Outcome::Cancelled => Code::Cancelled,
        Outcome::InvalidArgument => Code::InvalidArgument,
        Outcome::NotFound => Code::NotFound,
        Outcome::AlreadyExists => Code::AlreadyExists,
        Outcome::PermissionDenied => Code::PermissionDenied,
        Outcome::ResourceExhausted => Code::ResourceExhausted,
        Outcome::FailedPrecondition => Code::FailedPrecondition,
        Outcome::Aborted => Code::Aborted,
        Outcome::Internal => Code::Internal,
        Outcome::Unavailable => Code::Unavailable,
        Outcome::Unauthenticated => Code::Unauthenticated,
    }
}

/// Maps a domain error to a status. Internal details are logged, never sent.
pub fn to_status(error: Error) -> Status {
    let reason = error.reason().as_str();
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
    match error {
        Error::Invalid(violations) => {
            let total = violations.len();
            for v in violations.iter().take(MAX_FIELD_VIOLATIONS) {
                details.add_bad_request_violation(&v.field, &v.description);
            }
            let message = if total > MAX_FIELD_VIOLATIONS {
                format!("{total} invalid fields; the first {MAX_FIELD_VIOLATIONS} are listed")
            } else if total == 1 {
                format!("invalid argument: {}", violations[0])
            } else {
                format!("{total} invalid fields")
            };
            Status::with_error_details(Code::InvalidArgument, message, details)
        }
        Error::NotFound { resource } => {
            details.set_resource_info(resource_type(&resource), &resource, "", "not found");
            Status::with_error_details(Code::NotFound, format!("{resource} not found"), details)
        }
        Error::AlreadyExists {
            resource,
            description,
            ..
        } => {
            details.set_resource_info(resource_type(&resource), &resource, "", "already exists");
            Status::with_error_details(Code::AlreadyExists, description, details)
        }
        Error::FailedPrecondition {
            reason,
            subject,
            description,
        } => {
            details.add_precondition_failure_violation(reason.as_str(), &subject, &description);
            Status::with_error_details(Code::FailedPrecondition, description, details)
        }
        Error::Preconditions {
            reason,
            description,
            violations,
        } => {
            for (subject, what) in violations.iter().take(MAX_FIELD_VIOLATIONS) {
                details.add_precondition_failure_violation(reason.as_str(), subject, what);
            }
            Status::with_error_details(Code::FailedPrecondition, description, details)
        }
        Error::Aborted { resource } => Status::with_error_details(
            Code::Aborted,
            format!("{resource} was changed since it was read (stale etag); read it again"),
            details,
        ),
        Error::Unauthenticated(why) => {
            Status::with_error_details(Code::Unauthenticated, why, details)
        }
        Error::PermissionDenied { method } => Status::with_error_details(
            Code::PermissionDenied,
            format!("{method} is not allowed for this key on this resource"),
            details,
        ),
        Error::ResourceExhausted(why) => {
            Status::with_error_details(Code::ResourceExhausted, why, details)
        }
        Error::Cancelled => Status::with_error_details(
            Code::Cancelled,
            "the call was cancelled or ran past its deadline; nothing was saved",
            details,
        ),
        Error::Unavailable(cause) => {
            tracing::warn!(%cause, "storage unavailable");
            Status::with_error_details(
                Code::Unavailable,
                "the database is unavailable; retry later",
                details,
            )
        }
        Error::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            Status::with_error_details(Code::Internal, "internal error", details)
        }
    }
}

/// The collection of a resource name: `units/x` → `units`, `clusters/a/terms/2022` → `terms`.
fn resource_type(resource: &str) -> String {
    let parts: Vec<&str> = resource.split('/').collect();
    let n = parts.len();
    if n >= 2 {
        parts[n - 2].to_owned()
    } else {
        parts.first().copied().unwrap_or("").to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thidua_domain::{FieldViolation, Reason};

    #[test]
    fn validation_errors_carry_every_field_up_to_the_cap() {
        let many: Vec<_> = (0..250)
            .map(|i| FieldViolation::new(format!("rows[{i}].code"), "bad"))
            .collect();
        let status = to_status(Error::Invalid(many));
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        assert_eq!(
            details.bad_request().map(|b| b.field_violations.len()),
            Some(MAX_FIELD_VIOLATIONS)
        );
        assert!(status.message().contains("250"));
        assert_eq!(
            details.error_info().map(|i| i.reason.as_str()),
            Some("INVALID_ARGUMENT")
        );
    }

    #[test]
    fn codes_follow_the_error_kind() {
        let cases = [
            (
                Error::NotFound {
                    resource: "units/x".into(),
                },
                Code::NotFound,
            ),
            (
                Error::precondition(Reason::CovenantSigned, "t", "signed"),
                Code::FailedPrecondition,
            ),
            (
                Error::Aborted {
                    resource: "t".into(),
                },
                Code::Aborted,
            ),
            (Error::Unavailable("down".into()), Code::Unavailable),
            (Error::Internal("SELECT secret".into()), Code::Internal),
            (
                Error::Unauthenticated("revoked".into()),
                Code::Unauthenticated,
            ),
            (
                Error::PermissionDenied {
                    method: "ScoringService/RecordScore".into(),
                },
                Code::PermissionDenied,
            ),
            (
                Error::ResourceExhausted("rate".into()),
                Code::ResourceExhausted,
            ),
            (Error::Cancelled, Code::Cancelled),
            (Error::invalid("f", "bad"), Code::InvalidArgument),
        ];
        for (error, code) in cases {
            assert_eq!(code_of(&error), code);
            let status = to_status(error);
            assert_eq!(status.code(), code);
            assert!(!status.message().contains("SELECT"));
        }
    }
}
