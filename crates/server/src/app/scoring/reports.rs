//! Reporting results: one at a time or a whole file, and reading them back with late ones
//! flagged.

use thidua_domain::{
    Error, Words,
    names::TermName,
    reporting::{self, ImportRow, NewResult},
    results::ReportedResult,
    stage::{self, Stage},
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::bound_table;
use crate::app::{Idempotency, now};

/// Reports one result (a correction is a new revision).
pub fn submit_result(
    store: &Store,
    name: &TermName,
    r: NewResult,
) -> Result<ReportedResult, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        let version = bound_table(tx, &term)?.map(|(_, v)| v);
        let mut stored = reporting::check_report(&term, version.as_ref(), &r, now)?;
        // Bumping the term first serialises concurrent reports of one term.
        tx.touch_term(name, None, now)?;
        stored.revision = tx.insert_result(name, &stored)?;
        flag_late(tx, name, std::slice::from_mut(&mut stored))?;
        Ok(stored)
    })
}

/// Flags results submitted after the reporting deadline, if one is set.
fn flag_late(
    tx: &mut Tx<'_>,
    name: &TermName,
    results: &mut [ReportedResult],
) -> Result<(), Error> {
    if let Some((_, deadline)) = tx
        .deadlines(name)?
        .into_iter()
        .find(|(s, _)| *s == Stage::Reporting)
    {
        for r in results {
            r.late = stage::is_late(r.submitted_at, deadline);
        }
    }
    Ok(())
}

/// A term's results, every revision, late ones flagged.
pub fn list_results(
    store: &Store,
    name: &TermName,
    unit: Option<&UnitRef>,
) -> Result<Vec<ReportedResult>, Error> {
    store.read(|tx| {
        tx.existing_term(name)?;
        let mut results = tx.results(name, unit)?;
        flag_late(tx, name, &mut results)?;
        Ok(results)
    })
}

/// The outcome of a result import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOutcome {
    /// Rows received.
    pub rows: i64,
    /// Results stored.
    pub stored: i64,
    /// True when replayed for a retried request id.
    #[serde(skip)]
    pub replayed: bool,
    /// What was read other than as written (codes read zero-padded); worked out again from the
    /// rows when a retried request is replayed, so it is worded in the retry's language.
    #[serde(skip)]
    pub warnings: Vec<Words>,
}

/// Imports many results: every row is checked first and every bad row reported; then all are
/// stored in one transaction, each as the next revision of its (member, criterion).
pub fn import_results(
    store: &Store,
    name: &TermName,
    rows: &[ImportRow],
    key: Option<Idempotency>,
) -> Result<ImportOutcome, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(mut outcome) = Idempotency::replay_outcome::<ImportOutcome>(key.as_ref(), tx)? {
            outcome.replayed = true;
            outcome.warnings = reporting::padding_warnings(&tx.existing_term(name)?, rows);
            return Ok(outcome);
        }
        let term = tx.existing_term(name)?;
        let version = bound_table(tx, &term)?.map(|(_, v)| v);
        let mut planned = reporting::plan_import(&term, version.as_ref(), rows, now)?;
        tx.touch_term(name, None, now)?;
        tx.insert_results(name, &mut planned)?;
        let outcome = ImportOutcome {
            rows: i64::try_from(rows.len()).unwrap_or(i64::MAX),
            stored: i64::try_from(planned.len()).unwrap_or(i64::MAX),
            replayed: false,
            warnings: reporting::padding_warnings(&term, rows),
        };
        Idempotency::remember_outcome(key.as_ref(), tx, &outcome, now)?;
        Ok(outcome)
    })
}
