//! Tie decisions and award proposals.

use diesel::prelude::*;
use thidua_domain::{
    Error,
    award::{Award, AwardState, Ballot, BallotBase, Dossier},
    decimal,
    names::TermName,
    time::Timestamp,
    unit::UnitRef,
};

use crate::{
    Tx,
    connection::per_backend,
    errors::{corrupt, db},
    schema::{award_revocations, awards, ballots, tie_decisions},
    units::parse_key,
};

#[derive(Queryable, Insertable, AsChangeset)]
#[diesel(table_name = awards)]
struct AwardRow {
    id: String,
    cluster_id: String,
    year: i32,
    unit_id: String,
    kind: String,
    state: String,
    submission_letter: String,
    minutes: String,
    achievement_report: String,
    override_reason: String,
    created_at: i64,
    updated_at: i64,
    decision_id: Option<String>,
    entry: String,
}

impl AwardRow {
    fn new(a: &Award) -> Self {
        Self {
            id: a.id.clone(),
            cluster_id: a.cluster_id.clone(),
            year: a.year,
            unit_id: a.unit.key(),
            kind: a.kind.as_str().to_owned(),
            state: a.state.as_str().to_owned(),
            submission_letter: a.dossier.submission_letter.clone(),
            minutes: a.dossier.minutes.clone(),
            achievement_report: a.dossier.achievement_report.clone(),
            override_reason: a.override_reason.clone(),
            created_at: a.created_at.0,
            updated_at: a.updated_at.0,
            decision_id: a.decision.clone(),
            entry: a.entry.clone(),
        }
    }
}

type BallotCells = (i64, i64, i64, i64, i64, String, String);

