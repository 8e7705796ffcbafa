//! Use cases of covenants: drafting, signing, witnesses.

use thidua_domain::{
    Error, Reason,
    covenant::{Covenant, CovenantStatus, CovenantText, Signature, Witness},
    names::TermName,
};
use thidua_storage::Store;

use super::now;

/// Gets a covenant.
pub fn get(store: &Store, name: &TermName) -> Result<Covenant, Error> {
    store.read(|tx| tx.existing_covenant(name))
}

/// The changes to a draft covenant; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct CovenantPatch {
    /// Theme.
    pub theme: Option<String>,
    /// Body.
    pub text: Option<String>,
    /// Commitments.
    pub commitments: Option<Vec<String>>,
    /// Place.
    pub place: Option<String>,
    /// Signing date.
    pub signing_date: Option<Option<thidua_domain::time::Date>>,
}

fn ensure_draft(c: &Covenant) -> Result<(), Error> {
    if c.status == CovenantStatus::Draft {
        Ok(())
    } else {
        Err(Error::precondition(
            Reason::CovenantSigned,
            c.resource(),
            thidua_domain::words!("covenant-text-frozen", covenant = c.resource()),
        ))
    }
}

/// Edits a draft covenant.
pub fn update(
    store: &Store,
    name: &TermName,
    etag: Option<i64>,
    patch: CovenantPatch,
) -> Result<Covenant, Error> {
    let now = now();
    store.write(|tx| {
        let c = tx.existing_covenant(name)?;
        ensure_draft(&c)?;
        let version = etag.unwrap_or(c.version);
        let text = CovenantText {
            theme: patch.theme.unwrap_or(c.text.theme),
            text: patch.text.unwrap_or(c.text.text),
            commitments: patch.commitments.unwrap_or(c.text.commitments),
            place: patch.place.unwrap_or(c.text.place),
            signing_date: patch.signing_date.unwrap_or(c.text.signing_date),
        };
        tx.update_covenant_text(name, &text, version, now)?;
        tx.existing_covenant(name)
    })
}

/// Records a member's signature.
pub fn sign(store: &Store, name: &TermName, signature: Signature) -> Result<Covenant, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        term.check_signatory(&signature.unit)?;
        super::targets::ensure_complete(tx, name)?;
        tx.insert_signature(name, &signature, now)?;
        tx.touch_term(name, None, now)?;
        tx.existing_covenant(name)
    })
}

/// Records a witness.
pub fn add_witness(store: &Store, name: &TermName, witness: Witness) -> Result<Covenant, Error> {
    let now = now();
    store.write(|tx| {
        tx.existing_covenant(name)?;
        if let Some(unit) = &witness.unit {
            thidua_domain::unit::referenced("witness.unit", unit, tx.unit(unit)?)?;
        }
        tx.insert_witness(name, &witness, now)?;
        tx.existing_covenant(name)
    })
}
