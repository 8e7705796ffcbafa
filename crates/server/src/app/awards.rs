//! Use cases of awards: proposal (eligibility, quotas, the top scorer), secret ballot,
//! submission with a complete dossier, revocation.

use thidua_domain::{
    Error, Reason,
    award::{self, Award, AwardKind, AwardState, Ballot, Dossier},
    criteria,
    stage::Stage,
    unit::UnitRef,
};
use thidua_storage::Store;

use super::{now, scoring};

/// Whether an award still counts against quotas and the one-award rule.
fn counts(a: &Award) -> bool {
    !matches!(a.state, AwardState::Failed | AwardState::Revoked)
}

/// Proposes an award after adoption: the unit must be eligible, the kind's quota not used up,
/// the unit not already proposed this term, and a provincial flag goes to the top scorer unless
/// an override with a reason is recorded.
pub fn propose(
    store: &Store,
    cluster_id: &str,
    year: i32,
    unit: &UnitRef,
    kind: AwardKind,
    dossier: Dossier,
    override_reason: &str,
) -> Result<Award, Error> {
    let now = now();
    store.write(|tx| {
        let term = tx.existing_term(cluster_id, year)?;
        term.stage.require("proposing an award", &term.resource(), &[Stage::Adopted, Stage::Ballot])?;
        if !term.has_member(unit) {
            return Err(Error::invalid("unit", format!("{unit} is not a member of {}", term.resource())));
        }
        let board = scoring::scoreboard_in(tx, &term)?;
        let mandatory: Vec<String> = {
            let mut out = Vec::new();
            criteria::walk(&board.version.groups, &mut |n| {
                if n.mandatory && n.rule.is_some() {
                    out.push(n.code.clone());
                }
            });
            out
        };
        let policy = tx.policy(cluster_id, year)?;
        let (excellent, good) = policy.award_levels();
        let score = board
            .scores
            .get(unit)
            .ok_or_else(|| Error::Internal(format!("{unit} was not scored")))?;
        let why = award::check_eligible(kind, score, &mandatory, &excellent, &good);
        if !why.is_empty() {
            return Err(Error::Preconditions {
                reason: Reason::NotEligible,
                description: format!("{unit} may not be proposed for a {}", kind.as_str()),
                violations: why.into_iter().map(|w| (unit.to_string(), w)).collect(),
            });
        }
        let existing = tx.awards(cluster_id, year)?;
        if let Some(a) = existing.iter().find(|a| &a.unit == unit && counts(a)) {
            return Err(Error::AlreadyExists {
                resource: format!("awards/{}", a.id),
                reason: Reason::AlreadyExists,
                description: format!("{unit} is already proposed for a {} this term: one achievement, one award", a.kind.as_str()),
            });
        }
        let meeting_standard = board
            .scores
            .values()
            .filter(|s| award::check_eligible(AwardKind::ProvincialFlag, s, &mandatory, &excellent, &good).is_empty())
            .count();
        let used = existing.iter().filter(|a| a.kind == kind && counts(a)).count();
        if let Some(limit) = policy.quotas.limit(kind, meeting_standard)
            && used >= limit
        {
            return Err(Error::precondition(
                Reason::QuotaExceeded,
                term.resource(),
                format!("the quota of {limit} {} for {} is used up", kind.as_str(), term.resource()),
            ));
        }
        let leading = board.placements.first().filter(|p| !p.unresolved_tie).map(|p| p.unit.clone());
        if kind == AwardKind::ProvincialFlag && leading.as_ref() != Some(unit) && override_reason.trim().is_empty() {
            return Err(Error::precondition(
                Reason::NotTopScorer,
                unit.to_string(),
                format!(
                    "the provincial flag goes to the unit leading the cluster ({}); record an override with a reason to propose {unit}",
                    leading.map(|u| u.to_string()).unwrap_or_else(|| "undecided".into())
                ),
            ));
        }
        let award = Award {
            id: uuid::Uuid::now_v7().simple().to_string(),
            cluster_id: cluster_id.to_owned(),
            year,
            unit: unit.clone(),
            kind,
            state: AwardState::Proposed,
            dossier,
            override_reason: override_reason.trim().to_owned(),
            ballot: None,
            revocation: None,
            created_at: now,
            updated_at: now,
        };
        tx.touch_term(cluster_id, year, None, now)?;
        tx.insert_award(&award)?;
        Ok(award)
    })
}

