//! The tonic services: decode, call one use case on a blocking thread, encode.

pub mod board_hub;
pub mod board_watch;
pub mod clusters;
mod decisions;
mod documents;
pub mod keys;
mod policy;
pub mod scopes;
pub mod scoreboard_route;
pub mod scoring;
mod shares;
mod succession;
pub mod targets;
pub mod units;
pub mod uploads;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use prost::Message;
use sha2::{Digest, Sha256};
use thidua_domain::{Error, FieldViolation};
use thidua_storage::PageRequest;
use tonic::Status;

use crate::{app::Idempotency, status::to_status};

/// Default and largest page sizes.
const DEFAULT_PAGE_SIZE: i64 = 100;
const MAX_PAGE_SIZE: i64 = 1000;

/// Blocking database tasks running at once. More would only wait, parked as threads, for one
/// of the pool's connections; waiting here instead is a cheap async wait, which keeps 64
/// concurrent calls from costing 64 thread switches each. Sized to the larger pool (16).
static DB_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(16);

/// Runs `f` on the blocking pool once a database slot is free: database work never holds an
/// async worker, and a connection is never held across `.await`.
pub async fn on_db<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    let _slot = DB_SLOTS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("database slots closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("use case panicked: {e}")))
}

/// Runs the database work of an import like [`on_db`], but on a thread of its own in the idle
/// scheduling class ([`lower_priority`]), so a province's import cannot slow the health checks
/// and reads beside it. The thread is not a pooled one because its priority cannot be raised
/// again without privilege; starting one costs microseconds against an import's milliseconds.
pub async fn on_db_bulk<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let _slot = DB_SLOTS
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("database slots closed: {e}")))?;
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("thidua-bulk".into())
        .spawn(move || {
            lower_priority();
            // The caller may have gone; the work is finished (and committed or rolled back)
            // all the same.
            let _ = done.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        })
        .map_err(|e| Error::Internal(format!("cannot start a bulk thread: {e}")))?;
    match result.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(Error::Internal("use case panicked".into())),
        Err(_) => Err(Error::Internal(
            "bulk thread ended without an answer".into(),
        )),
    }
}

/// The runtime of bulk calls' own async work (reading and decoding a streamed import): one
/// worker thread in the idle scheduling class, started on first use.
static BULK_RUNTIME: std::sync::OnceLock<Result<tokio::runtime::Runtime, String>> =
    std::sync::OnceLock::new();

/// Runs `work` (a streamed import's reading, decoding and conversion) on the bulk runtime, so
/// the async workers serving every other call never decode an import's messages. If the caller
/// goes away, the work is aborted.
pub async fn in_bulk_runtime<F>(work: F) -> Result<F::Output, Error>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = BULK_RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("thidua-bulk-io")
                .on_thread_start(lower_priority)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Internal(format!("cannot start the bulk runtime: {e}")))?;
    let mut task = AbortOnDrop(runtime.spawn(work));
    (&mut task.0)
        .await
        .map_err(|e| Error::Internal(format!("bulk work failed: {e}")))
}

/// Aborts a spawned task when its caller stops waiting for it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Puts the calling thread in the idle scheduling class (`SCHED_IDLE`): any interactive thread
/// that wakes preempts it at once, where a merely lower nice value would still let it finish
/// its time slice (about a millisecond) first. Failure only costs isolation, so it is logged,
/// not returned.
pub fn lower_priority() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    if let Err(e) = set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
    ) {
        tracing::warn!(error = ?e, "cannot lower an import thread's priority");
    }
}

/// Runs a use case on the blocking pool (see [`on_db`]).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Status> {
    on_db(f).await.and_then(|r| r).map_err(to_status)
}

/// The line of an imported row: the one the client gave, or its position (from 1) when it gave
/// none.
pub fn line_of(given: u32, position: usize) -> u32 {
    if given == 0 {
        u32::try_from(position).unwrap_or(u32::MAX)
    } else {
        given
    }
}

/// A status for one bad field.
pub fn invalid(v: FieldViolation) -> Status {
    to_status(Error::Invalid(vec![v]))
}

/// Reads a spreadsheet format.
pub fn format_in(format: i32) -> Result<crate::sheets::Format, Status> {
    use thidua_proto::v1::SpreadsheetFormat;
    match SpreadsheetFormat::try_from(format).unwrap_or(SpreadsheetFormat::Unspecified) {
        SpreadsheetFormat::Csv => Ok(crate::sheets::Format::Csv),
        SpreadsheetFormat::CsvSemicolon => Ok(crate::sheets::Format::CsvSemicolon),
        SpreadsheetFormat::Xlsx => Ok(crate::sheets::Format::Xlsx),
        SpreadsheetFormat::Unspecified => Err(invalid(FieldViolation::new(
            "format",
            thidua_domain::words!("format-required"),
        ))),
    }
}

