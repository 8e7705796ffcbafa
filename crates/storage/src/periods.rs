//! A unit's earlier names, kinds and parents.

use std::collections::HashMap;

use diesel::prelude::*;
use thidua_domain::{Error, periods::PastPeriod, unit::UnitRef};

use crate::{
    Tx,
    connection::per_backend,
    errors::{corrupt, db},
    schema::unit_periods,
    units::parse_key,
};

type PeriodRow = (String, String, String, String, Option<String>);

fn into_domain((unit, until, name, kind, parent): PeriodRow) -> Result<PastPeriod, Error> {
    Ok(PastPeriod {
        unit: parse_key(&unit)?,
        until: until.parse().map_err(|_| corrupt("date", &until))?,
        name,
        kind: thidua_domain::unit::UnitKind::parse_field("kind", &kind)
            .map_err(|_| corrupt("unit kind", &kind))?,
        parent: parent.as_deref().map(parse_key).transpose()?,
    })
}

impl Tx<'_> {
    /// Records an earlier period of a unit.
    pub fn insert_period(&mut self, p: &PastPeriod) -> Result<(), Error> {
        diesel::insert_into(unit_periods::table)
            .values((
                unit_periods::unit_id.eq(p.unit.key()),
                unit_periods::valid_until.eq(p.until.to_string()),
                unit_periods::name.eq(&p.name),
                unit_periods::kind.eq(p.kind.as_str()),
                unit_periods::parent_id.eq(p.parent.as_ref().map(UnitRef::key)),
            ))
            .execute(self.conn)
            .map_err(db)?;
        diesel::update(crate::schema::units::table.find(p.unit.key()))
            .set(crate::schema::units::has_past_periods.eq(true))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// The earlier periods of `units`, by unit, oldest first.
    pub fn periods_of(
        &mut self,
        units: &[UnitRef],
    ) -> Result<HashMap<UnitRef, Vec<PastPeriod>>, Error> {
        let keys: Vec<String> = units.iter().map(UnitRef::key).collect();
        let rows: Vec<PeriodRow> = per_backend!(&mut *self.conn, |c| unit_periods::table
            .filter(unit_periods::unit_id.eq_any(&keys))
            .order((unit_periods::unit_id, unit_periods::valid_until))
            .select((
                unit_periods::unit_id,
                unit_periods::valid_until,
                unit_periods::name,
                unit_periods::kind,
                unit_periods::parent_id,
            ))
            .load(c))
        .map_err(db)?;
        let mut out: HashMap<UnitRef, Vec<PastPeriod>> = HashMap::new();
        for row in rows {
            let p = into_domain(row)?;
            out.entry(p.unit.clone()).or_default().push(p);
        }
        Ok(out)
    }
}
