//! Scoreboards already computed, kept per term and layer with the term's version: a read
//! whose term has not changed since is answered without loading and scoring its results
//! again. Valid across server processes, because every read checks the version in the
//! database; every change to a term or to what it scores bumps that version.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use thidua_proto::v1 as pb;

/// Terms × layers kept at most; past it the cache starts afresh (bounded memory).
const MAX_ENTRIES: usize = 4_096;

type Key = (String, i32, i32);

/// A board and the term version it was computed at.
type Kept = (i64, Arc<pb::GetScoreboardResponse>);

/// The cache; cheap to clone, shared by the service's handlers.
#[derive(Debug, Clone, Default)]
pub struct BoardCache {
    boards: Arc<Mutex<HashMap<Key, Kept>>>,
}

impl BoardCache {
    /// The board of `(cluster, year, layer)` computed at `version`, if kept.
    pub fn get(
        &self,
        cluster_id: &str,
        year: i32,
        layer: i32,
        version: i64,
    ) -> Option<Arc<pb::GetScoreboardResponse>> {
        let boards = self.boards.lock().ok()?;
        boards
            .get(&(cluster_id.to_owned(), year, layer))
            .filter(|(v, _)| *v == version)
            .map(|(_, b)| b.clone())
    }

    /// Keeps `board`, computed at `version`.
    pub fn put(
        &self,
        cluster_id: &str,
        year: i32,
        layer: i32,
        version: i64,
        board: Arc<pb::GetScoreboardResponse>,
    ) {
        if let Ok(mut boards) = self.boards.lock() {
            if boards.len() >= MAX_ENTRIES {
                boards.clear();
            }
            boards.insert((cluster_id.to_owned(), year, layer), (version, board));
        }
    }
}
