//! Use cases of the catalogue of titles and forms: its versions, the one in force for a year,
//! and a new version an administrator stores from a sheet.

use thidua_domain::{
    Error,
    award::{
        catalogue::{Catalogue, Catalogues},
        catalogue_sheet,
    },
    time::Timestamp,
};
use thidua_storage::{Store, Tx};

use crate::sheets::{self, Format};

use super::now;

/// Which version to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The one in force for an emulation year.
    InForce(i32),
    /// A numbered one.
    Version(u32),
    /// The latest.
    Latest,
}

/// Every version, in a transaction.
pub fn catalogues_in(tx: &mut Tx<'_>) -> Result<Catalogues, Error> {
    Ok(Catalogues::new(
        tx.catalogue_versions()?
            .into_iter()
            .map(|(c, _)| c)
            .collect(),
    ))
}

/// Every version with when it was stored (none for the built-in one), oldest first.
pub type Versions = Vec<(Catalogue, Option<Timestamp>)>;

/// The version chosen, and every version.
pub fn list(store: &Store, which: Which) -> Result<(Catalogue, Versions), Error> {
    let stored = store.read(|tx| tx.catalogue_versions())?;
    let all = Catalogues::new(stored.iter().map(|(c, _)| c.clone()).collect());
    let chosen = match which {
        Which::InForce(year) => all.in_force(year),
        Which::Latest => all.latest(),
        Which::Version(v) => all.version(v).ok_or_else(|| Error::NotFound {
            resource: format!("catalogue version {v}"),
        })?,
    }
    .clone();
    let mut versions = vec![(Catalogue::builtin().clone(), None)];
    versions.extend(stored.into_iter().map(|(c, at)| (c, Some(at))));
    Ok((chosen, versions))
}

/// Stores a new version from a sheet: the next number, in force from `from_year` (after the
/// latest version's), checked whole before anything is written.
pub fn put(
    store: &Store,
    content: &[u8],
    format: Format,
    from_year: i32,
    note: &str,
) -> Result<Catalogue, Error> {
    let sheet = sheets::read(content, format)?;
    let entries = catalogue_sheet::read(&sheet.header, &sheet.rows)?;
    let now = now();
    store.write(|tx| {
        let all = catalogues_in(tx)?;
        let latest = all.latest();
        let catalogue = Catalogue {
            version: latest.version + 1,
            from_year,
            note: thidua_domain::text::normalize(note.trim()),
            entries: entries.clone(),
        };
        catalogue.check(latest.from_year)?;
        tx.insert_catalogue_version(&catalogue, now)?;
        Ok(catalogue)
    })
}