impl Tx<'_> {
    /// Records a tie decision: the tied units in decided order, by whom and why.
    pub fn insert_tie_decision(
        &mut self,
        term: &TermName,
        order: &[UnitRef],
        decided_by: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let seq: i64 = tie_decisions::table
            .filter(tie_decisions::cluster_id.eq(cluster_id))
            .filter(tie_decisions::year.eq(year))
            .count()
            .get_result(self.conn)
            .map_err(db)?;
        let keys: Vec<String> = order.iter().map(UnitRef::key).collect();
        diesel::insert_into(tie_decisions::table)
            .values((
                tie_decisions::cluster_id.eq(cluster_id),
                tie_decisions::year.eq(year),
                tie_decisions::seq
                    .eq(i32::try_from(seq + 1).map_err(|e| Error::Internal(e.to_string()))?),
                tie_decisions::unit_order
                    .eq(serde_json::to_string(&keys).map_err(|e| Error::Internal(e.to_string()))?),
                tie_decisions::decided_by.eq(decided_by),
                tie_decisions::reason.eq(reason),
                tie_decisions::recorded_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Every tie decision of a term, oldest first: (order, who, why).
    pub fn tie_decisions(
        &mut self,
        term: &TermName,
    ) -> Result<Vec<(Vec<UnitRef>, String, String)>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let rows: Vec<(String, String, String)> =
            per_backend!(&mut *self.conn, |c| tie_decisions::table
                .filter(tie_decisions::cluster_id.eq(cluster_id))
                .filter(tie_decisions::year.eq(year))
                .order(tie_decisions::seq)
                .select((
                    tie_decisions::unit_order,
                    tie_decisions::decided_by,
                    tie_decisions::reason,
                ))
                .load(c))
            .map_err(db)?;
        rows.into_iter()
            .map(|(order, by, why)| {
                let keys: Vec<String> =
                    serde_json::from_str(&order).map_err(|_| corrupt("unit order", &order))?;
                Ok((
                    keys.iter()
                        .map(|k| parse_key(k))
                        .collect::<Result<_, _>>()?,
                    by,
                    why,
                ))
            })
            .collect()
    }

    /// Stores a new award.
    pub fn insert_award(&mut self, a: &Award) -> Result<(), Error> {
        diesel::insert_into(awards::table)
            .values(AwardRow::new(a))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Saves an award's state and dossier.
    pub fn update_award(&mut self, a: &Award) -> Result<(), Error> {
        diesel::update(awards::table.find(&a.id))
            .set(AwardRow::new(a))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Records an award's ballot (once).
    pub fn insert_ballot(
        &mut self,
        award_id: &str,
        b: &Ballot,
        now: Timestamp,
    ) -> Result<(), Error> {
        diesel::insert_into(ballots::table)
            .values((
                ballots::award_id.eq(award_id),
                ballots::eligible.eq(b.eligible),
                ballots::present.eq(b.present),
                ballots::valid.eq(b.valid),
                ballots::yes.eq(b.yes),
                ballots::no.eq(b.no),
                ballots::threshold.eq(decimal::format(b.threshold)),
                ballots::base.eq(b.base.as_str()),
                ballots::recorded_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    /// Records an award's revocation (once).
    pub fn insert_revocation(
        &mut self,
        award_id: &str,
        ground: &str,
        act: &str,
        now: Timestamp,
    ) -> Result<(), Error> {
        diesel::insert_into(award_revocations::table)
            .values((
                award_revocations::award_id.eq(award_id),
                award_revocations::legal_ground.eq(ground),
                award_revocations::legal_act.eq(act),
                award_revocations::revoked_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }

    fn complete_award(&mut self, row: AwardRow) -> Result<Award, Error> {
        let ballot: Option<BallotCells> = ballots::table
            .find(&row.id)
            .select((
                ballots::eligible,
                ballots::present,
                ballots::valid,
                ballots::yes,
                ballots::no,
                ballots::threshold,
                ballots::base,
            ))
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        let revocation: Option<(String, String)> = award_revocations::table
            .find(&row.id)
            .select((
                award_revocations::legal_ground,
                award_revocations::legal_act,
            ))
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        let ballot = ballot
            .map(|(eligible, present, valid, yes, no, t, base)| {
                Ok::<_, Error>(Ballot {
                    eligible,
                    present,
                    valid,
                    yes,
                    no,
                    threshold: decimal::parse("threshold", &t)
                        .map_err(|_| corrupt("threshold", &t))?,
                    base: BallotBase::parse(&base).ok_or_else(|| corrupt("ballot base", &base))?,
                })
            })
            .transpose()?;
        Ok(Award {
            kind: row
                .kind
                .parse()
                .map_err(|()| corrupt("award kind", &row.kind))?,
            state: AwardState::parse(&row.state)
                .ok_or_else(|| corrupt("award state", &row.state))?,
            unit: parse_key(&row.unit_id)?,
            dossier: Dossier {
                submission_letter: row.submission_letter,
                minutes: row.minutes,
                achievement_report: row.achievement_report,
            },
            override_reason: row.override_reason,
            ballot,
            revocation,
            decision: row.decision_id,
            entry: row.entry,
            created_at: Timestamp(row.created_at),
            updated_at: Timestamp(row.updated_at),
            id: row.id,
            cluster_id: row.cluster_id,
            year: row.year,
        })
    }

    /// One award.
    pub fn award(&mut self, id: &str) -> Result<Option<Award>, Error> {
        let row: Option<AwardRow> = awards::table
            .find(id)
            .get_result(self.conn)
            .optional()
            .map_err(db)?;
        row.map(|r| self.complete_award(r)).transpose()
    }

    /// A term's awards, in proposal order.
    pub fn awards(&mut self, term: &TermName) -> Result<Vec<Award>, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let rows: Vec<AwardRow> = awards::table
            .filter(awards::cluster_id.eq(cluster_id))
            .filter(awards::year.eq(year))
            .order((awards::created_at, awards::id))
            .load(self.conn)
            .map_err(db)?;
        rows.into_iter().map(|r| self.complete_award(r)).collect()
    }
}
