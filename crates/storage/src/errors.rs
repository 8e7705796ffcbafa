//! Maps diesel and pool errors to domain errors: connection trouble is `Unavailable`, a
//! constraint the caller did not anticipate is `Internal` (its text goes to the log only).

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use thidua_domain::Error;

/// Maps a diesel error.
pub(crate) fn db(e: DieselError) -> Error {
    match e {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            info,
        ) => Error::Unavailable(info.message().to_owned()),
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
            Error::Unavailable(format!("concurrent update, retry: {}", info.message()))
        }
        DieselError::DatabaseError(_, info) if is_full(info.message()) => {
            Error::StorageFull(info.message().to_owned())
        }
        DieselError::DatabaseError(_, info)
            if is_busy(info.message()) || is_connection_lost(info.message()) =>
        {
            Error::Unavailable(info.message().to_owned())
        }
        DieselError::BrokenTransactionManager => {
            Error::Unavailable("the connection broke mid-transaction".into())
        }
        other if is_full(&other.to_string()) => Error::StorageFull(other.to_string()),
        other if is_connection_lost(&other.to_string()) => Error::Unavailable(other.to_string()),
        other => Error::Internal(other.to_string()),
    }
}

/// PostgreSQL going away (shutdown, restart, network): the messages libpq and the server
/// give for SQLSTATE classes 08 (connection exception) and 57 (operator intervention), which
/// diesel does not classify.
fn is_connection_lost(message: &str) -> bool {
    [
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "connection to server",
        "could not connect",
        "Connection refused",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "SSL connection has been closed",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// A full disk: SQLite's SQLITE_FULL, PostgreSQL's `disk_full` (SQLSTATE 53100) and the
/// operating system's ENOSPC as PostgreSQL reports it.
fn is_full(message: &str) -> bool {
    [
        "database or disk is full",
        "No space left on device",
        "could not extend file",
    ]
    .iter()
    .any(|m| message.contains(m))
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

/// True when the error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Maps a stored value that does not parse: the database holds something this version did not
/// write.
pub(crate) fn corrupt(what: &str, value: &str) -> Error {
    Error::Internal(format!("stored {what} `{value}` is not valid"))
}

#[cfg(test)]
mod tests {
    use diesel::{Connection, RunQueryDsl, SqliteConnection};

    use super::*;

    /// SQLite refuses to grow past `max_page_count` with SQLITE_FULL, as on a full disk.
    #[test]
    fn a_full_disk_is_storage_full() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("Phong Quang.db");
        let mut c = SqliteConnection::establish(&path.display().to_string())?;
        diesel::sql_query("CREATE TABLE filler (x TEXT)").execute(&mut c)?;
        diesel::sql_query("PRAGMA max_page_count = 2").execute(&mut c)?;
        let full = diesel::sql_query("INSERT INTO filler VALUES (printf('%.*c', 100000, 'x'))")
            .execute(&mut c)
            .map_err(db);
        assert!(matches!(full, Err(Error::StorageFull(_))), "{full:?}");
        Ok(())
    }
}
