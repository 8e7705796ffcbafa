//! A unit's record year by year (thành tích qua các năm), its predecessors' years included by
//! the lineage rule of `thidua_domain::lineage::record`.

use rust_decimal::Decimal;
use thidua_domain::{
    Error, award::Award, lineage::record, names::TermName, stage::Stage, unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::scoring::scoreboard_in;

/// One term of a unit's record.
#[derive(Debug, Clone)]
pub struct UnitYear {
    /// The term.
    pub term: TermName,
    /// The unit whose year it is.
    pub unit: UnitRef,
    /// Its name in the term.
    pub name: String,
    /// Rank, total and classification level, once the term's board is adopted.
    pub placed: Option<(usize, Decimal, Option<String>)>,
    /// Its awards in the term.
    pub awards: Vec<Award>,
}

/// The record of `unit` and of the predecessors it carries the record of, oldest year first,
/// from `from` on; only the terms `may_read` admits.
pub fn unit_history(
    store: &Store,
    unit: &UnitRef,
    from: Option<i32>,
    may_read: impl Fn(&mut Tx<'_>, &TermName) -> Result<bool, Error>,
) -> Result<Vec<UnitYear>, Error> {
    store.read(|tx| {
        tx.existing_unit(unit)?;
        let links = super::succession::links_along(
            tx,
            std::slice::from_ref(unit),
            super::succession::Along::Backward,
        )?;
        let mut units = vec![unit.clone()];
        units.extend(record::record_predecessors(unit, &links));
        let mut years = Vec::new();
        for u in &units {
            for (name, _) in tx.member_terms(u)? {
                if from.is_some_and(|y| name.year < y) || !may_read(tx, &name)? {
                    continue;
                }
                let term = tx.existing_term(&name)?;
                let member_name = term
                    .members
                    .iter()
                    .find(|m| &m.unit == u)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                // The record is the adopted board; before adoption a rank is not yet anyone's.
                let placed = if term.stage < Stage::Adopted {
                    None
                } else {
                    let board = scoreboard_in(tx, &term)?;
                    let level = board
                        .scores
                        .get(u)
                        .and_then(|s| s.classification.level.clone());
                    board
                        .placements
                        .iter()
                        .find(|p| &p.unit == u)
                        .map(|p| (p.rank, p.total, level))
                };
                let awards = tx
                    .awards(&name)?
                    .into_iter()
                    .filter(|a| &a.unit == u)
                    .collect();
                years.push(UnitYear {
                    term: name,
                    unit: u.clone(),
                    name: member_name,
                    placed,
                    awards,
                });
            }
        }
        years.sort_by(|a, b| {
            (a.term.year, &a.term.cluster_id, &a.unit).cmp(&(
                b.term.year,
                &b.term.cluster_id,
                &b.unit,
            ))
        });
        Ok(years)
    })
}
