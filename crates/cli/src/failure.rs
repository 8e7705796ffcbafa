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
        }
    }

    /// Anything unexpected.
    pub fn other(e: impl fmt::Display) -> Self {
        Self {
            code: 1,
            message: e.to_string(),
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
        self.ok_or_else(|| Failure::other(format!("the server answered without {what}")))
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
        let details = status.get_error_details();
        let mut message = format!("error: {} ({:?})", status.message(), status.code());
        if let Some(info) = details.error_info() {
            message.push_str(&format!(" [{}]", info.reason));
        }
        if let Some(bad) = details.bad_request() {
            for v in &bad.field_violations {
                message.push_str(&format!("\n  {}: {}", v.field, v.description));
            }
        }
        if let Some(pre) = details.precondition_failure() {
            for v in &pre.violations {
                message.push_str(&format!(
                    "\n  {} {}: {}",
                    v.r#type, v.subject, v.description
                ));
            }
        }
        Self { code, message }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self::other(e)
    }
}
