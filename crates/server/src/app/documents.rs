//! Use cases of the official documents: each reads what its document shows in one transaction
//! and has `documents` lay it out. The scoreboard's summary table is `scoring`'s export.

use std::collections::HashMap;

use rust_decimal::Decimal;
use thidua_domain::{
    Error,
    award::{AwardState, BallotBase},
    names::TermName,
    term::Term,
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use crate::documents::{
    ballot_minutes::{BallotLine, BallotMinutes},
    covenant::{CovenantDoc, Signatory},
    submission::{Proposed, Submission},
};

/// A document's bytes and a suggested file name.
pub type Document = (Vec<u8>, String);

fn names(term: &Term) -> HashMap<UnitRef, String> {
    term.members
        .iter()
        .map(|m| (m.unit.clone(), m.name.clone()))
        .collect()
}

/// The cluster's name, or its id when it has none stored.
fn cluster_name(tx: &mut Tx<'_>, id: &str) -> Result<String, Error> {
    Ok(tx.cluster(id)?.map_or_else(|| id.to_owned(), |c| c.name))
}

/// A share as Vietnamese write it: `87,5%`.
fn percent(share: Decimal) -> String {
    format!(
        "{}%",
        (share * Decimal::ONE_HUNDRED).round_dp(2).normalize()
    )
    .replace('.', ",")
}

fn file_name(kind: &str, name: &TermName) -> String {
    format!("{}-{}-{kind}.docx", name.cluster_id, name.year)
}

/// Biên bản kiểm phiếu: every proposal of the term that was put to the ballot.
pub fn ballot_minutes(store: &Store, name: &TermName) -> Result<Document, Error> {
    let minutes = store.read(|tx| {
        let term = tx.existing_term(name)?;
        let units = names(&term);
        let catalogue = super::catalogue::catalogues_in(tx)?;
        let catalogue = catalogue.in_force(name.year);
        let lines = tx
            .awards(name)?
            .into_iter()
            .filter_map(|a| {
                let b = a.ballot?;
                let base = match b.base {
                    BallotBase::Present => b.present,
                    BallotBase::All => b.eligible,
                };
                Some(BallotLine {
                    unit: units
                        .get(&a.unit)
                        .cloned()
                        .unwrap_or_else(|| a.unit.code.clone()),
                    entry: catalogue.name_of(&a.entry).to_owned(),
                    counts: [b.eligible, b.present, b.valid, b.yes, b.no],
                    share: if base > 0 {
                        percent(Decimal::from(b.yes) / Decimal::from(base))
                    } else {
                        "—".to_owned()
                    },
                    rule: format!(
                        "trên {} số thành viên {}",
                        percent(b.threshold),
                        match b.base {
                            BallotBase::Present => "có mặt",
                            BallotBase::All => "của cụm",
                        }
                    ),
                    passed: b.passed(),
                })
            })
            .collect();
        Ok(BallotMinutes {
            cluster: cluster_name(tx, &name.cluster_id)?,
            year: name.year,
            place: organiser_place(tx, &term)?,
            lines,
        })
    })?;
    Ok((
        crate::documents::ballot_minutes::write(&minutes)?,
        file_name("bien-ban-kiem-phieu", name),
    ))
}

/// The organiser's full name (`thành phố Bắc Kạn`): whose council receives the submission,
/// and where the cluster meets and signs.
fn organiser_place(tx: &mut Tx<'_>, term: &Term) -> Result<String, Error> {
    Ok(tx
        .unit(&term.organiser)?
        .map_or_else(|| "…………".to_owned(), |u| u.kind.full_name(&u.name)))
}

/// Tờ trình đề nghị khen thưởng: the proposals that passed the ballot (and those already
/// submitted or decided), with their totals and ranks.
pub fn submission(store: &Store, name: &TermName) -> Result<Document, Error> {
    let doc = store.read(|tx| {
        let board = super::scoring::scoreboard_in_tx(tx, name, None)?;
        let units = names(&board.term);
        let catalogue = super::catalogue::catalogues_in(tx)?;
        let catalogue = catalogue.in_force(name.year);
        let table_title = match &board.term.table {
            Some((id, _)) => tx.existing_criteria_table(id)?.title,
            None => String::new(),
        };
        let proposals = tx
            .awards(name)?
            .into_iter()
            .filter(|a| {
                matches!(
                    a.state,
                    AwardState::Passed | AwardState::Submitted | AwardState::Awarded
                )
            })
            .map(|a| {
                let placed = board.placements.iter().find(|p| p.unit == a.unit);
                Proposed {
                    unit: units
                        .get(&a.unit)
                        .cloned()
                        .unwrap_or_else(|| a.unit.code.clone()),
                    entry: catalogue.name_of(&a.entry).to_owned(),
                    total: placed.map_or_else(String::new, |p| {
                        thidua_domain::decimal::format(p.total).replace('.', ",")
                    }),
                    rank: placed.map_or_else(String::new, |p| p.rank.to_string()),
                    ballot: a.ballot.as_ref().map_or_else(String::new, |b| {
                        format!("{}/{} phiếu đồng ý", b.yes, b.valid)
                    }),
                }
            })
            .collect();
        let leader = board
            .term
            .leadership()
            .and_then(|l| l.leader.as_ref())
            .and_then(|u| units.get(u).cloned())
            .unwrap_or_default();
        let organiser = organiser_place(tx, &board.term)?;
        Ok(Submission {
            cluster: cluster_name(tx, &name.cluster_id)?,
            place: organiser.clone(),
            organiser,
            year: name.year,
            table_title,
            proposals,
            leader,
        })
    })?;
    Ok((
        crate::documents::submission::write(&doc)?,
        file_name("to-trinh-khen-thuong", name),
    ))
}

/// Giao ước thi đua: the covenant's text and a line for every member, signed or not.
pub fn covenant(store: &Store, name: &TermName) -> Result<Document, Error> {
    let doc = store.read(|tx| {
        let term = tx.existing_term(name)?;
        let covenant = tx.existing_covenant(name)?;
        let witnesses = covenant
            .witnesses
            .iter()
            .map(|w| (w.person_name.clone(), w.title.clone()))
            .collect();
        let signatories = term
            .members
            .iter()
            .map(|m| {
                let signed = covenant.signatures.iter().find(|s| s.unit == m.unit);
                Signatory {
                    unit: m.name.clone(),
                    person: signed.map_or_else(String::new, |s| s.signatory_name.clone()),
                    title: signed.map_or_else(String::new, |s| s.signatory_title.clone()),
                    signed: signed
                        .and_then(|s| s.signed_at.date_in_vietnam())
                        .map_or_else(String::new, |d| d.vietnamese()),
                }
            })
            .collect();
        let text = covenant.text;
        Ok(CovenantDoc {
            cluster: cluster_name(tx, &name.cluster_id)?,
            year: name.year,
            theme: text.theme,
            text: text.text,
            commitments: text.commitments,
            place: if text.place.is_empty() {
                organiser_place(tx, &term)?
            } else {
                text.place
            },
            signing_date: text
                .signing_date
                .map_or_else(String::new, |d| d.vietnamese()),
            signatories,
            witnesses,
        })
    })?;
    Ok((
        crate::documents::covenant::write(&doc)?,
        file_name("giao-uoc-thi-dua", name),
    ))
}
