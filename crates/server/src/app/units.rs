//! Use cases of units: create, get, list, update, import, lineage.

use thidua_domain::{
    Error, FieldViolation,
    error::Violations,
    import::{ImportRow, plan_import},
    lineage::{LineageKind, LineageLink, check_link},
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

/// Lists units.
pub fn list(store: &Store, filter: &UnitFilter, page: &PageRequest) -> Result<Page<Unit>, Error> {
    store.read(|tx| tx.list_units(filter, page))
}

/// Updates a unit if `etag` is current.
pub fn update(
    store: &Store,
    id: &UnitRef,
    etag: Option<i64>,
    patch: UnitPatch,
) -> Result<Unit, Error> {
    let now = now();
    store.write(|tx| {
        let unit = tx.existing_unit(id)?;
        let draft = unit.patched(etag, patch)?;
        check_parent_exists(tx, &draft, "unit.parent")?;
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

/// A lineage link to record.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// Kind.
    pub kind: LineageKind,
    /// Subject.
    pub unit: UnitRef,
    /// Other side.
    pub related: UnitRef,
    /// Legal act.
    pub legal_act: String,
    /// Effective date.
    pub effective_date: Date,
    /// Note.
    pub note: String,
}

/// Records a lineage link; the subject's (or, for a split, the new unit's) validity is set to
/// begin or end on the effective date, and nothing else changes.
pub fn create_link(
    store: &Store,
    link: NewLink,
    key: Option<Idempotency>,
) -> Result<LineageLink, Error> {
    let now = now();
    store.write(|tx| {
        if let Some(id) = Idempotency::replay(key.as_ref(), tx)? {
            return tx
                .link(&id)?
                .ok_or_else(|| Error::Internal(format!("replayed link {id} is missing")));
        }
        let unit = tx
            .unit(&link.unit)?
            .ok_or_else(|| Error::invalid("link.unit", format!("{} does not exist", link.unit)))?;
        let related = tx.unit(&link.related)?.ok_or_else(|| {
            Error::invalid(
                "link.related_unit",
                format!("{} does not exist", link.related),
            )
        })?;
        check_link(
            link.kind,
            &unit,
            &related,
            &link.legal_act,
            link.effective_date,
        )
        .map_err(Error::Invalid)?;
        // A merger or renaming ends the subject on the effective date; a split starts it then.
        let mut draft = unit.to_draft();
        if link.kind.ends_subject() {
            draft.validity.to = draft.validity.to.or(Some(link.effective_date));
        } else {
            draft.validity.from = draft.validity.from.or(Some(link.effective_date));
        }
        if draft.validity != unit.validity {
            tx.update_unit(&draft, unit.version, now)?;
        }
        let stored = LineageLink {
            id: uuid::Uuid::now_v7().simple().to_string(),
            kind: link.kind,
            unit: link.unit,
            related: link.related,
            legal_act: link.legal_act,
            effective_date: link.effective_date,
            note: link.note,
            created_at: now,
        };
        tx.insert_link(&stored)?;
        Idempotency::remember(key.as_ref(), tx, &stored.id, now)?;
        Ok(stored)
    })
}

/// The lineage of one unit.
pub fn links(store: &Store, id: &UnitRef) -> Result<Vec<LineageLink>, Error> {
    store.read(|tx| {
        tx.existing_unit(id)?;
        tx.links_of(id)
    })
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
