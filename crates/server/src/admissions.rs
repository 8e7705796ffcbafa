//! Reads already admitted (đã cho phép), kept in memory while nothing has been written: a hot
//! read by the same key on the same scope is decided without a database transaction.
//!
//! Only where the store keeps a generation ([`thidua_storage::Store::generation`]: SQLite,
//! whose one server process is its only writer). An admission is kept with the generation
//! read before the transaction that decided it, and is used only while the generation has not
//! moved: any write (a revoked key, a new member, a moved organiser) moves it at commit, so a
//! revocation holds from the very next call. What might change the file behind the server's
//! back (a second process on it, an administrator's SQL) is bounded by [`MAX_AGE`]. A key's
//! expiry is checked on every use. Writes and refusals always go to the database, and so does
//! every call on PostgreSQL, where other server processes write too.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use thidua_domain::{
    access::{Need, Principal},
    time::Timestamp,
};

use crate::authorization::Scope;

/// The longest an admission is used without asking the database again.
pub const MAX_AGE: Duration = Duration::from_secs(1);

/// Admissions kept at most by default (`--admission-cache-entries`); past the bound the map
/// starts afresh (bounded memory).
pub const DEFAULT_ENTRIES: usize = 16_384;

/// The key digest, what the method needs, and the scope.
type Key = (String, Need, Scope);

#[derive(Debug)]
struct Kept {
    principal: Principal,
    expires_at: Option<Timestamp>,
    generation: u64,
    at: Instant,
}

/// The admissions of one server; shared by its calls.
#[derive(Debug)]
pub struct Admissions {
    kept: Mutex<HashMap<Key, Kept>>,
    capacity: usize,
}

impl Default for Admissions {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_ENTRIES)
    }
}

impl Admissions {
    /// At most `capacity` admissions kept (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            kept: Mutex::default(),
            capacity: capacity.max(1),
        }
    }

    /// The principal admitted for `(credentials, need, scope)` at `generation`, if kept, not
    /// older than [`MAX_AGE`] and its key not expired at `now`; never without a generation.
    pub fn get(
        &self,
        credentials: &str,
        need: Need,
        scope: &Scope,
        generation: Option<u64>,
        now: Timestamp,
    ) -> Option<Principal> {
        let generation = generation?;
        let kept = self.kept.lock().ok()?;
        let k = kept.get(&(credentials.to_owned(), need, scope.clone()))?;
        (k.generation == generation
            && k.at.elapsed() < MAX_AGE
            && k.expires_at.is_none_or(|t| t > now))
        .then(|| k.principal.clone())
    }

    /// Keeps an admission decided in a transaction begun at `generation` (if any).
    pub fn put(
        &self,
        credentials: &str,
        need: Need,
        scope: &Scope,
        principal: &Principal,
        expires_at: Option<Timestamp>,
        generation: Option<u64>,
    ) {
        let Some(generation) = generation else {
            return;
        };
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= self.capacity {
                kept.clear();
            }
            kept.insert(
                (credentials.to_owned(), need, scope.clone()),
                Kept {
                    principal: principal.clone(),
                    expires_at,
                    generation,
                    at: Instant::now(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use thidua_domain::{access::Role, names::TermName};

    use super::*;

    fn observer() -> Principal {
        Principal {
            key_id: "0192".into(),
            label: "UBND thành phố Bắc Kạn — tra cứu".into(),
            role: Role::Observer,
            scope: Some("2004~058".into()),
        }
    }

    #[test]
    fn an_admission_holds_only_at_its_generation_and_before_expiry() {
        let admissions = Admissions::default();
        let scope = Scope::Term(TermName::new("bac-kan-phuong", 2022));
        let now = Timestamp(1_700_000_000_000_000);
        let later = Timestamp(now.0 + 10);
        admissions.put("d", Need::Read, &scope, &observer(), Some(later), Some(7));
        assert_eq!(
            admissions.get("d", Need::Read, &scope, Some(7), now),
            Some(observer())
        );
        assert_eq!(
            admissions.get("d", Need::Read, &scope, Some(8), now),
            None,
            "a write since"
        );
        assert_eq!(
            admissions.get("d", Need::Read, &scope, Some(7), later),
            None,
            "the key expired"
        );
        assert_eq!(
            admissions.get("e", Need::Read, &scope, Some(7), now),
            None,
            "another key"
        );
        let other = Scope::Term(TermName::new("bac-kan-phuong", 2023));
        assert_eq!(
            admissions.get("d", Need::Read, &other, Some(7), now),
            None,
            "another term"
        );
        assert_eq!(
            admissions.get("d", Need::Admin, &scope, Some(7), now),
            None,
            "another need"
        );
        assert_eq!(
            admissions.get("d", Need::Read, &scope, None, now),
            None,
            "no generation: asked of the database"
        );
        admissions.put("f", Need::Read, &scope, &observer(), None, None);
        assert_eq!(admissions.get("f", Need::Read, &scope, Some(0), now), None);
    }

    #[test]
    fn no_more_admissions_are_kept_than_the_bound() {
        let admissions = Admissions::with_capacity(3);
        let now = Timestamp(1_700_000_000_000_000);
        for year in 2020..2030 {
            let scope = Scope::Term(TermName::new("bac-kan-phuong", year));
            admissions.put("d", Need::Read, &scope, &observer(), None, Some(7));
            let kept = admissions
                .kept
                .lock()
                .map(|k| k.len())
                .unwrap_or(usize::MAX);
            assert!(kept <= 3, "{kept} kept");
            assert_eq!(
                admissions.get("d", Need::Read, &scope, Some(7), now),
                Some(observer())
            );
        }
    }
}
