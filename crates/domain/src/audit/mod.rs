//! The audit log (nhật ký kiểm tra): one event per change and per refusal, hash-chained so
//! that nobody can change the past unseen.
//!
//! Event `n` stores `hash_n = SHA-256(hash_{n-1} ‖ fields of n)`; the first event chains to
//! [`GENESIS`]. Editing, inserting or deleting a stored event breaks every later link, and
//! [`verify`] names the first broken one.

pub mod checkpoint;

use sha2::{Digest, Sha256};

use crate::{Error, access::hex, time::Timestamp};

/// The link before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How an audited call ended: `OK`, or the gRPC status code of its refusal or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Done.
    Ok,
    /// The caller went away; nothing was kept.
    Cancelled,
    /// The request was malformed.
    InvalidArgument,
    /// The resource does not exist.
    NotFound,
    /// The resource already exists.
    AlreadyExists,
    /// The caller may not do this.
    PermissionDenied,
    /// A limit was hit.
    ResourceExhausted,
    /// A rule refused the change in the resource's present state.
    FailedPrecondition,
    /// The caller's etag was stale.
    Aborted,
    /// A fault of the server.
    Internal,
    /// The database could not be reached.
    Unavailable,
    /// The key was not accepted.
    Unauthenticated,
}

impl Outcome {
    /// Every outcome, in the contract's order.
    pub const ALL: [Outcome; 12] = [
        Outcome::Ok,
        Outcome::Cancelled,
        Outcome::InvalidArgument,
        Outcome::NotFound,
        Outcome::AlreadyExists,
        Outcome::PermissionDenied,
        Outcome::ResourceExhausted,
        Outcome::FailedPrecondition,
        Outcome::Aborted,
        Outcome::Internal,
        Outcome::Unavailable,
        Outcome::Unauthenticated,
    ];

    /// How the outcome is stored and shown: the gRPC code's name (`OK`, `PERMISSION_DENIED`).
    pub fn as_str(self) -> &'static str {
        self.spellings().0
    }

    /// The stored spelling, and the one events written before the spelling was fixed carry
    /// (`PermissionDenied`): a chain hashes what was stored, so old events keep it.
    fn spellings(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Ok => ("OK", "Ok"),
            Outcome::Cancelled => ("CANCELLED", "Cancelled"),
            Outcome::InvalidArgument => ("INVALID_ARGUMENT", "InvalidArgument"),
            Outcome::NotFound => ("NOT_FOUND", "NotFound"),
            Outcome::AlreadyExists => ("ALREADY_EXISTS", "AlreadyExists"),
            Outcome::PermissionDenied => ("PERMISSION_DENIED", "PermissionDenied"),
            Outcome::ResourceExhausted => ("RESOURCE_EXHAUSTED", "ResourceExhausted"),
            Outcome::FailedPrecondition => ("FAILED_PRECONDITION", "FailedPrecondition"),
            Outcome::Aborted => ("ABORTED", "Aborted"),
            Outcome::Internal => ("INTERNAL", "Internal"),
            Outcome::Unavailable => ("UNAVAILABLE", "Unavailable"),
            Outcome::Unauthenticated => ("UNAUTHENTICATED", "Unauthenticated"),
        }
    }

    /// Both spellings an event with this outcome may be stored under.
    pub fn stored_spellings(self) -> [&'static str; 2] {
        let (now, before) = self.spellings();
        [now, before]
    }

    /// The outcome a stored event names; `None` for text no version wrote.
    pub fn from_stored(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| {
            let (now, before) = o.spellings();
            text == now || text == before
        })
    }

    /// The outcome of a call that failed with `error`.
    pub fn of(error: &Error) -> Outcome {
        match error {
            Error::Invalid(_) => Outcome::InvalidArgument,
            Error::NotFound { .. } => Outcome::NotFound,
            Error::AlreadyExists { .. } => Outcome::AlreadyExists,
            Error::FailedPrecondition { .. } | Error::Preconditions { .. } => {
                Outcome::FailedPrecondition
            }
            Error::Aborted { .. } => Outcome::Aborted,
            Error::Unauthenticated(_) => Outcome::Unauthenticated,
            Error::PermissionDenied { .. } => Outcome::PermissionDenied,
            Error::ResourceExhausted(_) | Error::StorageFull(_) => Outcome::ResourceExhausted,
            Error::Cancelled => Outcome::Cancelled,
            Error::Unavailable(_) => Outcome::Unavailable,
            Error::Internal(_) => Outcome::Internal,
        }
    }
}

/// One audited call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When the call was decided.
    pub time: Timestamp,
    /// Who: `keys/{id}`.
    pub principal: String,
    /// The RPC, `Service/Method`.
    pub method: String,
    /// The resource touched, e.g. `clusters/bac-kan-city/terms/2022`.
    pub resource: String,
    /// The outcome as stored ([`Outcome::as_str`], or an older spelling that
    /// [`Outcome::from_stored`] reads): the chain hashes this text.
    pub outcome: String,
    /// The client's request id, when it sent one.
    pub request_id: String,
    /// SHA-256 of the request message: what was asked to change.
    pub digest: String,
}

/// The hash of `event` chained after `previous`. Fields are separated by a byte no field can
/// hold (unit separator, refused in every text field), so two events cannot collide by
/// shifting text between fields.
pub fn link(previous: &str, event: &Event) -> String {
    let mut h = Sha256::new();
    for part in [
        previous,
        &event.seq.to_string(),
        &event.time.0.to_string(),
        &event.principal,
        &event.method,
        &event.resource,
        &event.outcome,
        &event.request_id,
        &event.digest,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex(&h.finalize())
}

/// The first broken link found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The first event whose stored hash or position does not follow from its predecessor.
    pub seq: i64,
    /// What is wrong, in a sentence.
    pub description: crate::words::Words,
}

