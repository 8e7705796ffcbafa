//! Use cases of awards: proposal, secret ballot, submission with a complete dossier,
//! revocation. The rules are the domain's (`award`); these load, ask and store.

use thidua_domain::{
    Error,
    award::{
        self, Award, AwardKind, AwardState, Ballot, Dossier, OrganiserYear, ProposalFacts,
        catalogue::{Prerequisite, QuotaScope},
    },
    names::TermName,
    stage::Stage,
    unit::UnitRef,
};
use thidua_storage::{Store, Tx};

use super::{now, scoring};

/// Proposes an award after adoption: the unit must be eligible, the kind's quota not used up,
/// the unit not already proposed this term, and a provincial flag goes to the top scorer unless
/// an override with a reason is recorded.
pub fn propose(
    store: &Store,
    name: &TermName,
    unit: &UnitRef,
    kind: AwardKind,
    dossier: Dossier,
    override_reason: &str,
) -> Result<Award, Error> {
    let (cluster_id, year) = (name.cluster_id.as_str(), name.year);
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(name)?;
        // The stage and membership come first: no board is computed for a refused call.
        term.stage
            .permit(thidua_domain::stage::Action::ProposeAward, &term.resource())?;
        term.require_member("unit", unit)?;
        let board = scoring::scoreboard_in(tx, &term)?;
        let policy = tx.policy(name)?;
        let awards = tx.awards(name)?;
        let catalogues = super::catalogue::catalogues_in(tx)?;
        let catalogue = catalogues.in_force(year);
        let entry = catalogue.for_kind(kind);
        let organiser_year = match entry.and_then(|e| e.quota) {
            Some(q) if q.scope == QuotaScope::OrganiserYear => organiser_year(
                tx,
                &term.organiser,
                year,
                kind,
                entry.map(|e| e.code.as_str()),
            )?,
            _ => OrganiserYear::default(),
        };
        // The register is read only for an entry that asks what the unit held.
        let (register, links) = if entry.is_some_and(|e| {
            e.prerequisites
                .iter()
                .any(|p| !matches!(p, Prerequisite::ClassifiedAtLeast(_)))
        }) {
            super::decisions::carried_register(tx, std::slice::from_ref(unit), None)?
        } else {
            (Vec::new(), Vec::new())
        };
        award::check_proposal(
            &ProposalFacts {
                term: &term,
                groups: &board.version.groups,
                scores: &board.scores,
                placements: &board.placements,
                policy: &policy,
                awards: &awards,
                organiser_year: &organiser_year,
                catalogue,
                register: &register,
                links: &links,
            },
            unit,
            kind,
            override_reason,
        )?;
        let award = Award {
            id: uuid::Uuid::now_v7().simple().to_string(),
            cluster_id: cluster_id.to_owned(),
            year,
            unit: unit.clone(),
            kind,
            entry: entry.map(|e| e.code.clone()).unwrap_or_default(),
            state: AwardState::Proposed,
            dossier,
            override_reason: override_reason.trim().to_owned(),
            ballot: None,
            revocation: None,
            decision: None,
            created_at: now,
            updated_at: now,
        };
        tx.touch_term(name, None, now)?;
        tx.insert_award(&award)?;
        Ok(award)
    })
}

/// The base of a quota counted over the organiser's year (the Government flag's): the
/// organiser's adopted terms of the year, the collectives meeting the standard of `kind` in
/// them, and the proposals of the entry already made there.
fn organiser_year(
    tx: &mut Tx<'_>,
    organiser: &UnitRef,
    year: i32,
    kind: AwardKind,
    entry: Option<&str>,
) -> Result<OrganiserYear, Error> {
    let mut scope = OrganiserYear {
        organiser: Some(organiser.clone()),
        year,
        ..OrganiserYear::default()
    };
    for name in tx.organiser_terms(organiser, year)? {
        let term = tx.existing_term(&name)?;
        if term.stage < Stage::Adopted {
            continue;
        }
        let board = scoring::scoreboard_in(tx, &term)?;
        let policy = tx.policy(&name)?;
        scope.meeting_standard +=
            award::meeting_standard(kind, &board.version.groups, &board.scores, &policy);
        scope.proposed.extend(
            tx.awards(&name)?
                .iter()
                .filter(|a| Some(a.entry.as_str()) == entry && a.counts())
                .map(Award::resource),
        );
        scope.terms.push(name.to_string());
    }
    Ok(scope)
}

fn existing(tx: &mut Tx<'_>, id: &str) -> Result<Award, Error> {
    tx.award(id)?.ok_or_else(|| Error::NotFound {
        resource: format!("awards/{id}"),
    })
}

/// Records the secret ballot's counts on a proposal (stage ballot); pass or fail is computed
/// with the term's threshold and base.
pub fn record_ballot(store: &Store, id: &str, counts: Ballot) -> Result<Award, Error> {
    let now = now();
    store.write(|tx| {
        let mut a = existing(tx, id)?;
        let policy = tx.policy(&a.term())?;
        let ballot = Ballot {
            threshold: policy.ballot_threshold,
            base: policy.ballot_base,
            ..counts
        };
        let term = tx.existing_term(&a.term())?;
        a.state = award::check_ballot(&term, &a, &ballot)?;
        a.updated_at = now;
        tx.insert_ballot(&a.id, &ballot, now)?;
        tx.update_award(&a)?;
        a.ballot = Some(ballot);
        Ok(a)
    })
}

/// Submits a passed proposal to the provincial council: its dossier must be complete.
pub fn submit(store: &Store, id: &str, dossier: Option<Dossier>) -> Result<Award, Error> {
    let now = now();
    store.write(|tx| {
        let mut a = existing(tx, id)?;
        let term = tx.existing_term(&a.term())?;
        let dossier = dossier.unwrap_or_else(|| a.dossier.clone());
        award::check_submission(&term, &a, &dossier)?;
        a.dossier = dossier;
        a.state = AwardState::Submitted;
        a.updated_at = now;
        tx.update_award(&a)?;
        Ok(a)
    })
}

/// Revokes a submitted award with its legal ground and act; it stays in history.
pub fn revoke(store: &Store, id: &str, ground: &str, act: &str) -> Result<Award, Error> {
    let now = now();
    award::check_revocation(ground, act)?;
    store.write(|tx| {
        let mut a = existing(tx, id)?;
        a.require_state(
            AwardState::Submitted,
            thidua_domain::words!("action-revoke-award"),
        )?;
        a.state = AwardState::Revoked;
        a.updated_at = now;
        tx.insert_revocation(&a.id, ground.trim(), act.trim(), now)?;
        tx.update_award(&a)?;
        a.revocation = Some((ground.trim().to_owned(), act.trim().to_owned()));
        Ok(a)
    })
}

/// The organiser's view: the proposals of `year` across the terms `organiser` organised, each
/// with its term's stage.
pub fn list_of_organiser(
    store: &Store,
    organiser: &UnitRef,
    year: i32,
) -> Result<Vec<(Award, Stage)>, Error> {
    store.read(|tx| {
        tx.existing_unit(organiser)?;
        let mut out = Vec::new();
        for name in tx.organiser_terms(organiser, year)? {
            let stage = tx.existing_term(&name)?.stage;
            out.extend(tx.awards(&name)?.into_iter().map(|a| (a, stage)));
        }
        Ok(out)
    })
}

/// A term's proposals.
pub fn list(store: &Store, name: &TermName) -> Result<Vec<Award>, Error> {
    store.read(|tx| {
        tx.existing_term(name)?;
        tx.awards(name)
    })
}
