//! A term's table binding and targets.

use diesel::prelude::*;
use rust_decimal::Decimal;
use thidua_domain::{
    Error, decimal, names::TermName, target::Targets, time::Timestamp, unit::UnitRef,
};

use crate::{
    Tx,
    connection::per_backend,
    errors::{corrupt, db},
    schema::{assigned_targets, default_targets, terms},
    units::parse_key,
};

impl Tx<'_> {
    /// Binds a table version to a term.
    pub fn bind_table(
        &mut self,
        term: &TermName,
        table_id: &str,
        number: i32,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::update(terms::table.find((cluster_id, year)))
            .set((
                terms::table_id.eq(Some(table_id)),
                terms::table_number.eq(Some(number)),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// A term's targets.
    pub fn targets(&mut self, term: &TermName) -> Result<Targets, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        // Defaults (no member) and assigned values in one statement: one of a dozen reads
        // each scoreboard makes.
        let rows: Vec<(Option<String>, String, String)> = per_backend!(&mut *self.conn, |c| {
            default_targets::table
                .filter(default_targets::cluster_id.eq(cluster_id))
                .filter(default_targets::year.eq(year))
                .select((
                    None::<String>
                        .into_sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
                    default_targets::criterion_code,
                    default_targets::value,
                ))
                .union_all(
                    assigned_targets::table
                        .filter(assigned_targets::cluster_id.eq(cluster_id))
                        .filter(assigned_targets::year.eq(year))
                        .select((
                            assigned_targets::unit_id.nullable(),
                            assigned_targets::criterion_code,
                            assigned_targets::value,
                        )),
                )
                .load(c)
        })
        .map_err(db)?;
        let value = |v: &str| decimal::parse("value", v).map_err(|_| corrupt("target value", v));
        let mut t = Targets::default();
        t.defaults
            .reserve(rows.iter().filter(|(unit, _, _)| unit.is_none()).count());
        for (unit, code, v) in rows {
            match unit {
                None => {
                    t.defaults.insert(code, value(&v)?);
                }
                Some(unit) => t.assign(parse_key(&unit)?, code, value(&v)?),
            }
        }
        Ok(t)
    }

    /// Sets a default target (replacing any earlier value).
    pub fn set_default_target(
        &mut self,
        term: &TermName,
        code: &str,
        value: Decimal,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::delete(
            default_targets::table
                .filter(default_targets::cluster_id.eq(cluster_id))
                .filter(default_targets::year.eq(year))
                .filter(default_targets::criterion_code.eq(code)),
        )
        .execute(self.conn)
        .map_err(db)?;
        diesel::insert_into(default_targets::table)
            .values((
                default_targets::cluster_id.eq(cluster_id),
                default_targets::year.eq(year),
                default_targets::criterion_code.eq(code),
                default_targets::value.eq(decimal::format(value)),
                default_targets::updated_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Sets a member's assigned target (replacing any earlier value).
    pub fn set_assigned_target(
        &mut self,
        term: &TermName,
        unit: &UnitRef,
        code: &str,
        value: Decimal,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::delete(
            assigned_targets::table
                .filter(assigned_targets::cluster_id.eq(cluster_id))
                .filter(assigned_targets::year.eq(year))
                .filter(assigned_targets::unit_id.eq(unit.key()))
                .filter(assigned_targets::criterion_code.eq(code)),
        )
        .execute(self.conn)
        .map_err(db)?;
        diesel::insert_into(assigned_targets::table)
            .values((
                assigned_targets::cluster_id.eq(cluster_id),
                assigned_targets::year.eq(year),
                assigned_targets::unit_id.eq(unit.key()),
                assigned_targets::criterion_code.eq(code),
                assigned_targets::value.eq(decimal::format(value)),
                assigned_targets::updated_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Drops targets of criteria not in `codes` (after a new table is bound).
    pub fn retain_targets(&mut self, term: &TermName, codes: &[String]) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::delete(
            default_targets::table
                .filter(default_targets::cluster_id.eq(cluster_id))
                .filter(default_targets::year.eq(year))
                .filter(default_targets::criterion_code.ne_all(codes)),
        )
        .execute(self.conn)
        .map_err(db)?;
        diesel::delete(
            assigned_targets::table
                .filter(assigned_targets::cluster_id.eq(cluster_id))
                .filter(assigned_targets::year.eq(year))
                .filter(assigned_targets::criterion_code.ne_all(codes)),
        )
        .execute(self.conn)
        .map_err(db)?;
        Ok(())
    }

    /// Drops a member's assigned targets (before it leaves the term).
    pub fn drop_member_targets(&mut self, term: &TermName, unit: &UnitRef) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::delete(
            assigned_targets::table
                .filter(assigned_targets::cluster_id.eq(cluster_id))
                .filter(assigned_targets::year.eq(year))
                .filter(assigned_targets::unit_id.eq(unit.key())),
        )
        .execute(self.conn)
        .map_err(db)?;
        Ok(())
    }
}