/// Walks the chain in `seq` order, one event at a time, so a long log is checked page by page.
/// Anchored to a checkpoint ([`Verifier::anchored`]), it also finds a history rewritten with
/// every later hash recomputed, and a cut tail.
#[derive(Debug, Clone)]
pub struct Verifier {
    previous: String,
    next_seq: i64,
    /// The position and hash a checkpoint vouches for.
    anchor: Option<(i64, String)>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            previous: GENESIS.to_owned(),
            next_seq: 1,
            anchor: None,
        }
    }
}

impl Verifier {
    /// A verifier that also holds the chain to `checkpoint`'s head: the event at its position
    /// must have its hash, and the chain must reach it.
    pub fn anchored(checkpoint: &checkpoint::Checkpoint) -> Self {
        Self {
            anchor: Some((checkpoint.sequence, checkpoint.hash.clone())),
            ..Self::default()
        }
    }

    /// Ends the walk: the number of events checked, or, when the chain stops before the
    /// anchor's position, the cut.
    pub fn finish(self) -> Result<i64, BrokenLink> {
        let checked = self.checked();
        match self.anchor {
            Some((seq, _)) if checked < seq => Err(BrokenLink {
                seq: checked + 1,
                description: crate::words!("audit-cut", checked = checked, seq = seq),
            }),
            _ => Ok(checked),
        }
    }

    /// Checks the next event and its stored hash.
    pub fn check(&mut self, event: &Event, stored: &str) -> Result<(), BrokenLink> {
        if event.seq != self.next_seq {
            return Err(BrokenLink {
                seq: event.seq,
                description: crate::words!(
                    "audit-gap",
                    seq = event.seq,
                    previous = self.next_seq - 1
                ),
            });
        }
        let computed = link(&self.previous, event);
        if computed != stored {
            return Err(BrokenLink {
                seq: event.seq,
                description: crate::words!("audit-hash", seq = event.seq),
            });
        }
        if let Some((seq, hash)) = &self.anchor
            && *seq == event.seq
            && *hash != computed
        {
            return Err(BrokenLink {
                seq: event.seq,
                description: crate::words!("audit-rewritten", seq = event.seq),
            });
        }
        self.previous = computed;
        self.next_seq += 1;
        Ok(())
    }

    /// How many events were checked.
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }
}

/// Recomputes the chain over `events` (in `seq` order, each with its stored hash) and returns
/// how many events it checked, or the first broken link.
pub fn verify<'a>(
    events: impl IntoIterator<Item = (&'a Event, &'a str)>,
) -> Result<i64, BrokenLink> {
    let mut verifier = Verifier::default();
    for (event, stored) in events {
        verifier.check(event, stored)?;
    }
    Ok(verifier.checked())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64, resource: &str) -> Event {
        Event {
            seq,
            time: Timestamp(1_700_000_000_000_000 + seq),
            principal: "keys/01".into(),
            method: "ScoringService/RecordScore".into(),
            resource: resource.into(),
            outcome: "OK".into(),
            request_id: String::new(),
            digest: "ab".into(),
        }
    }

    fn chain(events: &[Event]) -> Vec<String> {
        let mut prev = GENESIS.to_owned();
        events
            .iter()
            .map(|e| {
                prev = link(&prev, e);
                prev.clone()
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_edit_names_the_first_broken_event() {
        let mut events: Vec<Event> = (1..=5)
            .map(|i| event(i, "clusters/bac-kan-city/terms/2022"))
            .collect();
        let hashes = chain(&events);
        let pairs = || events.iter().zip(hashes.iter().map(String::as_str));
        assert_eq!(verify(pairs()), Ok(5));

        events[2].outcome = "PERMISSION_DENIED".into();
        let broken = verify(events.iter().zip(hashes.iter().map(String::as_str)));
        assert_eq!(broken.map_err(|b| b.seq), Err(3));
    }

    #[test]
    fn deleting_an_event_is_a_gap() {
        let events: Vec<Event> = (1..=4)
            .map(|i| event(i, "units/qd124-2004~01843"))
            .collect();
        let hashes = chain(&events);
        let kept: Vec<(&Event, &str)> = events
            .iter()
            .zip(hashes.iter().map(String::as_str))
            .filter(|(e, _)| e.seq != 2)
            .collect();
        assert_eq!(verify(kept).map_err(|b| b.seq), Err(3));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let mut a = event(1, "ab");
        a.outcome = "c".into();
        let mut b = event(1, "a");
        b.outcome = "bc".into();
        assert_ne!(link(GENESIS, &a), link(GENESIS, &b));
    }

    #[test]
    fn an_outcome_reads_back_from_either_spelling() {
        for o in Outcome::ALL {
            for spelling in o.stored_spellings() {
                assert_eq!(Outcome::from_stored(spelling), Some(o), "{spelling}");
            }
        }
        assert_eq!(Outcome::PermissionDenied.as_str(), "PERMISSION_DENIED");
        assert_eq!(Outcome::from_stored("permission denied"), None);
        assert_eq!(
            Outcome::of(&Error::PermissionDenied {
                method: "ClusterService/UpdateCluster".into()
            }),
            Outcome::PermissionDenied
        );
    }
}
