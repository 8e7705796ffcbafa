//! Moving a term through its year: advance, reopen, deadlines.

use thidua_domain::{
    Error,
    covenant::CovenantStatus,
    names::TermName,
    results::Layer,
    scoring,
    stage::{self, Stage},
    term::Term,
    time::Date,
};
use thidua_storage::Store;

use super::board::board_in;
use crate::app::now;

/// Moves a term to the next stage. Adoption is refused while a tie no rule breaks remains.
pub fn advance(store: &Store, name: &TermName, to: Stage) -> Result<Term, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        let subject = term.resource();
        stage::check_advance(
            term.stage,
            to,
            &subject,
            term.covenant_status == CovenantStatus::Signed,
        )?;
        // Only adoption looks at the scores: the board is read for it alone.
        if to == Stage::Adopted {
            let board = board_in(tx, term.clone(), Some(Layer::Adjustment))?;
            scoring::check_ties_resolved(&board.placements, &subject)?;
        }
        tx.set_stage(name, term.stage, to, "", now)?;
        tx.existing_term(name)
    })
}

/// Reopens adopted scores for review, with a written reason; nothing is erased.
pub fn reopen(store: &Store, name: &TermName, reason: &str) -> Result<Term, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        stage::check_reopen(term.stage, reason, &term.resource())?;
        tx.set_stage(name, term.stage, Stage::Review, reason.trim(), now)?;
        tx.existing_term(name)
    })
}

/// Sets deadlines per stage; each must fall on or after the term's first day.
pub fn set_deadlines(
    store: &Store,
    name: &TermName,
    deadlines: &[(Stage, Date)],
) -> Result<Vec<(Stage, Date)>, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        stage::check_deadlines(term.period.start, deadlines)?;
        tx.touch_term(name, None, now)?;
        for (stage, date) in deadlines {
            tx.set_deadline(name, *stage, *date)?;
        }
        tx.deadlines(name)
    })
}
