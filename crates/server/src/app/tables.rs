//! Use cases of criteria tables: create, edit (a published latest version gets a new draft),
//! import and export as spreadsheets, publish, read.

use std::collections::HashMap;

use rust_decimal::Decimal;
use thidua_domain::{
    Error, FieldViolation,
    award::register_events,
    criteria::{
        self, Criterion, EditLands, Locator, TABLE_HEADINGS, Table, TableRow, TableVersion,
        rows_to_tree, tree_to_rows,
    },
    time::Date,
};
use thidua_storage::{Page, PageRequest, Store};

use super::{Idempotency, now};
use crate::sheets::{self, Format};

/// A table to create, validated.
#[derive(Debug, Clone)]
pub struct NewTable {
    /// Chosen id, or `None` to generate one.
    pub id: Option<String>,
    /// Title.
    pub title: String,
    /// Issuing act.
    pub legal_act: String,
    /// Date of the act.
    pub legal_date: Option<Date>,
    /// Scale.
    pub scale: Decimal,
    /// Rounding step.
    pub rounding_step: Decimal,
    /// The organiser unit the table belongs to (`scheme~code`): the creating organiser's;
    /// `None` when an administrator creates it, and then only administrators edit it.
    pub owner: Option<String>,
}

/// A table with its latest version number.
pub type TableSummary = (Table, i32);

/// Creates a table with an empty draft version 1.
pub fn create(
    store: &Store,
    new: NewTable,
    key: Option<Idempotency>,
) -> Result<TableSummary, Error> {
    criteria::check_settings(new.scale, new.rounding_step)?;
    let now = now();
    store.write(|tx| {
        if let Some(id) = Idempotency::replay(key.as_ref(), tx)? {
            return Ok((
                tx.existing_criteria_table(&id)?,
                tx.latest_version_number(&id)?,
            ));
        }
        let table = Table {
            id: new
                .id
                .unwrap_or_else(|| format!("t-{}", uuid::Uuid::now_v7().simple())),
            title: new.title,
            legal_act: new.legal_act,
            legal_date: new.legal_date,
            scale: new.scale,
            rounding_step: new.rounding_step,
            created_at: now,
        };
        tx.insert_table(&table)?;
        if let Some(owner) = &new.owner {
            tx.set_table_owner(&table.id, owner)?;
        }
        Idempotency::remember(key.as_ref(), tx, &table.id, now)?;
        Ok((table, 1))
    })
}

/// Gets a table.
pub fn get(store: &Store, id: &str) -> Result<TableSummary, Error> {
    store.read(|tx| {
        Ok((
            tx.existing_criteria_table(id)?,
            tx.latest_version_number(id)?,
        ))
    })
}

/// Lists tables.
pub fn list(store: &Store, page: &PageRequest) -> Result<Page<TableSummary>, Error> {
    store.read(|tx| {
        let tables = tx.list_criteria_tables(page)?;
        let items = tables
            .items
            .into_iter()
            .map(|t| {
                let n = tx.latest_version_number(&t.id)?;
                Ok((t, n))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Page {
            items,
            next: tables.next,
        })
    })
}

/// Replaces the draft's tree (creating a new draft from a published latest version), after
/// validating it whole. `rows` maps codes to spreadsheet rows when the tree came from a file.
pub fn edit(
    store: &Store,
    table_id: &str,
    groups: Vec<Criterion>,
    etag: Option<i64>,
    rows: Option<HashMap<String, usize>>,
) -> Result<(Table, TableVersion), Error> {
    let now = now();
    store.write(|tx| {
        let table = tx.existing_criteria_table(table_id)?;
        let locator = match &rows {
            Some(index) => Locator::Rows(index),
            None => Locator::Tree,
        };
        criteria::check_tree(table.scale, table.rounding_step, &groups, &locator)?;
        let catalogues = super::catalogue::catalogues_in(tx)?;
        let unknown: Vec<FieldViolation> = register_events::bound_leaves(&groups)
            .into_iter()
            .filter(|(_, entry)| !catalogues.knows(entry))
            .map(|(code, entry)| {
                FieldViolation::new(
                    format!("criteria.{code}.register"),
                    thidua_domain::words!("register-entry-unknown", entry = entry),
                )
            })
            .collect();
        if !unknown.is_empty() {
            return Err(Error::Invalid(unknown));
        }
        let latest = tx.latest_version_number(table_id)?;
        let version = tx.existing_table_version(table_id, latest)?;
        let number = match version.edit_lands(etag) {
            EditLands::Draft { number, expected } => {
                tx.replace_version_tree(table_id, number, &groups, expected, now)?;
                number
            }
            EditLands::NewVersion { number } => {
                tx.insert_version(table_id, number, &groups, now)?;
                number
            }
        };
        Ok((table, tx.existing_table_version(table_id, number)?))
    })
}

/// Reads a spreadsheet in the criteria layout into rows; every bad cell is reported.
pub fn rows_from_sheet(content: &[u8], format: Format) -> Result<Vec<TableRow>, Error> {
    let sheet = sheets::read(content, format)?;
    criteria::rows_from_sheet(&sheet.header, sheet.rows)
}

/// Imports a spreadsheet into the table's draft.
pub fn import(
    store: &Store,
    table_id: &str,
    content: &[u8],
    format: Format,
    etag: Option<i64>,
) -> Result<(Table, TableVersion), Error> {
    let rows = rows_from_sheet(content, format)?;
    let (groups, index) = rows_to_tree(&rows)?;
    edit(store, table_id, groups, etag, Some(index))
}

/// Writes a version as a spreadsheet; returns the bytes and a file name.
pub fn export(
    store: &Store,
    table_id: &str,
    number: i32,
    format: Format,
) -> Result<(Vec<u8>, String), Error> {
    let version = store.read(|tx| tx.existing_table_version(table_id, number))?;
    let rows: Vec<Vec<String>> = tree_to_rows(&version.groups)
        .into_iter()
        .map(|r| r.cells.to_vec())
        .collect();
    let bytes = sheets::write(&TABLE_HEADINGS, &rows, format)?;
    Ok((
        bytes,
        format!("{table_id}-v{number}.{}", format.extension()),
    ))
}

/// Publishes a draft that passes validation.
pub fn publish(
    store: &Store,
    table_id: &str,
    number: i32,
    etag: Option<i64>,
) -> Result<(Table, TableVersion), Error> {
    let now = now();
    store.write(|tx| {
        let table = tx.existing_criteria_table(table_id)?;
        let version = tx.existing_table_version(table_id, number)?;
        version.check_publishable(&table)?;
        tx.publish_version(table_id, number, etag.unwrap_or(version.etag), now)?;
        Ok((table, tx.existing_table_version(table_id, number)?))
    })
}

/// Gets a version with its tree.
pub fn version(store: &Store, table_id: &str, number: i32) -> Result<(Table, TableVersion), Error> {
    store.read(|tx| {
        Ok((
            tx.existing_criteria_table(table_id)?,
            tx.existing_table_version(table_id, number)?,
        ))
    })
}

/// Lists a table's versions.
pub fn versions(store: &Store, table_id: &str) -> Result<(Table, Vec<TableVersion>), Error> {
    store.read(|tx| {
        Ok((
            tx.existing_criteria_table(table_id)?,
            tx.table_versions(table_id)?,
        ))
    })
}
