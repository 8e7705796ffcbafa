//! Use cases of units: create, get, list, update, import.

use thidua_domain::{
    Error, FieldViolation,
    error::Violations,
    import::{ImportRow, plan_import},
    membership,
    periods::{self, PastPeriod},
    time::{Date, Validity},
    unit::{self, Scheme, Unit, UnitDraft, UnitKind, UnitPatch, UnitRef},
};
use thidua_storage::{Page, PageRequest, Store, Tx, UnitFilter};

use super::{Idempotency, now};

/// Checks that a draft's parent exists and fits the hierarchy.
fn check_parent_exists(tx: &mut Tx<'_>, draft: &UnitDraft, field: &str) -> Result<(), Error> {
    let parent = match &draft.parent {
        Some(p) => Some((p, unit::referenced(field, p, tx.unit(p)?)?.kind)),
        None => None,
    };
    unit::check_parent(field, draft.id.scheme, draft.kind, parent)
        .map_err(|v| Error::Invalid(vec![v]))
}

/// Creates one unit.
pub fn create(store: &Store, draft: UnitDraft, key: Option<Idempotency>) -> Result<Unit, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(name) = Idempotency::replay(key.as_ref(), tx)? {
            return tx.existing_unit(
                &UnitRef::parse_key("name", &name).map_err(|v| Error::Invalid(vec![v]))?,
            );
        }
        check_parent_exists(tx, &draft, "unit.parent")?;
        let unit = tx.insert_unit(&draft, now)?;
        Idempotency::remember(key.as_ref(), tx, &unit.id.key(), now)?;
        Ok(unit)
    })
}

/// Gets one unit.
pub fn get(store: &Store, id: &UnitRef) -> Result<Unit, Error> {
    store.read(|tx| tx.existing_unit(id))
}

/// Gets a unit with its earlier periods, oldest first.
pub fn get_with_periods(store: &Store, id: &UnitRef) -> Result<(Unit, Vec<PastPeriod>), Error> {
    store.read(|tx| {
        let unit = tx.existing_unit(id)?;
        let periods = tx.periods_of(std::slice::from_ref(id))?.remove(id);
        Ok((unit, periods.unwrap_or_default()))
    })
}

/// Lists units.
pub fn list(store: &Store, filter: &UnitFilter, page: &PageRequest) -> Result<Page<Unit>, Error> {
    store.read(|tx| tx.list_units(filter, page))
}

/// Updates a unit if `etag` is current.
/// With `from`, the new name, kind or parent take effect that day and the earlier ones are
/// kept as a past period ([`periods::new_period`]); without it they are corrected in place.
pub fn update(
    store: &Store,
    id: &UnitRef,
    etag: Option<i64>,
    patch: UnitPatch,
    from: Option<Date>,
) -> Result<Unit, Error> {
    let now = now();
    store.write(|tx| {
        let unit = tx.existing_unit(id)?;
        let draft = unit.patched(etag, patch)?;
        check_parent_exists(tx, &draft, "unit.parent")?;
        if let Some(from) = from {
            let last = tx
                .periods_of(std::slice::from_ref(id))?
                .remove(id)
                .and_then(|p| p.last().map(|p| p.until));
            let past = periods::new_period(&unit, &draft, from, last)?;
            tx.insert_period(&past)?;
        }
        if draft.validity.to != unit.validity.to {
            let terms = tx.member_terms(id)?;
            membership::check_unit_end(id, draft.validity.to, &terms)?;
        }
        tx.update_unit(&draft, unit.version, now)
    })
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOutcome {
    /// Rows received.
    pub rows: i64,
    /// Units created.
    pub created: i64,
    /// Rows equal to stored units.
    pub unchanged: i64,
    /// True when replayed for a retried request id.
    #[serde(skip)]
    pub replayed: bool,
}

/// Imports a list of units into one scheme: all rows or none.
pub fn import(
    store: &Store,
    scheme: Scheme,
    validity: Validity,
    rows: &[ImportRow],
    key: Option<Idempotency>,
) -> Result<ImportOutcome, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(mut outcome) = Idempotency::replay_outcome::<ImportOutcome>(key.as_ref(), tx)? {
            outcome.replayed = true;
            return Ok(outcome);
        }
        let existing = tx.units_of_scheme(scheme)?;
        let plan = plan_import(scheme, validity, rows, &existing)?;
        tx.insert_units(&plan.create, now)?;
        let outcome = ImportOutcome {
            rows: to_i64(rows.len()),
            created: to_i64(plan.create.len()),
            unchanged: to_i64(plan.unchanged),
            replayed: false,
        };
        Idempotency::remember_outcome(key.as_ref(), tx, &outcome, now)?;
        Ok(outcome)
    })
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Validates a new unit's own fields (its parent's existence is checked in the transaction).
pub fn draft(
    scheme: &str,
    code: &str,
    name: &str,
    kind: Result<UnitKind, FieldViolation>,
    parent: Result<Option<UnitRef>, FieldViolation>,
    valid_from: Result<Option<Date>, FieldViolation>,
    valid_to: Result<Option<Date>, FieldViolation>,
) -> Result<UnitDraft, Error> {
    let mut v = Violations::default();
    let scheme = v.check(Scheme::parse_field("unit.scheme", scheme));
    let name = v.check(unit::validate_name("unit.display_name", name));
    let kind = v.check(kind);
    let parent = v.check(parent);
    let from = v.check(valid_from);
    let to = v.check(valid_to);
    let code = code.trim();
    if let (Some(scheme), Some(kind)) = (scheme, kind) {
        v.check(unit::check_code("unit.code", scheme, kind, code));
    }
    let validity = match (from, to) {
        (Some(f), Some(t)) => v.check(Validity::new(f, t, "unit.valid_to")),
        _ => None,
    };
    match (scheme, name, kind, parent, validity) {
        (Some(scheme), Some(name), Some(kind), Some(parent), Some(validity)) if v.is_empty() => {
            Ok(UnitDraft {
                id: UnitRef::new(scheme, code),
                name,
                kind,
                parent,
                validity,
            })
        }
        _ => Err(Error::Invalid(v.into_inner())),
    }
}
