//! Use cases: one function per use case, one transaction each, over `thidua-storage`, applying
//! the rules of `thidua-domain`. Handlers decode and encode; they hold no business rules.

pub mod awards;
pub mod catalogue;
pub mod clusters;
pub mod covenants;
pub mod decisions;
pub mod documents;
pub mod history;
pub mod keys;
pub mod lineage;
pub mod scoring;
pub mod shares;
pub mod succession;
pub mod tables;
pub mod targets;
pub mod terms;
pub mod units;

use std::time::{SystemTime, UNIX_EPOCH};

use thidua_domain::{Error, time::Timestamp};
use thidua_storage::Tx;

/// The clock, read once per use case.
pub fn now() -> Timestamp {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp(micros)
}

/// A create or import's idempotency key and the digest of its request.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The client's key.
    pub request_id: String,
    /// The RPC, so a key cannot be replayed across methods.
    pub method: &'static str,
    /// Digest of the request without its request_id.
    pub digest: String,
}

impl Idempotency {
    /// The stored response of an earlier identical request, if any.
    pub fn replay(key: Option<&Self>, tx: &mut Tx<'_>) -> Result<Option<String>, Error> {
        match key {
            Some(k) => Ok(tx
                .replay(&k.request_id, k.method, &k.digest)?
                .map(|r| r.response)),
            None => Ok(None),
        }
    }

    /// The stored outcome of an earlier identical request, read back as `T`, if any.
    pub fn replay_outcome<T: serde::de::DeserializeOwned>(
        key: Option<&Self>,
        tx: &mut Tx<'_>,
    ) -> Result<Option<T>, Error> {
        Self::replay(key, tx)?
            .map(|stored| {
                serde_json::from_str(&stored).map_err(|e| {
                    Error::Internal(format!(
                        "stored outcome of {}: {e}",
                        key.map_or("", |k| k.method)
                    ))
                })
            })
            .transpose()
    }

    /// Records the outcome of this request as JSON, in the transaction of its effect.
    pub fn remember_outcome<T: serde::Serialize>(
        key: Option<&Self>,
        tx: &mut Tx<'_>,
        outcome: &T,
        now: Timestamp,
    ) -> Result<(), Error> {
        let stored = serde_json::to_string(outcome).map_err(|e| Error::Internal(e.to_string()))?;
        Self::remember(key, tx, &stored, now)
    }

    /// Records the response of this request, in the transaction of its effect.
    pub fn remember(
        key: Option<&Self>,
        tx: &mut Tx<'_>,
        response: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        match key {
            Some(k) => tx.remember(&k.request_id, k.method, &k.digest, response, now),
            None => Ok(()),
        }
    }
}
