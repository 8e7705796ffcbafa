//! One computation of a watched board per change, shared by every watcher of it.
//!
//! A year-end meeting, a province's portal and every member's officer may watch the same
//! scoreboard: a thousand watchers of one term. Each (term, layer) watched has one task here
//! that listens to the store's change announcements, scores the board once per change that
//! concerns it, and publishes it; the watchers ([`super::board_watch`]) read the published board
//! and send it, each after checking its own key or link. The task ends with its last watcher.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use thidua_domain::{Language, names::TermName, results::Layer};
use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tokio::sync::{broadcast::error::RecvError, watch};
use tonic::Status;

use super::blocking;
use crate::{app, convert};

/// What a watched board's task publishes: nothing before its first board, then the board, or
/// why it could not be read (which ends its watchers' streams).
pub type Published = Option<Result<Arc<pb::GetScoreboardResponse>, Status>>;

/// A watched board: its term, its layer, and the language its notes are worded in (the
/// watchers' own, [`crate::locale::current`] when they subscribe).
type Key = (TermName, Option<Layer>, Language);

/// The boards being watched in one server; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct BoardHub {
    watched: Arc<Mutex<HashMap<Key, watch::Sender<Published>>>>,
}

impl BoardHub {
    /// The published board of `term` up to `up_to`, starting its task if nobody watches it yet.
    pub fn subscribe(
        &self,
        store: &Store,
        term: &TermName,
        up_to: Option<Layer>,
    ) -> watch::Receiver<Published> {
        let key = (term.clone(), up_to, crate::locale::current());
        let mut watched = self
            .watched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sender) = watched.get(&key)
            && !sender.is_closed()
        {
            return sender.subscribe();
        }
        let (sender, receiver) = watch::channel(None);
        watched.insert(key.clone(), sender.clone());
        drop(watched);
        self.run(store.clone(), key, sender);
        receiver
    }

    /// The task of one watched board: scores it now, then again after every change
    /// announced for its term, until its last watcher has gone.
    fn run(&self, store: Store, key: Key, sender: watch::Sender<Published>) {
        let hub = self.clone();
        let language = key.2;
        tokio::spawn(crate::locale::speaking(language, async move {
            // Subscribed before the first reading, so no change between the two is lost.
            let mut changes = store.changes();
            let (term, up_to, _) = key.clone();
            let read = || {
                let (store, term) = (store.clone(), term.clone());
                async move {
                    blocking(move || app::scoring::scoreboard(&store, &term, up_to))
                        .await
                        .map(|b| Arc::new(convert::board_out(b, up_to, language)))
                }
            };
            let mut current = read().await;
            sender.send_replace(Some(current.clone()));
            // A board that cannot be read ends its watchers' streams; its task ends with them.
            while current.is_ok() {
                tokio::select! {
                    () = sender.closed() => break,
                    change = changes.recv() => match change {
                        Ok(changed) if changed == term => {}
                        Ok(_) => continue,
                        // Missed some: the board is read afresh anyway.
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => break,
                    },
                }
                let next = read().await;
                let changed = match (&current, &next) {
                    (Ok(a), Ok(b)) => a != b,
                    _ => true,
                };
                if changed {
                    current = next;
                    sender.send_replace(Some(current.clone()));
                }
            }
            hub.forget(&key, &sender);
        }));
    }

    /// Drops `key`'s entry if it is still `sender`'s.
    fn forget(&self, key: &Key, sender: &watch::Sender<Published>) {
        let mut watched = self
            .watched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if watched.get(key).is_some_and(|s| s.same_channel(sender)) {
            watched.remove(key);
        }
    }
}
