//! Scoreboards already computed, kept per term, layer and language (of their notes) with the
//! term's version: a read
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

use thidua_domain::Language;
use thidua_proto::v1 as pb;

use crate::admissions::MAX_AGE;

/// Terms × layers kept at most by default (`--board-cache-entries`); past the bound the cache
/// starts afresh (bounded memory).
pub const DEFAULT_ENTRIES: usize = 4_096;

type Key = (String, i32, i32, Language);

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
#[derive(Debug, Clone)]
pub struct BoardCache {
    boards: Arc<Mutex<HashMap<Key, Kept>>>,
    capacity: usize,
}

impl Default for BoardCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_ENTRIES)
    }
}

impl BoardCache {
    /// A cache of at most `capacity` boards (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            boards: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    /// The board of `(cluster, year, layer, language)` if its version was confirmed at
    /// `generation`, less than [`MAX_AGE`] ago: current without asking the database.
    pub fn fresh(
        &self,
        (cluster_id, year, layer, language): (&str, i32, i32, Language),
        generation: Option<u64>,
    ) -> Option<Arc<pb::GetScoreboardResponse>> {
        let generation = generation?;
        let boards = self.boards.lock().ok()?;
        boards
            .get(&(cluster_id.to_owned(), year, layer, language))
            .filter(|k| k.generation == Some(generation) && k.at.elapsed() < MAX_AGE)
            .map(|k| k.board.clone())
    }

    /// The board of `(cluster, year, layer, language)` computed at `version`, if kept; the
    /// database has just shown `version` current in a transaction begun at `generation`.
    pub fn confirm(
        &self,
        (cluster_id, year, layer, language): (&str, i32, i32, Language),
        version: i64,
        generation: Option<u64>,
    ) -> Option<Arc<pb::GetScoreboardResponse>> {
        let mut boards = self.boards.lock().ok()?;
        let kept = boards
            .get_mut(&(cluster_id.to_owned(), year, layer, language))
            .filter(|k| k.version == version)?;
        kept.generation = generation;
        kept.at = Instant::now();
        Some(kept.board.clone())
    }

    /// Keeps `board`, computed at `version` in a transaction begun at `generation`.
    pub fn put(
        &self,
        key: (&str, i32, i32, Language),
        version: i64,
        generation: Option<u64>,
        board: Arc<pb::GetScoreboardResponse>,
    ) {
        let (cluster_id, year, layer, language) = key;
        if let Ok(mut boards) = self.boards.lock() {
            if boards.len() >= self.capacity {
                boards.clear();
            }
            boards.insert(
                (cluster_id.to_owned(), year, layer, language),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_more_boards_are_kept_than_the_bound() {
        let cache = BoardCache::with_capacity(2);
        for year in 2020..2026 {
            let board = Arc::new(pb::GetScoreboardResponse::default());
            let key = ("bac-kan-city", year, 0, Language::Vi);
            cache.put(key, 1, Some(1), board);
            let kept = cache.boards.lock().map(|b| b.len()).unwrap_or(usize::MAX);
            assert!(kept <= 2, "{kept} kept");
            assert!(cache.fresh(key, Some(1)).is_some());
            // Its notes are Vietnamese: not the board of a caller reading English.
            assert!(
                cache
                    .fresh(("bac-kan-city", year, 0, Language::En), Some(1))
                    .is_none()
            );
        }
    }
}
