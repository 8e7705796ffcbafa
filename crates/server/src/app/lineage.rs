//! Use cases of lineage (lịch sử hình thành): one link at a time, or a reform's whole file.

use thidua_domain::{
    Error,
    lineage::{
        LineageKind, LineageLink, Share, check_link, closes_cycle,
        import::{LineageRow, plan_lineage_import},
    },
    time::Date,
    unit::{Scheme, UnitRef},
};
use thidua_storage::Store;

use super::{
    Idempotency, now,
    succession::{Along, links_along},
};

/// A lineage link to record.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// Kind.
    pub kind: LineageKind,
    /// Subject.
    pub unit: UnitRef,
    /// Other side.
    pub related: UnitRef,
    /// How much of the subject went into the related unit.
    pub share: Share,
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
        let unit = tx.unit(&link.unit)?.ok_or_else(|| {
            Error::invalid(
                "link.unit",
                thidua_domain::words!("unit-does-not-exist", unit = link.unit),
            )
        })?;
        let related = tx.unit(&link.related)?.ok_or_else(|| {
            Error::invalid(
                "link.related_unit",
                thidua_domain::words!("unit-does-not-exist", unit = link.related),
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
        let candidate = LineageLink {
            id: String::new(),
            kind: link.kind,
            unit: link.unit.clone(),
            related: link.related.clone(),
            share: link.share,
            legal_act: String::new(),
            effective_date: link.effective_date,
            note: String::new(),
            created_at: now,
        };
        let (older, newer) = candidate.older_newer();
        if closes_cycle(
            older,
            newer,
            &links_along(tx, std::slice::from_ref(newer), Along::Both)?,
        ) {
            return Err(Error::invalid(
                "link.related_unit",
                thidua_domain::words!("link-cycle", newer = newer, older = older),
            ));
        }
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
            share: link.share,
            legal_act: link.legal_act,
            effective_date: link.effective_date,
            note: link.note,
            created_at: now,
        };
        // The same change sent again, under another request id, is the link already stored.
        if let Some(same) = tx.same_link(&stored)? {
            Idempotency::remember(key.as_ref(), tx, &same.id, now)?;
            return Ok(same);
        }
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

/// A lineage file to import: every row goes from `from` to `to` on `date` by `legal_act`.
#[derive(Debug, Clone)]
pub struct LineageImport {
    /// The scheme of the units that ceased.
    pub from: Scheme,
    /// The scheme of their successors.
    pub to: Scheme,
    /// The day the changes took effect.
    pub date: Date,
    /// The act that decided them.
    pub legal_act: String,
    /// The rows, as read.
    pub rows: Vec<LineageRow>,
}

/// What a lineage import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineageImportOutcome {
    /// Rows read.
    pub rows: i64,
    /// Links stored.
    pub created: i64,
    /// Rows whose link was already stored.
    pub unchanged: i64,
    /// Units whose validity ended on the date.
    pub units_ended: i64,
    /// Whether this repeats an earlier import with the same request id.
    pub replayed: bool,
}

/// Imports a lineage file: checked whole (every bad row reported, nothing stored while one is
/// bad), then every new link stored and every ceasing unit ended on the date, in one
/// transaction. The same file again stores nothing.
pub fn import_lineage(
    store: &Store,
    file: LineageImport,
    key: Option<Idempotency>,
) -> Result<LineageImportOutcome, Error> {
    if file.legal_act.trim().is_empty() {
        return Err(Error::invalid(
            "legal_act",
            thidua_domain::words!("legal-act-missing"),
        ));
    }
    let now = now();
    store.write(|tx| {
        if let Some(mut outcome) =
            Idempotency::replay_outcome::<LineageImportOutcome>(key.as_ref(), tx)?
        {
            outcome.replayed = true;
            return Ok(outcome);
        }
        let legacy: Vec<UnitRef> = file
            .rows
            .iter()
            .map(|r| UnitRef::new(file.from, &r.legacy_code))
            .collect();
        let named: Vec<UnitRef> = legacy
            .iter()
            .cloned()
            .chain(file.rows.iter().map(|r| UnitRef::new(file.to, &r.new_code)))
            .collect();
        let units = tx.units_by_id(&named)?;
        let stored = tx.links_from(&legacy)?;
        let plan = plan_lineage_import(&file.rows, file.from, file.to, file.date, &units, &stored)?;
        for (i, (unit, related, kind, share)) in plan.links.iter().enumerate() {
            tx.insert_link(&LineageLink {
                id: format!("{}{i:05}", uuid::Uuid::now_v7().simple()),
                kind: *kind,
                unit: unit.clone(),
                related: related.clone(),
                share: *share,
                legal_act: file.legal_act.clone(),
                effective_date: file.date,
                note: String::new(),
                created_at: now,
            })?;
        }
        let ended = tx.end_units(&plan.ending, file.date, now)?;
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let outcome = LineageImportOutcome {
            rows: count(file.rows.len()),
            created: count(plan.links.len()),
            unchanged: count(plan.unchanged),
            units_ended: count(ended),
            replayed: false,
        };
        Idempotency::remember_outcome(key.as_ref(), tx, &outcome, now)?;
        Ok(outcome)
    })
}
