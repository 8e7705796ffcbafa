//! Scoreboard changes: who watches hears of every change to a term, made by this process or,
//! on PostgreSQL, by any other server process on the same database (LISTEN/NOTIFY).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use thidua_storage::Store;
use tokio::sync::broadcast;

/// How long the listener waits between draining PostgreSQL's notification queue. libpq gives
/// no blocking wait through diesel, so this bounds how late a change from another process is
/// heard; no table is polled.
const DRAIN_INTERVAL: Duration = Duration::from_millis(100);

/// A term that changed: (cluster id, year).
pub type TermKey = (String, i32);

/// Fans term changes out to watchers.
#[derive(Debug, Clone)]
pub struct ChangeHub {
    sender: broadcast::Sender<TermKey>,
}

impl Default for ChangeHub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }
}

impl ChangeHub {
    /// Announces a change made by this process.
    pub fn changed(&self, cluster_id: &str, year: i32) {
        // No receiver means nobody watches; that is fine.
        let _ = self.sender.send((cluster_id.to_owned(), year));
    }

    /// Subscribes to changes.
    pub fn subscribe(&self) -> broadcast::Receiver<TermKey> {
        self.sender.subscribe()
    }

    /// On PostgreSQL, relays changes made by other processes until `stop` is set; returns at
    /// once on SQLite.
    pub fn relay_database(&self, store: &Store, stop: Arc<AtomicBool>) {
        let hub = self.clone();
        let store = store.clone();
        let spawned = std::thread::Builder::new().name("thidua-listen".into()).spawn(move || {
            let mut listener = None;
            while !stop.load(Ordering::Relaxed) {
                if listener.is_none() {
                    match store.change_listener() {
                        Ok(Some(l)) => listener = Some(l),
                        Ok(None) => return,
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot listen for changes; retrying");
                            std::thread::sleep(Duration::from_secs(1));
                            continue;
                        }
                    }
                }
                if let Some(l) = listener.as_mut() {
                    match l.drain() {
                        Ok(payloads) => {
                            for p in payloads {
                                if let Some((cluster, year)) = p.rsplit_once('~')
                                    && let Ok(year) = year.parse()
                                {
                                    hub.changed(cluster, year);
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
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the change listener");
        }
    }
}
