//! The connection pool over both backends, migrations, and transactions.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use diesel::{
    Connection, PgConnection, SqliteConnection,
    connection::{AnsiTransactionManager, SimpleConnection, TransactionManager},
    r2d2::{ConnectionManager, CustomizeConnection, Pool},
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use thidua_domain::Error;
use thidua_domain::names::TermName;

use crate::{NewEvent, changes::ChangeFeed, errors::db};

pub(crate) const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection to either backend; the variant is chosen by the database URL.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// PostgreSQL, for shared deployments.
    Postgresql(PgConnection),
    /// SQLite, the embedded default.
    Sqlite(SqliteConnection),
}

/// Which database a store uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Applies the SQLite settings every connection needs: foreign keys, a busy timeout so waiting
/// writers queue instead of failing, and WAL so readers never block the writer.
#[derive(Debug)]
struct SqliteSettings;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqliteSettings {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The store: a pool of connections to one database.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<AnyConnection>>,
    backend: Backend,
    pub(crate) url: String,
    call: Option<Arc<CallGuard>>,
    /// Counts the write transactions committed through this store and every clone of it: see
    /// [`Store::generation`].
    generation: Arc<AtomicU64>,
    /// Published criteria trees already built: see [`PublishedTrees`].
    pub(crate) trees: Arc<PublishedTrees>,
    /// Where committed term changes are announced: see [`Store::changes`].
    pub(crate) feed: Arc<ChangeFeed>,
    /// SQLite's writers' queue: see [`Store::write_turn`].
    pub(crate) writes: Option<Arc<crate::write_queue::WriteQueue>>,
}

/// The trees of published criteria table versions, by (table, version number, etag), as read
/// by committed read transactions of this store. A published version never changes again, so a
/// tree kept here is the tree in the database; only read transactions fill it, so nothing a
/// write might still roll back is kept. Bounded: past [`MAX_TREES`] it starts afresh.
pub(crate) type PublishedTrees =
    Mutex<HashMap<(String, i32, i64), Arc<[thidua_domain::criteria::Criterion]>>>;

/// Published trees kept at most.
pub(crate) const MAX_TREES: usize = 256;

