//! Scoreboards already computed, kept per term and layer with the term's version: a read
//! whose term has not changed since is answered without loading and scoring its results
//! again. Valid across server processes, because a read that goes to the database checks the
//! version there; every change to a term or to what it scores bumps that version.
//!
//! Where the store keeps a generation (SQLite), a board is also kept with the generation at
//! which its version was last confirmed: while the generation has not moved (and for at most
//! [`MAX_AGE`]), a read is answered from memory without asking the database, on the same terms
//! as [`crate::admissions`].

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use thidua_proto::v1 as pb;

use crate::admissions::MAX_AGE;

/// Terms × layers kept at most; past it the cache starts afresh (bounded memory).
const MAX_ENTRIES: usize = 4_096;

type Key = (String, i32, i32);

/// A board, the term version it was computed at, and the generation and instant at which
/// that version was last confirmed in the database.
#[derive(Debug)]
struct Kept {
    version: i64,
    /// `None`: never answered without asking the database.
    generation: Option<u64>,
    at: Instant,
    board: Arc<pb::GetScoreboardResponse>,
}

/// The cache; cheap to clone, shared by the service's handlers.
#[derive(Debug, Clone, Default)]
pub struct BoardCache {
    boards: Arc<Mutex<HashMap<Key, Kept>>>,
}

impl BoardCache {
    /// The board of `(cluster, year, layer)` if its version was confirmed at `generation`,
    /// less than [`MAX_AGE`] ago: current without asking the database.
    pub fn fresh(
        &self,
        cluster_id: &str,
        year: i32,
        layer: i32,
        generation: Option<u64>,
    ) -> Option<Arc<pb::GetScoreboardResponse>> {
        let generation = generation?;
        let boards = self.boards.lock().ok()?;
        boards
            .get(&(cluster_id.to_owned(), year, layer))
            .filter(|k| k.generation == Some(generation) && k.at.elapsed() < MAX_AGE)
            .map(|k| k.board.clone())
    }

    /// The board of `(cluster, year, layer)` computed at `version`, if kept; the database
    /// has just shown `version` current in a transaction begun at `generation`.
    pub fn confirm(
        &self,
        cluster_id: &str,
        year: i32,
        layer: i32,
        version: i64,
        generation: Option<u64>,
    ) -> Option<Arc<pb::GetScoreboardResponse>> {
        let mut boards = self.boards.lock().ok()?;
        let kept = boards
            .get_mut(&(cluster_id.to_owned(), year, layer))
            .filter(|k| k.version == version)?;
        kept.generation = generation;
        kept.at = Instant::now();
        Some(kept.board.clone())
    }

    /// Keeps `board`, computed at `version` in a transaction begun at `generation`.
    pub fn put(
        &self,
        key: (&str, i32, i32),
        version: i64,
        generation: Option<u64>,
        board: Arc<pb::GetScoreboardResponse>,
    ) {
        let (cluster_id, year, layer) = key;
        if let Ok(mut boards) = self.boards.lock() {
            if boards.len() >= MAX_ENTRIES {
                boards.clear();
            }
            boards.insert(
                (cluster_id.to_owned(), year, layer),
                Kept {
                    version,
                    generation,
                    at: Instant::now(),
                    board,
                },
            );
        }
    }
}
