//! Use cases of the year-end cycle, one module per concern: `stages` (moving through the
//! year, deadlines), `reports` (results), `scores` (score layers and explanations), `board`
//! (the scoreboard, its export, tie decisions) and `policy`. Each loads what it needs, asks the
//! domain, and stores the outcome.

mod board;
mod policy;
mod reports;
mod scores;
mod stages;

pub use board::{
    Board, export_scoreboard, record_tie_decision, scoreboard, scoreboard_in, scoreboard_in_tx,
};
pub use policy::{policy, set_policy};
pub use reports::{ImportOutcome, import_results, list_results, submit_result};
pub use scores::{Explained, explain, list_scores, record_score};
pub use stages::{advance, reopen, set_deadlines};

use thidua_domain::{
    Error,
    criteria::{Table, TableVersion},
    term::Term,
};
use thidua_storage::Tx;

/// The criteria table bound to `term` and its version, or `None` when it has none (the domain
/// decides whether that matters).
fn bound_table(tx: &mut Tx<'_>, term: &Term) -> Result<Option<(Table, TableVersion)>, Error> {
    match &term.table {
        Some((id, n)) => Ok(Some((
            tx.existing_criteria_table(id)?,
            tx.existing_table_version(id, *n)?,
        ))),
        None => Ok(None),
    }
}
