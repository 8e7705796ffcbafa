//! Checkpoints of the audit chain (mốc xác thực nhật ký): the chain's head, signed with a key
//! kept outside the database.
//!
//! The chain alone proves nothing to someone who can write the database: they can edit an
//! event and recompute every later hash, or cut events off the end, and the chain still
//! verifies. A checkpoint fixes the head at a moment (position and hash) under an HMAC-SHA-256
//! with the server's audit key, which lives in a file, not in the database. The operator keeps
//! checkpoints elsewhere; verifying against one ([`super::Verifier::anchored`]) finds both a
//! rewritten history and a cut tail. A forged checkpoint needs the key.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{Error, access::hex, time::Timestamp};

/// Bytes of an audit key.
pub const KEY_BYTES: usize = 32;

/// The secret that signs checkpoints. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; KEY_BYTES]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id())
    }
}

/// A signed head of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The last event it vouches for.
    pub sequence: i64,
    /// That event's hash.
    pub hash: String,
    /// When it was signed.
    pub time: Timestamp,
    /// Which key signed it ([`AuditKey::id`]).
    pub key_id: String,
    /// HMAC-SHA-256 of the fields above, hex.
    pub signature: String,
}

impl AuditKey {
    /// A key of `bytes` (from the operating system's generator, or read from its file).
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// Reads the key file's text: 64 hex digits, surrounding whitespace ignored.
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let bad = || {
            Error::Internal(format!(
                "an audit key is {} hex digits; the file holds something else",
                KEY_BYTES * 2
            ))
        };
        if text.len() != KEY_BYTES * 2 {
            return Err(bad());
        }
        let mut bytes = [0u8; KEY_BYTES];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16)
                .map_err(|_| bad())?;
        }
        Ok(Self(bytes))
    }

    /// The key file's text.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A public name of the key: the first 16 hex digits of a SHA-256 of it, so a checkpoint
    /// says which key signed it without revealing it.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"thidua audit key id\x1f");
        h.update(self.0);
        hex(&h.finalize())[..16].to_owned()
    }

    fn mac(&self, sequence: i64, hash: &str, time: Timestamp) -> Hmac<Sha256> {
        // Any length is a valid HMAC key; this one is always 32 bytes.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for part in [
            "thidua audit checkpoint v1",
            &sequence.to_string(),
            hash,
            &time.0.to_string(),
        ] {
            mac.update(part.as_bytes());
            mac.update(&[0x1f]);
        }
        mac
    }

    /// Signs the head at `sequence` with `hash`, at `time`.
    pub fn sign(&self, sequence: i64, hash: &str, time: Timestamp) -> Checkpoint {
        let signature = hex(&self.mac(sequence, hash, time).finalize().into_bytes());
        Checkpoint {
            sequence,
            hash: hash.to_owned(),
            time,
            key_id: self.id(),
            signature,
        }
    }

    /// Checks that `checkpoint` was signed with this key and not altered since (in constant
    /// time); `field` names the checkpoint in the violation.
    pub fn check(&self, field: &str, checkpoint: &Checkpoint) -> Result<(), Error> {
        let refused = |why: crate::words::Words| Error::invalid(format!("{field}.signature"), why);
        if checkpoint.key_id != self.id() {
            return Err(refused(crate::words!("checkpoint-other-key")));
        }
        let signature = (0..checkpoint.signature.len())
            .step_by(2)
            .map(|i| {
                checkpoint
                    .signature
                    .get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| refused(crate::words!("checkpoint-not-hex")))?;
        self.mac(checkpoint.sequence, &checkpoint.hash, checkpoint.time)
            .verify_slice(&signature)
            .map_err(|_| refused(crate::words!("checkpoint-altered")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Event, GENESIS, Verifier, link};

    fn key(b: u8) -> AuditKey {
        AuditKey::from_bytes([b; KEY_BYTES])
    }

    fn chain(n: i64) -> Vec<(Event, String)> {
        let mut previous = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let event = Event {
                    seq,
                    time: Timestamp(1_700_000_000_000_000 + seq),
                    principal: "keys/01".into(),
                    method: "ScoringService/RecordScore".into(),
                    resource: "clusters/bac-kan-city/terms/2022/members/qd124-2004~01840".into(),
                    outcome: "OK".into(),
                    request_id: String::new(),
                    digest: "ab".into(),
                };
                previous = link(&previous, &event);
                (event, previous.clone())
            })
            .collect()
    }

    fn verify_against(events: &[(Event, String)], checkpoint: &Checkpoint) -> Result<i64, i64> {
        let mut verifier = Verifier::anchored(checkpoint);
        for (event, hash) in events {
            verifier.check(event, hash).map_err(|b| b.seq)?;
        }
        verifier.finish().map_err(|b| b.seq)
    }

    #[test]
    fn a_checkpoint_reads_back_only_under_its_key_and_unaltered() {
        let k = key(7);
        let signed = k.sign(5, "abc", Timestamp(42));
        assert!(k.check("checkpoint", &signed).is_ok());
        assert!(key(8).check("checkpoint", &signed).is_err());
        let mut moved = signed.clone();
        moved.sequence = 4;
        assert!(k.check("checkpoint", &moved).is_err());
        assert_eq!(AuditKey::from_hex(&k.to_hex()).ok(), Some(k.clone()));
        assert!(AuditKey::from_hex("not a key").is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }

    #[test]
    fn a_rewritten_history_and_a_cut_tail_are_found_against_a_checkpoint() {
        let events = chain(6);
        let checkpoint = key(1).sign(4, &events[3].1, Timestamp(1));
        assert_eq!(verify_against(&events, &checkpoint), Ok(6));

        // Event 2 edited and every later hash recomputed: the chain alone verifies.
        let mut rewritten = chain(6);
        rewritten[1].0.outcome = "PERMISSION_DENIED".into();
        let mut previous = rewritten[0].1.clone();
        for (event, hash) in rewritten.iter_mut().skip(1) {
            previous = link(&previous, event);
            *hash = previous.clone();
        }
        assert!(crate::audit::verify(rewritten.iter().map(|(e, h)| (e, h.as_str()))).is_ok());
        assert_eq!(verify_against(&rewritten, &checkpoint), Err(4));

        // The last three events cut off: the chain alone verifies.
        assert_eq!(verify_against(&events[..3], &checkpoint), Err(4));
    }
}
