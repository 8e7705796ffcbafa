//! Decisions and the award register.

use diesel::prelude::*;
use thidua_domain::{
    Error,
    award::decision::{Decision, Registered},
    time::{Date, Timestamp},
    unit::UnitRef,
};

use crate::{
    Tx,
    errors::{corrupt, db},
    schema::{decisions, register_entries},
    units::parse_key,
};

#[derive(Queryable, Insertable)]
#[diesel(table_name = decisions)]
struct DecisionRow {
    id: String,
    number: String,
    decided_on: String,
    authority_id: String,
    signer: String,
    entry: String,
    year: i32,
    kind: String,
    reason: String,
    recorded_at: i64,
}

impl DecisionRow {
    fn new(d: &Decision) -> Self {
        Self {
            id: d.id.clone(),
            number: d.number.clone(),
            decided_on: d.date.to_string(),
            authority_id: d.authority.key(),
            signer: d.signer.clone(),
            entry: d.entry.clone(),
            year: d.year,
            kind: d.kind.as_str().to_owned(),
            reason: d.reason.clone(),
            recorded_at: d.recorded_at.0,
        }
    }

    fn into_domain(self) -> Result<Decision, Error> {
        Ok(Decision {
            date: self
                .decided_on
                .parse()
                .map_err(|_| corrupt("date", &self.decided_on))?,
            authority: parse_key(&self.authority_id)?,
            kind: self
                .kind
                .parse()
                .map_err(|()| corrupt("decision kind", &self.kind))?,
            id: self.id,
            number: self.number,
            signer: self.signer,
            entry: self.entry,
            year: self.year,
            reason: self.reason,
            recorded_at: Timestamp(self.recorded_at),
        })
    }
}

/// Filters of a register listing.
#[derive(Debug, Clone, Default)]
pub struct RegisterFilter {
    /// Only these units.
    pub units: Option<Vec<UnitRef>>,
    /// Only this year.
    pub year: Option<i32>,
    /// Only this entry.
    pub entry: Option<String>,
    /// Only the lines this decision (an id) made or revoked.
    pub decision: Option<String>,
}

type RegisterRow = (String, String, Option<String>, Option<String>);

impl Tx<'_> {
    /// A decision by id.
    pub fn decision(&mut self, id: &str) -> Result<Option<Decision>, Error> {
        let row: Option<DecisionRow> = decisions::table
            .find(id)
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        row.map(DecisionRow::into_domain).transpose()
    }

    /// Records a decision.
    pub fn insert_decision(&mut self, d: &Decision) -> Result<(), Error> {
        diesel::insert_into(decisions::table)
            .values(DecisionRow::new(d))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// The dates of `authority`'s decisions numbered `number`.
    pub fn decision_dates(
        &mut self,
        authority: &UnitRef,
        number: &str,
    ) -> Result<Vec<Date>, Error> {
        let dates: Vec<String> = decisions::table
            .filter(decisions::authority_id.eq(authority.key()))
            .filter(decisions::number.eq(number))
            .select(decisions::decided_on)
            .load(self.conn)
            .map_err(db)?;
        dates
            .iter()
            .map(|d| d.parse().map_err(|_| corrupt("date", d)))
            .collect()
    }

    /// Puts `unit` in the register by `decision`, answering `award_id` if a cluster proposed it.
    pub fn register(
        &mut self,
        decision: &Decision,
        unit: &UnitRef,
        award_id: Option<&str>,
    ) -> Result<(), Error> {
        diesel::insert_into(register_entries::table)
            .values((
                register_entries::decision_id.eq(&decision.id),
                register_entries::unit_id.eq(unit.key()),
                register_entries::entry.eq(&decision.entry),
                register_entries::year.eq(decision.year),
                register_entries::award_id.eq(award_id),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Marks `unit`'s lines of `entry` and `year` revoked by `by` (a decision id).
    pub fn revoke_registered(
        &mut self,
        unit: &UnitRef,
        entry: &str,
        year: i32,
        by: &str,
    ) -> Result<(), Error> {
        diesel::update(
            register_entries::table
                .filter(register_entries::unit_id.eq(unit.key()))
                .filter(register_entries::entry.eq(entry))
                .filter(register_entries::year.eq(year))
                .filter(register_entries::revoked_by.is_null()),
        )
        .set(register_entries::revoked_by.eq(by))
        .execute(self.conn)
        .map_err(db)?;
        Ok(())
    }

    /// The register's lines matching `filter`, by year, entry and unit.
    pub fn registered(&mut self, filter: &RegisterFilter) -> Result<Vec<Registered>, Error> {
        let mut query = register_entries::table
            .inner_join(decisions::table.on(decisions::id.eq(register_entries::decision_id)))
            .into_boxed();
        if let Some(units) = &filter.units {
            let keys: Vec<String> = units.iter().map(UnitRef::key).collect();
            query = query.filter(register_entries::unit_id.eq_any(keys));
        }
        if let Some(year) = filter.year {
            query = query.filter(register_entries::year.eq(year));
        }
        if let Some(entry) = &filter.entry {
            query = query.filter(register_entries::entry.eq(entry.clone()));
        }
        if let Some(id) = &filter.decision {
            query = query.filter(
                register_entries::decision_id
                    .eq(id.clone())
                    .or(register_entries::revoked_by.eq(id.clone())),
            );
        }
        let rows: Vec<(RegisterRow, DecisionRow)> = query
            .order((
                register_entries::year,
                register_entries::entry,
                register_entries::unit_id,
                decisions::decided_on,
            ))
            .select((
                (
                    register_entries::decision_id,
                    register_entries::unit_id,
                    register_entries::award_id,
                    register_entries::revoked_by,
                ),
                decisions::all_columns,
            ))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter()
            .map(|((_, unit, award_id, revoked_by), d)| {
                Ok(Registered {
                    decision: d.into_domain()?,
                    unit: parse_key(&unit)?,
                    award_id,
                    revoked_by,
                })
            })
            .collect()
    }
}