fn existing(tx: &mut thidua_storage::Tx<'_>, id: &str) -> Result<Award, Error> {
    tx.award(id)?.ok_or_else(|| Error::NotFound {
        resource: format!("awards/{id}"),
    })
}

fn require_state(a: &Award, allowed: &[AwardState], action: &str) -> Result<(), Error> {
    if allowed.contains(&a.state) {
        Ok(())
    } else {
        Err(Error::precondition(
            Reason::AwardState,
            format!("awards/{}", a.id),
            format!(
                "{action} needs a {} award; this one is {}",
                allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
                a.state.as_str()
            ),
        ))
    }
}

/// Records the secret ballot's counts on a proposal (stage ballot); pass or fail is computed
/// with the term's threshold and base.
pub fn record_ballot(store: &Store, id: &str, counts: Ballot) -> Result<Award, Error> {
    let now = now();
    store.write(|tx| {
        let mut a = existing(tx, id)?;
        let policy = tx.policy(&a.cluster_id, a.year)?;
        let ballot = Ballot {
            threshold: policy.ballot_threshold,
            base: policy.ballot_base,
            ..counts
        };
        ballot.check()?;
        let term = tx.existing_term(&a.cluster_id, a.year)?;
        term.stage
            .require("recording a ballot", &term.resource(), &[Stage::Ballot])?;
        require_state(&a, &[AwardState::Proposed], "recording a ballot")?;
        let members = i64::try_from(term.members.len()).unwrap_or(i64::MAX);
        if ballot.eligible != members {
            return Err(Error::invalid(
                "ballot.eligible",
                format!(
                    "{} members may vote in {}, not {}",
                    members,
                    term.resource(),
                    ballot.eligible
                ),
            ));
        }
        a.state = if ballot.passed() {
            AwardState::Passed
        } else {
            AwardState::Failed
        };
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
        let term = tx.existing_term(&a.cluster_id, a.year)?;
        term.stage.require(
            "submitting a proposal",
            &term.resource(),
            &[Stage::Ballot, Stage::Proposed],
        )?;
        require_state(&a, &[AwardState::Passed], "submitting")?;
        if let Some(d) = dossier {
            a.dossier = d;
        }
        let missing = a.dossier.missing();
        if !missing.is_empty() {
            return Err(Error::Preconditions {
                reason: Reason::DossierIncomplete,
                description: format!("the dossier of awards/{} is incomplete", a.id),
                violations: missing
                    .into_iter()
                    .map(|v| (v.field, v.description))
                    .collect(),
            });
        }
        a.state = AwardState::Submitted;
        a.updated_at = now;
        tx.update_award(&a)?;
        Ok(a)
    })
}

/// Revokes a submitted award with its legal ground and act; it stays in history.
pub fn revoke(store: &Store, id: &str, ground: &str, act: &str) -> Result<Award, Error> {
    let now = now();
    let mut v = thidua_domain::error::Violations::default();
    if ground.trim().is_empty() {
        v.add(
            "legal_ground",
            "say on what ground (e.g. a false declaration found later)",
        );
    }
    if act.trim().is_empty() {
        v.add("legal_act", "name the revoking act");
    }
    v.finish(())?;
    store.write(|tx| {
        let mut a = existing(tx, id)?;
        require_state(&a, &[AwardState::Submitted], "revoking")?;
        a.state = AwardState::Revoked;
        a.updated_at = now;
        tx.insert_revocation(&a.id, ground.trim(), act.trim(), now)?;
        tx.update_award(&a)?;
        a.revocation = Some((ground.trim().to_owned(), act.trim().to_owned()));
        Ok(a)
    })
}

/// A term's awards.
pub fn list(store: &Store, cluster_id: &str, year: i32) -> Result<Vec<Award>, Error> {
    store.read(|tx| {
        tx.existing_term(cluster_id, year)?;
        tx.awards(cluster_id, year)
    })
}
