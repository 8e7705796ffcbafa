//! The server's own queue for SQLite writes.
//!
//! SQLite has one writer at a time. Left to SQLite, a write that finds the database busy sleeps
//! and retries in its busy handler, on a blocking thread, for up to the busy timeout, and then
//! fails UNAVAILABLE "database is locked" — however long it already waited, and in no order.
//! Here a write first waits its turn in a fair (first come, first served) queue, asynchronously,
//! for as long as its call's deadline allows (the call is dropped at its deadline, and its
//! place with it); when [`MAX_WAITING`] writes already wait, it is refused RESOURCE_EXHAUSTED
//! at once. PostgreSQL, which has many writers, needs no queue.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use thidua_domain::Error;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Backend, Store};

/// Writes that may wait for their turn at once; the next is refused.
pub const MAX_WAITING: usize = 256;

/// The queue of one SQLite database, shared by every clone of its store.
#[derive(Debug)]
pub(crate) struct WriteQueue {
    turn: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl WriteQueue {
    pub(crate) fn new(max_waiting: usize) -> Self {
        Self {
            turn: Arc::new(Semaphore::new(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }
}

/// A write's turn: the database is this write's until it is dropped.
#[derive(Debug)]
pub struct WriteTurn {
    /// Given back when the turn is dropped.
    _permit: Option<OwnedSemaphorePermit>,
}

/// Counts a waiting write, and stops counting it however its wait ends (its turn came, or
/// its call was dropped at its deadline).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Store {
    /// This store with a write queue that holds at most `max_waiting` waiting writes.
    pub fn with_write_queue(mut self, max_waiting: usize) -> Self {
        if self.backend() == Backend::Sqlite {
            self.writes = Some(Arc::new(WriteQueue::new(max_waiting)));
        }
        self
    }

    /// Writes waiting for their turn now.
    pub fn writes_waiting(&self) -> usize {
        self.writes
            .as_ref()
            .map_or(0, |q| q.waiting.load(Ordering::Acquire))
    }

    /// Waits for this write's turn (on PostgreSQL at once); refused RESOURCE_EXHAUSTED when
    /// the queue is full. Hold the turn for the whole write transaction.
    pub async fn write_turn(&self) -> Result<WriteTurn, Error> {
        // Only a SQLite store has a queue.
        let Some(queue) = &self.writes else {
            return Ok(WriteTurn { _permit: None });
        };
        if queue.waiting.fetch_add(1, Ordering::AcqRel) >= queue.max_waiting {
            queue.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Error::ResourceExhausted(thidua_domain::words!(
                "writes-waiting",
                waiting = queue.max_waiting
            )));
        }
        let waiting = Waiting(&queue.waiting);
        let permit = queue
            .turn
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Unavailable("the write queue is closed".into()))?;
        drop(waiting);
        Ok(WriteTurn {
            _permit: Some(permit),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &std::path::Path, max_waiting: usize) -> Result<Store, Error> {
        Store::open(&dir.join("Nông Thượng.db").display().to_string())
            .map(|s| s.with_write_queue(max_waiting))
    }

    /// Lets the runtime run other tasks until `store` counts `n` waiting writes.
    async fn until_waiting(store: &Store, n: usize) {
        while store.writes_waiting() != n {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn writes_take_turns_and_a_full_queue_refuses_at_once()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store(dir.path(), 1)?;
        let first = store.write_turn().await?;
        let second = {
            let store = store.clone();
            tokio::spawn(async move { store.write_turn().await.map(|_| ()) })
        };
        until_waiting(&store, 1).await;
        assert!(matches!(
            store.write_turn().await,
            Err(Error::ResourceExhausted(_))
        ));
        assert!(
            !second.is_finished(),
            "the waiting write went ahead of the holder"
        );
        drop(first);
        second.await??;
        assert_eq!(store.writes_waiting(), 0);
        Ok(())
    }

    #[tokio::test]
    async fn an_abandoned_wait_gives_its_place_back() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store(dir.path(), 1)?;
        let held = store.write_turn().await?;
        let waiter = {
            let store = store.clone();
            tokio::spawn(async move { store.write_turn().await.map(|_| ()) })
        };
        until_waiting(&store, 1).await;
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(store.writes_waiting(), 0);
        drop(held);
        store.write_turn().await?;
        Ok(())
    }
}
