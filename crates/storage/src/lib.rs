#![doc = include_str!("../README.md")]

mod audit;
mod audit_guard;
mod awards;
mod catalogue;
mod changes;
mod clusters;
mod connection;
mod covenants;
mod decisions;
mod errors;
mod keys;
mod latest;
mod periods;
mod policies;
mod request_ids;
mod results;
mod schema;
mod shares;
mod tables;
mod targets;
mod terms;
mod transfers;
mod units;
mod write_queue;

pub use audit::{AuditFilter, NewEvent};
pub use clusters::ClusterFilter;
pub use connection::{Backend, CallGuard, Store, Tx};
pub use decisions::RegisterFilter;
pub use keys::TermPeople;
pub use latest::LatestEntries;
pub use request_ids::StoredResponse;
pub use units::UnitFilter;
pub use write_queue::{MAX_WAITING, WriteTurn};

/// A keyset page request: at most `limit` rows after the row whose sort key is `after`.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Maximum rows to return.
    pub limit: i64,
    /// Sort key of the last row of the previous page, as produced in `Page::next`.
    pub after: Option<String>,
}

/// One page of rows and the sort key to continue after, when more rows follow.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Sort key of the last row when another page exists.
    pub next: Option<String>,
}
