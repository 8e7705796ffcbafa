//! Errors and exit codes: every failure goes to stderr, field violations one per line.

use std::fmt;

use tonic::Code;
use tonic_types::StatusExt;

/// Exit codes, documented in `thidua --help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  unexpected error
  2  bad command line
  3  invalid input (each bad field is printed on its own line)
  4  not found
  5  already exists, or changed by someone else (stale etag)
  6  refused in the current state (e.g. the covenant is signed)
  7  server unreachable or unavailable
  8  not authenticated or not permitted";

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// What to print.
    pub message: String,
    /// The call refused for want of a role (`Service/Method`), so the message can name the
    /// command and the role it needs.
    pub denied: Option<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Failure {
    /// Bad local input (a file, a flag value).
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            code: 3,
            message: message.into(),
            denied: None,
        }
    }

    /// A flag (or argument) given a value it does not take, with the values it does.
    pub fn flag_value(flag: &str, value: impl fmt::Display, allowed: &str) -> Self {
        Self::input(crate::i18n::text_with(
            "err-flag-value",
            &[
                ("flag", flag.to_owned()),
                ("value", value.to_string()),
                ("allowed", allowed.to_owned()),
            ],
        ))
    }

    /// A refusal of the rules checked here before anything is sent (a file's layout), in the
    /// run's language, each bad field on its own line after `context`.
    pub fn local(context: impl fmt::Display, error: thidua_domain::Error) -> Self {
        let language = if crate::i18n::vietnamese() {
            thidua_domain::Language::Vi
        } else {
            thidua_domain::Language::En
        };
        let message = match error {
            thidua_domain::Error::Invalid(violations) => violations
                .iter()
                .map(|v| format!("\n  {}: {}", v.field, v.description.in_language(language)))
                .fold(context.to_string(), |all, line| all + &line),
            other => format!("{context}: {other}"),
        };
        Self::input(message)
    }

    /// Anything unexpected.
    pub fn other(e: impl fmt::Display) -> Self {
        Self {
            code: 1,
            message: e.to_string(),
            denied: None,
        }
    }
}

/// A response field the contract always fills, read from a response: its absence is a broken
/// server, reported as such instead of a panic.
pub trait Answered<T> {
    /// The value, or the failure "the server answered without `what`".
    fn answered(self, what: &str) -> Result<T, Failure>;
}

impl<T> Answered<T> for Option<T> {
    fn answered(self, what: &str) -> Result<T, Failure> {
        self.ok_or_else(|| {
            Failure::other(crate::i18n::text_with(
                "err-answered-without",
                &[("what", what.to_owned())],
            ))
        })
    }
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        let code = match status.code() {
            Code::InvalidArgument | Code::OutOfRange => 3,
            Code::NotFound => 4,
            Code::AlreadyExists | Code::Aborted => 5,
            Code::FailedPrecondition => 6,
            Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted => 7,
            Code::Unauthenticated | Code::PermissionDenied => 8,
            _ => 1,
        };
        if let Some(hint) = transport_hint(&status) {
            return Self {
                code: 7,
                message: format!("{}: {hint}", crate::i18n::text("error")),
                denied: None,
            };
        }
        let details = status.get_error_details();
        // In Vietnamese, the server's words for the reason lead and its detailed message
        // follows; in English, its detailed message says it all.
        let localized = details
            .localized_message()
            .filter(|m| crate::i18n::vietnamese() && m.locale.starts_with("vi"));
        let mut message = match localized {
            Some(m) => format!(
                "{}: {} ({:?})\n  {}",
                crate::i18n::text("error"),
                m.message,
                status.code(),
                status.message()
            ),
            None => format!(
                "{}: {} ({:?})",
                crate::i18n::text("error"),
                status.message(),
                status.code()
            ),
        };
        if let Some(info) = details.error_info() {
            message.push_str(&format!(" [{}]", info.reason));
        }
        if let Some(bad) = details.bad_request() {
            for v in &bad.field_violations {
                message.push_str(&format!("\n  {}: {}", v.field, v.description));
            }
        }
        if let Some(pre) = details.precondition_failure() {
            // One refused subject is already said by the message.
            let repeated = |v: &tonic_types::PreconditionViolation| {
                pre.violations.len() == 1 && v.description == status.message()
            };
            for v in pre.violations.iter().filter(|v| !repeated(v)) {
                message.push_str(&format!(
                    "\n  {} {}: {}",
                    v.r#type, v.subject, v.description
                ));
            }
        }
        let denied = details
            .error_info()
            .filter(|i| i.reason == "PERMISSION_DENIED")
            .and_then(|i| i.metadata.get("method").cloned());
        Self {
            code,
            message,
            denied,
        }
    }
}

/// What a refused call needed, in words: the role of the policy row of `method`.
pub fn needed(method: &str) -> Option<String> {
    use thidua_domain::access::{Need, POLICY};
    let need = POLICY.iter().find(|(m, ..)| *m == method)?.1;
    Some(crate::i18n::text(match need {
        Need::Public => "need-public",
        Need::Admin => "need-admin",
        Need::Author => "need-author",
        Need::Manage => "need-manage",
        Need::Read => "need-read",
        Need::Report => "need-report",
        Need::Score => "need-score",
    }))
}

/// Set when this run connects over TLS without a client certificate.
static TLS_WITHOUT_CLIENT_CERTIFICATE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Records that this run connects over TLS without a client certificate, so a connection the
/// server closes at once can be explained ([`transport_hint`]).
pub fn note_tls_without_client_certificate() {
    TLS_WITHOUT_CLIENT_CERTIFICATE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// What a failed connection most likely means. A server that requires a client certificate
/// ends the TLS handshake of a client without one; the client (rustls under tonic) sees only a
/// closed connection ("transport error", "operation was canceled", a broken pipe).
fn transport_hint(status: &tonic::Status) -> Option<String> {
    let mut causes = status.message().to_owned();
    let mut source = std::error::Error::source(status);
    while let Some(e) = source {
        causes.push('\n');
        causes.push_str(&e.to_string());
        source = e.source();
    }
    let closed = [
        "broken pipe",
        "operation was canceled",
        "connection reset",
        "CertificateRequired",
        "certificate required",
    ]
    .iter()
    .any(|n| causes.contains(n));
    (closed
        && matches!(
            status.code(),
            Code::Unknown | Code::Cancelled | Code::Unavailable
        )
        && TLS_WITHOUT_CLIENT_CERTIFICATE.load(std::sync::atomic::Ordering::Relaxed))
    .then(|| {
        "the server closed the TLS connection: it requires a client certificate (mutual \
         TLS). Pass --client-cert and --client-key (or THIDUA_CLIENT_CERT and \
         THIDUA_CLIENT_KEY) with the certificate your administrator issued"
            .to_owned()
    })
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Self::closed_pipe();
        }
        Self::other(e)
    }
}

impl Failure {
    /// The reader of the output went away (`thidua … | head`): not an error, nothing to say.
    pub fn closed_pipe() -> Self {
        Self {
            code: 0,
            message: String::new(),
            denied: None,
        }
    }
}
