//! The one place where domain errors become gRPC statuses, with rich details (`tonic-types`).

use std::collections::HashMap;

use thidua_domain::{Error, Words, audit::Outcome};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// `ErrorInfo.domain` of every thidua error.
pub const ERROR_DOMAIN: &str = "thidua.v1";

/// Field violations sent in one status at most; the message says how many there were. Status
/// details travel in a trailer, and HTTP/2 peers refuse header blocks much over 16 KiB.
pub const MAX_FIELD_VIOLATIONS: usize = 100;

/// Characters of any one text (a violation's description, a resource name, a message) sent in
/// a status; longer ones are cut with `…`. Invalid input is often quoted in its violation, and
/// a client's own metadata limit would otherwise replace the whole error with its own.
pub const MAX_TEXT_CHARS: usize = 200;

/// Bytes of field violations sent in one status at most, besides their count.
pub const MAX_DETAIL_BYTES: usize = 8 * 1024;

/// `text`, cut to [`MAX_TEXT_CHARS`] characters.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    thidua_domain::text::cut(text, MAX_TEXT_CHARS)
}

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

/// Maps a domain error to a status, in the language of the call ([`crate::locale::current`]):
/// the status's message, the field and precondition violations' descriptions and the
/// `LocalizedMessage` are worded from the catalogues; `ErrorInfo.reason`, the fields' paths and
/// the resources' names stay as they are, for programs. Internal details are logged, never
/// sent.
pub fn to_status(error: Error) -> Status {
    let reason = error.reason().as_str();
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
    let language = crate::locale::current();
    let say = |w: &Words| w.in_language(language);
    let text = |id: &str, args: &[(&'static str, String)]| crate::locale::text(language, id, args);
    details.set_localized_message(
        language.tag(),
        crate::locale::reason_text(error.reason(), language),
    );
    match error {
        Error::Invalid(violations) => {
            let total = violations.len();
            let mut listed = 0;
            let mut bytes = 0;
            let mut first = None;
            for v in violations.iter().take(MAX_FIELD_VIOLATIONS) {
                let description = say(&v.description);
                let (field, description) = (clip(&v.field), clip(&description).into_owned());
                bytes += field.len() + description.len();
                if bytes > MAX_DETAIL_BYTES {
                    break;
                }
                first.get_or_insert_with(|| (field.clone().into_owned(), description.clone()));
                details.add_bad_request_violation(field, description);
                listed += 1;
            }
            let message = match first {
                Some((field, description)) if total == 1 => text(
                    "status-invalid-one",
                    &[("field", field), ("description", description)],
                ),
                _ if listed < total => text(
                    "status-invalid-some-listed",
                    &[("total", total.to_string()), ("listed", listed.to_string())],
                ),
                _ => text("status-invalid-all", &[("total", total.to_string())]),
            };
            Status::with_error_details(Code::InvalidArgument, message, details)
        }
        Error::NotFound { resource } => {
            let resource = clip(&resource);
            details.set_resource_info(resource_type(&resource), &*resource, "", "not found");
            Status::with_error_details(
                Code::NotFound,
                text("status-not-found", &[("resource", resource.into_owned())]),
                details,
            )
        }
        Error::AlreadyExists {
            resource,
            description,
            ..
        } => {
            let resource = clip(&resource);
            details.set_resource_info(resource_type(&resource), &*resource, "", "already exists");
            Status::with_error_details(
                Code::AlreadyExists,
                clip(&say(&description)).into_owned(),
                details,
            )
        }
        Error::FailedPrecondition {
            reason,
            subject,
            description,
        } => {
            let description = clip(&say(&description)).into_owned();
            details.add_precondition_failure_violation(
                reason.as_str(),
                clip(&subject),
                &*description,
            );
            Status::with_error_details(Code::FailedPrecondition, description, details)
        }
        Error::Preconditions {
            reason,
            description,
            violations,
        } => {
            let mut bytes = 0;
            for (subject, what) in violations.iter().take(MAX_FIELD_VIOLATIONS) {
                let what = say(what);
                let (subject, what) = (clip(subject), clip(&what).into_owned());
                bytes += subject.len() + what.len();
                if bytes > MAX_DETAIL_BYTES {
                    break;
                }
                details.add_precondition_failure_violation(reason.as_str(), subject, what);
            }
            Status::with_error_details(
                Code::FailedPrecondition,
                clip(&say(&description)).into_owned(),
                details,
            )
        }
        Error::Aborted { resource } => Status::with_error_details(
            Code::Aborted,
            text(
                "status-aborted",
                &[("resource", clip(&resource).into_owned())],
            ),
            details,
        ),
        Error::Unauthenticated(why) => Status::with_error_details(
            Code::Unauthenticated,
            clip(&say(&why)).into_owned(),
            details,
        ),
        Error::PermissionDenied { method } => {
            // The method, so a client can say which of its commands needs which role.
            details.set_error_info(
                reason,
                ERROR_DOMAIN,
                HashMap::from([("method".to_owned(), clip(&method).into_owned())]),
            );
            Status::with_error_details(
                Code::PermissionDenied,
                text(
                    "status-permission-denied",
                    &[("method", clip(&method).into_owned())],
                ),
                details,
            )
        }
        Error::ResourceExhausted(why) => Status::with_error_details(
            Code::ResourceExhausted,
            clip(&say(&why)).into_owned(),
            details,
        ),
        Error::Cancelled => {
            Status::with_error_details(Code::Cancelled, text("status-cancelled", &[]), details)
        }
        Error::Unavailable(cause) => {
            tracing::warn!(%cause, "storage unavailable");
            Status::with_error_details(Code::Unavailable, text("status-unavailable", &[]), details)
        }
        Error::StorageFull(cause) => {
            tracing::error!(%cause, "the database's disk is full");
            Status::with_error_details(
                Code::ResourceExhausted,
                text("status-storage-full", &[]),
                details,
            )
        }
        Error::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            Status::with_error_details(Code::Internal, text("status-internal", &[]), details)
        }
    }
}

/// The end of a stream the server closes because it is shutting down: UNAVAILABLE, which
/// clients retry, saying to reconnect.
pub fn shutting_down() -> Status {
    Status::unavailable(crate::locale::text(
        crate::locale::current(),
        "status-shutting-down",
        &[],
    ))
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

    /// What a 5 KiB bad decimal, and 100 bad rows of 30 KiB each, once did: a status too big
    /// for the client's metadata limit. Whatever the input, the status stays small.
    #[test]
    fn echoed_input_is_cut_and_the_details_are_bounded_in_bytes() {
        let huge = "9".repeat(5 * 1024);
        let one = to_status(Error::Invalid(vec![FieldViolation::new(
            "result.value",
            format!("`{huge}` is not a decimal"),
        )]));
        assert!(one.message().len() < 400, "{}", one.message().len());
        assert!(one.message().ends_with('…'));
        let rows: Vec<_> = (0..100)
            .map(|i| {
                FieldViolation::new(
                    format!("rows[{i}].value"),
                    format!("`{}` is not a decimal", "Đức Xuân ".repeat(3000)),
                )
            })
            .collect();
        let many = to_status(Error::Invalid(rows));
        let details = many.details().len() + many.message().len();
        assert!(details < 16 * 1024, "{details} bytes of status");
        let listed = many
            .get_error_details()
            .bad_request()
            .map_or(0, |b| b.field_violations.len());
        assert!(listed > 10 && listed < 100, "{listed}");
        assert!(many.message().contains(&format!("nêu {listed} trường đầu")));
    }

    /// Vietnamese unless the call asked for English: the message, the violations and the
    /// `LocalizedMessage` alike; the reason and the field paths stay as they are.
    #[test]
    fn the_words_are_in_the_language_of_the_call() {
        let refusal = || {
            to_status(Error::Invalid(vec![FieldViolation::new(
                "term.members[1]",
                thidua_domain::words!("listed-twice", unit = "qd124-2004~01843"),
            )]))
        };
        let vi = refusal();
        assert_eq!(
            vi.message(),
            "Số liệu không hợp lệ: term.members[1]: qd124-2004~01843 được ghi hai lần"
        );
        let en = crate::locale::speaking_now(thidua_domain::Language::En, refusal);
        assert_eq!(
            en.message(),
            "invalid argument: term.members[1]: qd124-2004~01843 is listed twice"
        );
        for (status, description, locale) in [
            (&vi, "qd124-2004~01843 được ghi hai lần", "vi-VN"),
            (&en, "qd124-2004~01843 is listed twice", "en"),
        ] {
            let details = status.get_error_details();
            let bad = details.bad_request().map(|b| b.field_violations.clone());
            assert_eq!(
                bad.as_ref().map(|b| b[0].field.as_str()),
                Some("term.members[1]")
            );
            assert_eq!(
                bad.as_ref().map(|b| b[0].description.as_str()),
                Some(description)
            );
            assert_eq!(
                details.localized_message().map(|m| m.locale.as_str()),
                Some(locale)
            );
            assert_eq!(
                details.error_info().map(|i| i.reason.as_str()),
                Some("INVALID_ARGUMENT")
            );
        }
        let stale = crate::locale::speaking_now(thidua_domain::Language::Vi, || {
            to_status(Error::Aborted {
                resource: "clusters/bac-kan-city".into(),
            })
        });
        assert!(
            stale.message().contains("đã được người khác sửa"),
            "{}",
            stale.message()
        );
    }

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
