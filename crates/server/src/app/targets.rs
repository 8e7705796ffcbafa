//! Use cases of a term's table binding and targets.

use thidua_domain::{
    Error, Words,
    criteria::{self},
    decimal,
    names::TermName,
    target::{self, TargetInput, Targets},
    term::{Member, Term},
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::now;
use crate::sheets::{self, Format};

/// A term's targets with what they refer to.
#[derive(Debug, Clone)]
pub struct TargetsView {
    /// The term's resource name.
    pub term: String,
    /// The bound table version.
    pub table: Option<(String, i32)>,
    /// The quantitative criteria codes of the table, in table order.
    pub codes: Vec<String>,
    /// The members, in rotation order.
    pub members: Vec<Member>,
    /// The values.
    pub targets: Targets,
    /// (member, code) without a value.
    pub missing: Vec<(UnitRef, String)>,
}

/// The quantitative codes of the term's bound table (empty without a table).
pub fn quantitative_codes(tx: &mut Tx<'_>, term: &Term) -> Result<Vec<String>, Error> {
    Ok(quantitative_leaves(tx, term)?
        .into_iter()
        .map(|(code, _)| code)
        .collect())
}

/// The quantitative leaves of the term's bound table, (code, title), in table order.
fn quantitative_leaves(tx: &mut Tx<'_>, term: &Term) -> Result<Vec<(String, String)>, Error> {
    match &term.table {
        Some((id, n)) => {
            let version = tx.existing_table_version(id, *n)?;
            Ok(criteria::quantitative_leaves(&version.groups)
                .into_iter()
                .map(|c| (c.code.clone(), c.title.clone()))
                .collect())
        }
        None => Ok(Vec::new()),
    }
}

fn view(tx: &mut Tx<'_>, name: &TermName) -> Result<TargetsView, Error> {
    let term = tx.existing_term(name)?;
    let codes = quantitative_codes(tx, &term)?;
    let targets = tx.targets(name)?;
    let refs: Vec<UnitRef> = term.members.iter().map(|m| m.unit.clone()).collect();
    let missing = targets.missing(&refs, &codes);
    Ok(TargetsView {
        term: term.resource(),
        table: term.table.clone(),
        codes,
        members: term.members,
        targets,
        missing,
    })
}

/// Refuses signing while any member lacks a target for a quantitative criterion.
pub fn ensure_complete(tx: &mut Tx<'_>, name: &TermName) -> Result<(), Error> {
    let term = tx.existing_term(name)?;
    let missing = view(tx, name)?.missing;
    target::check_complete(&term, &missing)
}

/// Binds a published version to a term before its covenant is signed.
pub fn apply(
    store: &Store,
    name: &TermName,
    table_id: &str,
    number: i32,
) -> Result<TargetsView, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        term.ensure_unsigned(thidua_domain::words!("frozen-table"))?;
        let version = tx.table_version(table_id, number)?.ok_or_else(|| {
            Error::invalid(
                "table_version",
                format!(
                    "{} does not exist",
                    criteria::version_resource(table_id, number)
                ),
            )
        })?;
        version.check_applicable()?;
        tx.touch_term(name, None, now)?;
        tx.bind_table(name, table_id, number)?;
        let codes: Vec<String> = criteria::quantitative_leaves(&version.groups)
            .into_iter()
            .map(|c| c.code.clone())
            .collect();
        tx.retain_targets(name, &codes)?;
        view(tx, name)
    })
}

/// Sets targets before the covenant is signed: all of them or none.
pub fn set(store: &Store, name: &TermName, inputs: Vec<TargetInput>) -> Result<TargetsView, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        let codes = quantitative_codes(tx, &term)?;
        let ok = target::check_inputs(&term, &codes, &inputs)?;
        tx.touch_term(name, None, now)?;
        for (unit, code, value) in ok {
            match unit {
                Some(u) => tx.set_assigned_target(name, &u, &code, value, now)?,
                None => tx.set_default_target(name, &code, value, now)?,
            }
        }
        view(tx, name)
    })
}

/// A term's targets.
pub fn list(store: &Store, name: &TermName) -> Result<TargetsView, Error> {
    store.read(|tx| view(tx, name))
}

/// The label of a member in a targets sheet: its code when no other member shares it, else
/// `scheme~code`.
fn label(members: &[Member], unit: &UnitRef) -> String {
    if members.iter().filter(|m| m.unit.code == unit.code).count() == 1 {
        unit.code.clone()
    } else {
        unit.key()
    }
}

/// Writes a term's targets: a `*` row of defaults, then one row per member.
pub fn export(store: &Store, name: &TermName, format: Format) -> Result<(Vec<u8>, String), Error> {
    let (cluster_id, year) = (name.cluster_id.as_str(), name.year);
    let (v, leaves) = store.read(|tx| {
        let term = tx.existing_term(name)?;
        Ok((view(tx, name)?, quantitative_leaves(tx, &term)?))
    })?;
    // Officers fill the sheet by the criteria's titles; the importer reads the code before
    // the separator.
    let headings: Vec<String> = leaves
        .iter()
        .map(|(code, title)| target::criterion_heading(code, title))
        .collect();
    let mut header: Vec<&str> = target::SHEET_HEADINGS.to_vec();
    header.extend(headings.iter().map(String::as_str));
    let mut rows = Vec::new();
    let mut defaults = vec!["*".to_owned(), "(mặc định)".to_owned()];
    defaults.extend(v.codes.iter().map(|c| {
        v.targets
            .defaults
            .get(c)
            .map(|d| decimal::format(*d))
            .unwrap_or_default()
    }));
    rows.push(defaults);
    for m in &v.members {
        let mut row = vec![label(&v.members, &m.unit), m.name.clone()];
        row.extend(v.codes.iter().map(|c| {
            v.targets
                .assigned_value(&m.unit, c)
                .map(decimal::format)
                .unwrap_or_default()
        }));
        rows.push(row);
    }
    let bytes = sheets::write(&header, &rows, format)?;
    Ok((
        bytes,
        format!("{cluster_id}-{year}-targets.{}", format.extension()),
    ))
}

/// Reads a targets sheet and sets every value in it: all or nothing. Returns the targets and
/// the warnings (a code read zero-padded).
pub fn import(
    store: &Store,
    name: &TermName,
    content: &[u8],
    format: Format,
) -> Result<(TargetsView, Vec<Words>), Error> {
    let sheet = sheets::read(content, format)?;
    let term = store.read(|tx| tx.existing_term(name))?;
    let (inputs, warnings) = target::inputs_from_sheet(&term, &sheet.header, &sheet.rows)?;
    Ok((set(store, name, inputs)?, warnings))
}