/// A check run at the start of a guarded write transaction.
pub type GuardCheck = dyn Fn(&mut Tx<'_>) -> Result<(), Error> + Send + Sync;

/// What one call asks of every transaction it runs, so authorization, audit and cancellation
/// hold in the transaction of the change itself (no window between check and write).
pub struct CallGuard {
    /// Runs first in every write transaction; an error rolls the transaction back. The server
    /// re-checks authorization here on the facts as this transaction sees them.
    pub check: Box<GuardCheck>,
    /// Appended to the audit log just before a write transaction commits.
    pub audit: Option<NewEvent>,
    /// Set when the caller has gone (cancelled, deadline passed): the transaction rolls back
    /// instead of committing, so an abandoned call leaves nothing behind.
    pub cancelled: Arc<AtomicBool>,
}

impl std::fmt::Debug for CallGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallGuard")
            .field("audit", &self.audit)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Opens the database named by `url` and applies pending migrations. `postgres://` and
    /// `postgresql://` URLs select PostgreSQL; `sqlite://PATH` or a plain path selects SQLite.
    pub fn open(url: &str) -> Result<Self, Error> {
        let (backend, conn_url) =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                (Backend::Postgres, url.to_owned())
            } else if let Some((scheme, _)) = url.split_once("://")
                && scheme != "sqlite"
            {
                return Err(Error::invalid(
                    "database",
                    format!(
                        "the database URL scheme `{scheme}://` is not supported: use \
                         postgres://USER:PASSWORD@HOST/DATABASE for PostgreSQL, or a file path \
                         (or sqlite://PATH) for SQLite"
                    ),
                ));
            } else {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                if path.is_empty() {
                    return Err(Error::invalid("database", "the SQLite path is empty"));
                }
                (Backend::Sqlite, path.to_owned())
            };
        // One connection first, without the pool: a wrong host, port, database or password is
        // reported at once with the database's own words, not after the pool's retries.
        let first = match backend {
            Backend::Postgres => PgConnection::establish(&conn_url).map(drop),
            Backend::Sqlite => SqliteConnection::establish(&conn_url).map(drop),
        };
        first.map_err(|e| {
            Error::Unavailable(format!(
                "cannot connect to the {} database: {}",
                match backend {
                    Backend::Postgres => "PostgreSQL",
                    Backend::Sqlite => "SQLite",
                },
                e.to_string().trim()
            ))
        })?;
        let manager = ConnectionManager::<AnyConnection>::new(conn_url.clone());
        let builder = Pool::builder().connection_timeout(Duration::from_secs(10));
        let builder = match backend {
            // A file cannot drop a connection: skip the `SELECT 1` r2d2 runs on every checkout
            // (on PostgreSQL it is what lets the pool heal after an outage).
            Backend::Sqlite => builder
                .max_size(8)
                .test_on_check_out(false)
                .connection_customizer(Box::new(SqliteSettings)),
            Backend::Postgres => builder.max_size(16),
        };
        let pool = builder
            .build(manager)
            .map_err(|e| Error::Unavailable(format!("cannot open the database: {e}")))?;
        let store = Self {
            pool,
            backend,
            url: conn_url,
            call: None,
            generation: Arc::new(AtomicU64::new(0)),
            trees: Arc::default(),
            feed: Arc::new(ChangeFeed::new()),
            writes: (backend == Backend::Sqlite).then(|| {
                Arc::new(crate::write_queue::WriteQueue::new(
                    crate::write_queue::MAX_WAITING,
                ))
            }),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The connection pool: connections open, and of those, idle.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Writes a consistent copy of a SQLite database to `path` while it serves (`VACUUM INTO`:
    /// one read transaction, so concurrent writers go on). PostgreSQL is backed up with
    /// `pg_dump`, outside the server.
    pub fn backup_into(&self, path: &str) -> Result<(), Error> {
        if self.backend == Backend::Postgres {
            return Err(Error::invalid(
                "database",
                "back up PostgreSQL with pg_dump (see the README)",
            ));
        }
        if std::path::Path::new(path).exists() {
            return Err(Error::invalid(
                "to",
                format!("{path} exists; choose a new file"),
            ));
        }
        let mut conn = self.connection()?;
        conn.batch_execute(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
            .map_err(db)
    }

    /// Applies pending migrations; returns how many were applied.
    pub fn migrate(&self) -> Result<usize, Error> {
        let mut conn = self.connection()?;
        let applied = match &mut *conn {
            AnyConnection::Sqlite(c) => {
                c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len())
            }
            AnyConnection::Postgresql(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        };
        applied.map_err(|e| Error::Internal(format!("migration failed: {e}")))
    }

    fn connection(
        &self,
    ) -> Result<diesel::r2d2::PooledConnection<ConnectionManager<AnyConnection>>, Error> {
        self.pool
            .get()
            .map_err(|e| Error::Unavailable(format!("no database connection: {e}")))
    }

    /// The same store, with every write transaction guarded, audited and cancellable for one
    /// call.
    pub fn for_call(&self, guard: CallGuard) -> Self {
        Self {
            call: Some(Arc::new(guard)),
            ..self.clone()
        }
    }

    /// The store's generation, where this process is the database's only writer (SQLite,
    /// served by one server process): it moves on after every committed write transaction.
    /// Something read in a transaction begun when the generation was `g` is still current
    /// while it is `g`; so a cache may keep what it read, tagged with the generation read
    /// *before* its transaction.
    ///
    /// `None` on PostgreSQL, where other server processes write too and this process would
    /// hear of their writes only later: there, what is current is asked of the database.
    pub fn generation(&self) -> Option<u64> {
        match self.backend {
            Backend::Sqlite => Some(self.generation.load(Ordering::Acquire)),
            Backend::Postgres => None,
        }
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.connection()?;
        in_transaction(&mut conn, &self.trees, None, f).map(|(value, _)| value)
    }

    /// Runs `f` in a write transaction: committed when it returns `Ok`, rolled back otherwise.
    /// On SQLite the transaction starts `IMMEDIATE`, so concurrent writers wait for the lock
    /// (up to the busy timeout) instead of failing when a read turns into a write.
    ///
    /// Every write moves the store's [`Store::generation`] on once committed, and announces the
    /// terms it changed ([`Store::changes`]).
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, Error>) -> Result<T, Error> {
        let mut conn = self.connection()?;
        let feed = Some(&*self.feed);
        let written = match self.call.as_deref() {
            None => in_transaction(&mut conn, &self.trees, feed, f),
            Some(call) => in_transaction(&mut conn, &self.trees, feed, |tx| {
                (call.check)(tx)?;
                let value = f(tx)?;
                if let Some(event) = &call.audit {
                    tx.append_audit(event.clone())?;
                }
                if call.cancelled.load(Ordering::SeqCst) {
                    return Err(Error::Cancelled);
                }
                Ok(value)
            }),
        };
        // After the commit, never before: a reader that sees the old generation began its
        // snapshot before this bump, so what it keeps is tagged as possibly older than this
        // write. (A failed commit may still have committed; moving on is always safe.)
        self.generation.fetch_add(1, Ordering::AcqRel);
        let (value, touched) = written?;
        self.feed.announce_locally(&touched);
        Ok(value)
    }
}

/// Runs `f` in a transaction: a write one when `feed` is given, which is told (PostgreSQL's
/// NOTIFY, inside the transaction) of the terms the transaction touched. Returns them with the
/// value once committed.
fn in_transaction<T>(
    conn: &mut AnyConnection,
    trees: &PublishedTrees,
    feed: Option<&ChangeFeed>,
    f: impl FnOnce(&mut Tx<'_>) -> Result<T, Error>,
) -> Result<(T, Vec<TermName>), Error> {
    let write = feed.is_some();
    match conn {
        AnyConnection::Sqlite(c) if write => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        _ => <AnyConnection as TransactionManager<AnyConnection>>::begin_transaction(conn),
    }
    .map_err(db)?;
    let mut tx = Tx {
        conn,
        trees,
        read_only: !write,
        touched: Vec::new(),
    };
    let result = f(&mut tx).and_then(|value| {
        if let (Some(feed), AnyConnection::Postgresql(c)) = (feed, &mut *tx.conn) {
            feed.notify_others(c, &tx.touched)?;
        }
        Ok(value)
    });
    let touched = std::mem::take(&mut tx.touched);
    match result {
        Ok(value) => {
            <AnyConnection as TransactionManager<AnyConnection>>::commit_transaction(conn)
                .map_err(|e| {
                    // A failed commit leaves the transaction open on some backends.
                    let _ =
                        <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(
                            conn,
                        );
                    db(e)
                })?;
            Ok((value, touched))
        }
        Err(e) => {
            <AnyConnection as TransactionManager<AnyConnection>>::rollback_transaction(conn)
                .map_err(db)?;
            Err(e)
        }
    }
}

/// An open transaction; the repository methods live on it, one module per concept.
pub struct Tx<'c> {
    pub(crate) conn: &'c mut AnyConnection,
    pub(crate) trees: &'c PublishedTrees,
    /// A read transaction: what it sees is committed.
    pub(crate) read_only: bool,
    /// The terms this transaction changed, each once, in the order first touched: announced
    /// after commit.
    pub(crate) touched: Vec<TermName>,
}

impl Tx<'_> {
    /// Records that this transaction changed what `term` shows; announced once
    /// the transaction commits.
    pub(crate) fn record_change(&mut self, term: &TermName) {
        if !self.touched.contains(term) {
            self.touched.push(term.clone());
        }
    }
}

/// Runs the same diesel statement on the concrete connection of either backend. For the few
/// statements `MultiBackend` cannot express, such as multi-row inserts.
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::AnyConnection::Sqlite($c) => $body,
            $crate::connection::AnyConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use per_backend;

#[cfg(test)]
mod tests {
    use super::*;

    /// What a cache keyed by the generation relies on: every committed write moves it (a
    /// rolled-back one may too), a read never does, and a clone shares it.
    #[test]
    fn the_generation_moves_with_every_write() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("thế-hệ.db").display().to_string())?;
        let at = |s: &Store| s.generation().ok_or("SQLite keeps a generation");
        let before = at(&store)?;
        store
            .read(|tx| {
                tx.term_version(&thidua_domain::names::TermName::new("bac-kan-phuong", 2022))
                    .map(|_| ())
            })
            .ok();
        assert_eq!(at(&store)?, before, "a read leaves it");
        let clone = store.clone();
        clone.write(|_| Ok(()))?;
        assert_eq!(at(&store)?, before + 1, "a clone's write moves it");
        let failed: Result<(), Error> = store.write(|_| Err(Error::Cancelled));
        assert!(failed.is_err());
        assert!(
            at(&store)? > before + 1,
            "a rolled-back write may move it too"
        );
        Ok(())
    }
}
