//! Call rates: every call is counted against its peer address before anything else is done
//! for it, and, once its key is known, against that key.
//!
//! The peer's budget is what an unauthenticated caller gets: a flood of made-up keys from one
//! address is refused before any of them is looked up. The key's budget is counted only for
//! keys that exist, so the limiter holds one entry per real key and one per recent peer
//! address, never one per string a caller sent. Both are `governor` keyed limiters (GCRA, the
//! token bucket's equivalent); entries that are back to a full burst are dropped every
//! [`PRUNE_EVERY`] checks, so the maps shrink back after a burst of addresses.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use thidua_domain::Error;

/// Checks between two prunings of the limiters' maps.
const PRUNE_EVERY: u64 = 4096;

/// A sustained rate and a burst above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Calls per second, sustained.
    pub per_second: f64,
    /// Calls allowed at once above the rate.
    pub burst: u32,
}

impl Rate {
    fn quota(self) -> Quota {
        let period = Duration::from_secs_f64(1.0 / self.per_second.max(0.001));
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The server's limiters.
pub struct Rates {
    per_key: DefaultKeyedRateLimiter<String>,
    per_peer: DefaultKeyedRateLimiter<IpAddr>,
    key_rate: Rate,
    peer_rate: Rate,
    checks: AtomicU64,
}

impl std::fmt::Debug for Rates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rates")
            .field("key_rate", &self.key_rate)
            .field("peer_rate", &self.peer_rate)
            .field("keys", &self.per_key.len())
            .field("peers", &self.per_peer.len())
            .finish()
    }
}

impl Rates {
    /// Limiters for keys at `key_rate` and peer addresses at `peer_rate`.
    pub fn new(key_rate: Rate, peer_rate: Rate) -> Self {
        Self {
            per_key: RateLimiter::keyed(key_rate.quota()),
            per_peer: RateLimiter::keyed(peer_rate.quota()),
            key_rate,
            peer_rate,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a call from `peer`; refused RESOURCE_EXHAUSTED over the peer's rate.
    pub fn admit_peer(&self, peer: IpAddr) -> Result<(), Error> {
        self.tick();
        self.per_peer.check_key(&peer).map_err(|_| {
            Error::ResourceExhausted(thidua_domain::words!(
                "rate-peer",
                peer = peer,
                rate = self.peer_rate.per_second
            ))
        })
    }

    /// Counts a call made with the key `key_id` (known to exist); refused RESOURCE_EXHAUSTED
    /// over the key's rate.
    pub fn admit_key(&self, key_id: &str) -> Result<(), Error> {
        self.tick();
        self.per_key.check_key(&key_id.to_owned()).map_err(|_| {
            Error::ResourceExhausted(thidua_domain::words!(
                "rate-key",
                rate = self.key_rate.per_second
            ))
        })
    }

    /// Entries held: keys, peer addresses.
    pub fn held(&self) -> (usize, usize) {
        (self.per_key.len(), self.per_peer.len())
    }

    /// Drops the entries whose budget is full again.
    pub fn prune(&self) {
        self.per_key.retain_recent();
        self.per_key.shrink_to_fit();
        self.per_peer.retain_recent();
        self.per_peer.shrink_to_fit();
    }

    fn tick(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn rates() -> Rates {
        Rates::new(
            Rate {
                per_second: 0.01,
                burst: 3,
            },
            Rate {
                per_second: 0.01,
                burst: 2,
            },
        )
    }

    #[test]
    fn a_key_gets_its_burst_then_is_refused_and_keys_are_counted_apart() {
        let rates = rates();
        assert!((0..3).all(|_| rates.admit_key("k-phung-chi-kien").is_ok()));
        assert!(matches!(
            rates.admit_key("k-phung-chi-kien"),
            Err(Error::ResourceExhausted(_))
        ));
        assert!(rates.admit_key("k-nong-thuong").is_ok());
    }

    #[test]
    fn a_peer_is_limited_by_its_address() {
        let rates = rates();
        let (a, b) = (
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        );
        assert!(rates.admit_peer(a).is_ok() && rates.admit_peer(a).is_ok());
        assert!(rates.admit_peer(a).is_err());
        assert!(rates.admit_peer(b).is_ok());
        assert_eq!(rates.held(), (0, 2));
    }

    #[test]
    fn pruning_drops_what_is_full_again() {
        let rates = Rates::new(
            Rate {
                per_second: 1_000_000.0,
                burst: 1,
            },
            Rate {
                per_second: 1_000_000.0,
                burst: 1,
            },
        );
        for i in 0..1000u32 {
            rates.admit_key(&format!("k{i}")).ok();
            rates.admit_peer(IpAddr::V4(Ipv4Addr::from(i))).ok();
        }
        std::thread::sleep(Duration::from_millis(5));
        rates.prune();
        assert_eq!(rates.held(), (0, 0));
    }
}
