//! Term changes (what a scoreboard watcher waits for): recorded by the write transaction that
//! made them and announced once, after it commits, to this process's watchers and, on
//! PostgreSQL, through NOTIFY to every other server process on the same database.
//!
//! No handler announces anything: a transaction that moves a term's version (`Tx::touch_term`,
//! stage moves, a member's renaming) records the term, and [`Store::write`] announces what a
//! committed transaction recorded. A rolled-back transaction announces nothing.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use diesel::{PgConnection, RunQueryDsl, connection::SimpleConnection};
use thidua_domain::{Error, names::TermName};
use tokio::sync::broadcast;

use crate::{Store, errors::db};

/// The PostgreSQL channel changes are announced on.
const CHANNEL: &str = "thidua_scoreboard";

/// How long the listener waits between draining PostgreSQL's notification queue. libpq gives
/// no blocking wait through diesel, so this bounds how late a change from another process is
/// heard; no table is polled.
const DRAIN_INTERVAL: Duration = Duration::from_millis(100);

/// Changes missed by a watcher that lags this far behind are reported as lagged (it reads the
/// board afresh).
const FEED_CAPACITY: usize = 1024;

/// The announcements of one store and all its clones.
#[derive(Debug)]
pub(crate) struct ChangeFeed {
    sender: broadcast::Sender<TermName>,
    /// Tells this store's own NOTIFYs from other processes': the listener skips its own, which
    /// local watchers have already heard.
    origin: String,
}

impl ChangeFeed {
    pub(crate) fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Self {
            sender: broadcast::channel(FEED_CAPACITY).0,
            origin: format!("{}.{nanos}", std::process::id()),
        }
    }

    /// Announces to this process's watchers (after commit).
    pub(crate) fn announce_locally(&self, touched: &[TermName]) {
        for term in touched {
            // No receiver means nobody watches; that is fine.
            let _ = self.sender.send(term.clone());
        }
    }

    /// Queues a NOTIFY per term, delivered by PostgreSQL when the transaction commits (never if
    /// it rolls back).
    pub(crate) fn notify_others(
        &self,
        conn: &mut PgConnection,
        touched: &[TermName],
    ) -> Result<(), Error> {
        for term in touched {
            diesel::sql_query("SELECT pg_notify($1, $2)")
                .bind::<diesel::sql_types::Text, _>(CHANNEL)
                .bind::<diesel::sql_types::Text, _>(payload(&self.origin, term))
                .execute(conn)
                .map_err(db)?;
        }
        Ok(())
    }
}

fn payload(origin: &str, term: &TermName) -> String {
    format!("{origin}~{}~{}", term.cluster_id, term.year)
}

/// The term a notification names, unless it came from `origin` (or is not ours).
fn from_other(origin: &str, payload: &str) -> Option<TermName> {
    let (from, term) = payload.split_once('~')?;
    if from == origin {
        return None;
    }
    let (cluster_id, year) = term.rsplit_once('~')?;
    Some(TermName {
        cluster_id: cluster_id.to_owned(),
        year: year.parse().ok()?,
    })
}

impl Store {
    /// Every term change committed from now on, through this store or any clone of it, and (once
    /// [`Store::hear_other_processes`] runs) through other server processes. Each committed
    /// change is heard once.
    pub fn changes(&self) -> broadcast::Receiver<TermName> {
        self.feed.sender.subscribe()
    }

    /// On PostgreSQL, relays the changes committed by other server processes to
    /// [`Store::changes`] until `stop` is set, on a thread of its own; does nothing on SQLite,
    /// whose one server process is its only writer.
    pub fn hear_other_processes(&self, stop: Arc<AtomicBool>) {
        if self.backend() != crate::Backend::Postgres {
            return;
        }
        let (url, feed) = (self.url.clone(), self.feed.clone());
        let spawned = std::thread::Builder::new()
            .name("thidua-listen".into())
            .spawn(move || listen(&url, &feed, &stop));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the change listener");
        }
    }
}

fn listen(url: &str, feed: &ChangeFeed, stop: &AtomicBool) {
    let mut listener: Option<PgConnection> = None;
    while !stop.load(Ordering::Relaxed) {
        if listener.is_none() {
            match open_listener(url) {
                Ok(conn) => listener = Some(conn),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            }
        }
        if let Some(conn) = listener.as_mut() {
            let drained: Result<Vec<String>, Error> = conn
                .notifications_iter()
                .map(|n| n.map(|n| n.payload).map_err(db))
                .collect();
            match drained {
                Ok(payloads) => {
                    for p in payloads {
                        if let Some(term) = from_other(&feed.origin, &p) {
                            let _ = feed.sender.send(term);
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "lost the change listener; reconnecting");
                    listener = None;
                }
            }
        }
        std::thread::sleep(DRAIN_INTERVAL);
    }
}

fn open_listener(url: &str) -> Result<PgConnection, Error> {
    let mut conn = <PgConnection as diesel::Connection>::establish(url)
        .map_err(|e| Error::Unavailable(format!("cannot listen for changes: {e}")))?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(db)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_is_heard_from_others_only() {
        let term = TermName {
            cluster_id: "bac-kan-city".to_owned(),
            year: 2022,
        };
        let p = payload("41.7", &term);
        assert_eq!(from_other("41.7", &p), None, "its own");
        assert_eq!(from_other("99.1", &p), Some(term), "another process's");
        assert_eq!(from_other("99.1", "garbage"), None);
        assert_eq!(from_other("99.1", "a~b~not-a-year"), None);
    }
}