/// A status for several bad fields.
pub fn invalid_all(v: Vec<FieldViolation>) -> Status {
    to_status(Error::Invalid(v))
}

/// Reads `page_size` and `page_token`; a token is only valid with the filters it was made for.
pub fn page_request(
    page_size: i32,
    page_token: &str,
    filters: &str,
) -> Result<PageRequest, Status> {
    let limit = match i64::from(page_size) {
        n if n < 0 => {
            return Err(invalid(FieldViolation::new(
                "page_size",
                thidua_domain::words!("not-negative"),
            )));
        }
        0 => DEFAULT_PAGE_SIZE,
        n => n.min(MAX_PAGE_SIZE),
    };
    if page_token.is_empty() {
        return Ok(PageRequest { limit, after: None });
    }
    let bad = || {
        invalid(FieldViolation::new(
            "page_token",
            thidua_domain::words!("page-token-foreign"),
        ))
    };
    let raw = URL_SAFE_NO_PAD.decode(page_token).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (print, key) = raw.split_once('|').ok_or_else(bad)?;
    if print != fingerprint(filters) {
        return Err(bad());
    }
    Ok(PageRequest {
        limit,
        after: Some(key.to_owned()),
    })
}

/// The opaque token of the page after `next`.
pub fn page_token(next: Option<String>, filters: &str) -> String {
    next.map(|key| URL_SAFE_NO_PAD.encode(format!("{}|{key}", fingerprint(filters))))
        .unwrap_or_default()
}

fn fingerprint(filters: &str) -> String {
    let digest = Sha256::digest(filters.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The idempotency key of a create, or `None` without a request id. `request` must be the
/// request with its request_id cleared, so the digest covers the payload only.
pub fn idempotency(
    method: &'static str,
    request_id: &str,
    request: &impl Message,
) -> Result<Option<Idempotency>, Status> {
    if request_id.is_empty() {
        return Ok(None);
    }
    if request_id.len() > 128 || request_id.chars().any(char::is_control) {
        return Err(invalid(FieldViolation::new(
            "request_id",
            "at most 128 printable characters",
        )));
    }
    let digest = Sha256::digest(request.encode_to_vec());
    Ok(Some(Idempotency {
        request_id: request_id.to_owned(),
        method,
        digest: thidua_domain::access::hex(&digest),
    }))
}

/// Reads an update mask: every path must be one of `allowed`; an empty mask means all of them.
pub fn mask_paths(
    mask: Option<prost_types::FieldMask>,
    allowed: &[&str],
) -> Result<Vec<String>, Status> {
    let paths = mask.map(|m| m.paths).unwrap_or_default();
    if paths.is_empty() {
        return Ok(allowed.iter().map(|s| (*s).to_owned()).collect());
    }
    let bad: Vec<FieldViolation> = paths
        .iter()
        .enumerate()
        .filter(|(_, p)| !allowed.contains(&p.as_str()))
        .map(|(i, p)| {
            FieldViolation::new(
                format!("update_mask.paths[{i}]"),
                thidua_domain::words!("not-updatable", path = p, allowed = allowed.join(", ")),
            )
        })
        .collect();
    if bad.is_empty() {
        Ok(paths)
    } else {
        Err(invalid_all(bad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_only_work_with_their_filters() {
        let token = page_token(Some("qd124-2004~01843".into()), "scheme=qd124-2004");
        let page = page_request(10, &token, "scheme=qd124-2004");
        assert_eq!(
            page.ok().and_then(|p| p.after).as_deref(),
            Some("qd124-2004~01843")
        );
        assert!(page_request(10, &token, "scheme=qd19-2025").is_err());
        assert!(page_request(10, "garbage!", "").is_err());
        assert!(page_request(-1, "", "").is_err());
        assert_eq!(
            page_request(5000, "", "").ok().map(|p| p.limit),
            Some(MAX_PAGE_SIZE)
        );
    }

    /// Imports yield the processor: their transaction and their reading run in the idle
    /// scheduling class, the calls beside them do not.
    #[tokio::test]
    async fn bulk_work_runs_in_the_idle_class() -> Result<(), Error> {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
        let policy = || thread_priority::thread_schedule_policy().map_err(|e| format!("{e:?}"));
        let idle = Ok(ThreadSchedulePolicy::Normal(
            NormalThreadSchedulePolicy::Idle,
        ));
        assert_eq!(on_db_bulk(policy).await?, idle, "an import's transaction");
        assert_eq!(
            in_bulk_runtime(async move { policy() }).await?,
            idle,
            "an import's reading and decoding"
        );
        assert_ne!(
            on_db(policy).await?,
            idle,
            "an interactive call's transaction"
        );
        Ok(())
    }
}
