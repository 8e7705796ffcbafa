//! Score layers (tự chấm, chấm chéo, điều chỉnh) and the explanation of a member's points.

use thidua_domain::{
    Error,
    criteria::TableVersion,
    names::TermName,
    reporting::{self, NewScore},
    results::{Layer, LayerScore},
    scoring::MemberScore,
    term::Term,
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::{
    board::{Scored, score_term},
    bound_table,
};
use crate::app::now;

/// Records a layer score: self-scores while self-scoring, review scores and adjustments
/// during review.
pub fn record_score(store: &Store, name: &TermName, s: NewScore) -> Result<Explained, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        let table = bound_table(tx, &term)?;
        let score = reporting::check_score(&term, table.as_ref().map(|(t, v)| (t, v)), &s, now)?;
        tx.touch_term(name, None, now)?;
        tx.insert_layer_score(name, &score)?;
        let term = tx.existing_term(name)?;
        explain_in(tx, &term, &s.unit, Some(s.layer))
    })
}

/// Every layer score of a term (optionally of one member).
pub fn list_scores(
    store: &Store,
    name: &TermName,
    unit: Option<&UnitRef>,
) -> Result<Vec<LayerScore>, Error> {
    store.read(|tx| {
        tx.existing_term(name)?;
        let mut scores = tx.layer_scores(name)?;
        if let Some(u) = unit {
            scores.retain(|s| &s.unit == u);
        }
        Ok(scores)
    })
}

/// One member's explained scores, with the table for titles.
#[derive(Debug, Clone)]
pub struct Explained {
    /// The scores.
    pub score: MemberScore,
    /// The table version, for titles.
    pub version: TableVersion,
    /// The decisions behind the member's events read from the award register, by criterion.
    pub grounds: std::collections::HashMap<String, String>,
}

fn explain_in(
    tx: &mut Tx<'_>,
    term: &Term,
    unit: &UnitRef,
    up_to: Option<Layer>,
) -> Result<Explained, Error> {
    term.require_member("unit", unit)?;
    let Scored {
        version,
        scores,
        grounds,
        ..
    } = score_term(tx, term, up_to)?;
    let score = scores
        .into_iter()
        .find(|s| &s.unit == unit)
        .ok_or_else(|| Error::Internal(format!("{unit} was not scored")))?;
    let grounds = grounds
        .into_iter()
        .filter(|((u, _), _)| u == unit)
        .map(|((_, code), ground)| (code, ground))
        .collect();
    Ok(Explained {
        score,
        version,
        grounds,
    })
}

/// Explains one member's points.
pub fn explain(
    store: &Store,
    name: &TermName,
    unit: &UnitRef,
    up_to: Option<Layer>,
) -> Result<Explained, Error> {
    store.read(|tx| {
        let term = tx.existing_term(name)?;
        explain_in(tx, &term, unit, up_to)
    })
}
