//! Covenants, their signatures and witnesses.

use diesel::prelude::*;
use thidua_domain::{
    Error, Reason,
    covenant::{Covenant, CovenantStatus, CovenantText, Signature, Witness},
    names::TermName,
    time::Timestamp,
    unit::UnitRef,
};

use crate::{
    Tx,
    errors::{corrupt, db, is_unique_violation},
    schema::{covenant_signatures, covenant_witnesses, covenants, term_members},
    units::{parse_date, parse_key},
};

#[derive(Queryable)]
struct CovenantRow {
    cluster_id: String,
    year: i32,
    theme: String,
    body: String,
    commitments: String,
    place: String,
    signing_date: Option<String>,
    updated_at: i64,
    version: i64,
}

impl Tx<'_> {
    /// A term's covenant with signatures and witnesses.
    pub fn covenant(&mut self, term: &TermName) -> Result<Option<Covenant>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let row: Option<CovenantRow> = covenants::table
            .find((cluster_id, year))
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let members: i64 = term_members::table
            .filter(term_members::cluster_id.eq(cluster_id))
            .filter(term_members::year.eq(year))
            .count()
            .get_result(self.conn)
            .map_err(db)?;
        let signature_rows: Vec<(String, String, String, i64)> = covenant_signatures::table
            .filter(covenant_signatures::cluster_id.eq(cluster_id))
            .filter(covenant_signatures::year.eq(year))
            .order((covenant_signatures::seq, covenant_signatures::unit_id))
            .select((
                covenant_signatures::unit_id,
                covenant_signatures::signatory_name,
                covenant_signatures::signatory_title,
                covenant_signatures::signed_at,
            ))
            .load(self.conn)
            .map_err(db)?;
        let witness_rows: Vec<(String, String, Option<String>)> = covenant_witnesses::table
            .filter(covenant_witnesses::cluster_id.eq(cluster_id))
            .filter(covenant_witnesses::year.eq(year))
            .order(covenant_witnesses::seq)
            .select((
                covenant_witnesses::person_name,
                covenant_witnesses::title,
                covenant_witnesses::unit_id,
            ))
            .load(self.conn)
            .map_err(db)?;
        let signatures = signature_rows
            .into_iter()
            .map(|(unit, signatory_name, signatory_title, at)| {
                Ok(Signature {
                    unit: parse_key(&unit)?,
                    signatory_name,
                    signatory_title,
                    signed_at: Timestamp(at),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let witnesses = witness_rows
            .into_iter()
            .map(|(person_name, title, unit)| {
                Ok(Witness {
                    person_name,
                    title,
                    unit: unit.as_deref().map(parse_key).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let commitments: Vec<String> = serde_json::from_str(&r.commitments)
            .map_err(|_| corrupt("commitments", &r.commitments))?;
        Ok(Some(Covenant {
            status: CovenantStatus::of(usize::try_from(members).unwrap_or(0), signatures.len()),
            text: CovenantText {
                theme: r.theme,
                text: r.body,
                commitments,
                place: r.place,
                signing_date: parse_date(r.signing_date.as_deref())?,
            },
            signatures,
            witnesses,
            cluster_id: r.cluster_id,
            year: r.year,
            updated_at: Timestamp(r.updated_at),
            version: r.version,
        }))
    }

    /// A term's covenant, or `NotFound`.
    pub fn existing_covenant(&mut self, term: &TermName) -> Result<Covenant, Error> {
        self.covenant(term)?.ok_or_else(|| Error::NotFound {
            resource: format!("{term}/covenant"),
        })
    }

    /// Saves the covenant's text if its version is still `expected_version`.
    pub fn update_covenant_text(
        &mut self,
        term: &TermName,
        text: &CovenantText,
        expected_version: i64,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let commitments =
            serde_json::to_string(&text.commitments).map_err(|e| Error::Internal(e.to_string()))?;
        let updated = diesel::update(
            covenants::table
                .filter(covenants::cluster_id.eq(cluster_id))
                .filter(covenants::year.eq(year))
                .filter(covenants::version.eq(expected_version)),
        )
        .set((
            covenants::theme.eq(&text.theme),
            covenants::body.eq(&text.text),
            covenants::commitments.eq(commitments),
            covenants::place.eq(&text.place),
            covenants::signing_date.eq(text.signing_date.map(|d| d.to_string())),
            covenants::updated_at.eq(now.0),
            covenants::version.eq(expected_version + 1),
        ))
        .execute(self.conn)
        .map_err(db)?;
        if updated == 0 {
            return Err(Error::Aborted {
                resource: format!("{term}/covenant"),
            });
        }
        Ok(())
    }

    fn bump_covenant(&mut self, term: &TermName, now: Timestamp) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        diesel::update(covenants::table.find((cluster_id, year)))
            .set((
                covenants::version.eq(covenants::version + 1),
                covenants::updated_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Records a member's signature; `AlreadyExists` when the member already signed.
    pub fn insert_signature(
        &mut self,
        term: &TermName,
        s: &Signature,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        // Updating the covenant row first locks it, so concurrent writers of one covenant take
        // turns and each sees the others' rows when it numbers its own.
        self.bump_covenant(term, now)?;
        let count: i64 = covenant_signatures::table
            .filter(covenant_signatures::cluster_id.eq(cluster_id))
            .filter(covenant_signatures::year.eq(year))
            .count()
            .get_result(self.conn)
            .map_err(db)?;
        diesel::insert_into(covenant_signatures::table)
            .values((
                covenant_signatures::cluster_id.eq(cluster_id),
                covenant_signatures::year.eq(year),
                covenant_signatures::unit_id.eq(s.unit.key()),
                covenant_signatures::seq
                    .eq(i32::try_from(count + 1).map_err(|e| Error::Internal(e.to_string()))?),
                covenant_signatures::signatory_name.eq(&s.signatory_name),
                covenant_signatures::signatory_title.eq(&s.signatory_title),
                covenant_signatures::signed_at.eq(s.signed_at.0),
            ))
            .execute(self.conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    let resource = format!("{term}/covenant");
                    Error::AlreadyExists {
                        description: thidua_domain::words!(
                            "already-signed",
                            unit = s.unit,
                            covenant = resource
                        ),
                        resource,
                        reason: Reason::AlreadySigned,
                    }
                } else {
                    db(e)
                }
            })?;
        Ok(())
    }

    /// Records a witness.
    pub fn insert_witness(
        &mut self,
        term: &TermName,
        w: &Witness,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        // Updating the covenant row first locks it, so concurrent writers of one covenant take
        // turns and each sees the others' rows when it numbers its own.
        self.bump_covenant(term, now)?;
        let count: i64 = covenant_witnesses::table
            .filter(covenant_witnesses::cluster_id.eq(cluster_id))
            .filter(covenant_witnesses::year.eq(year))
            .count()
            .get_result(self.conn)
            .map_err(db)?;
        diesel::insert_into(covenant_witnesses::table)
            .values((
                covenant_witnesses::cluster_id.eq(cluster_id),
                covenant_witnesses::year.eq(year),
                covenant_witnesses::seq
                    .eq(i32::try_from(count + 1).map_err(|e| Error::Internal(e.to_string()))?),
                covenant_witnesses::person_name.eq(&w.person_name),
                covenant_witnesses::title.eq(&w.title),
                covenant_witnesses::unit_id.eq(w.unit.as_ref().map(UnitRef::key)),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }
}
