//! Scoring policies of terms, stored as JSON.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use thidua_domain::{
    Error,
    award::{BallotBase, Quotas},
    decimal,
    names::TermName,
    policy::{Policy, TieRule},
    scoring::ClassLevel,
    time::Timestamp,
};

use crate::{
    Tx,
    connection::per_backend,
    errors::{corrupt, db},
    schema::scoring_policies,
};

#[derive(Serialize, Deserialize)]
struct PolicyJson {
    tie_rules: Option<Vec<String>>,
    levels: Vec<(String, String, String)>,
    provincial_flags: usize,
    certificates_of_merit: usize,
    government_flag_share: String,
    ballot_threshold: String,
    ballot_base: String,
}

fn to_json(p: &Policy) -> PolicyJson {
    PolicyJson {
        tie_rules: p.tie_rules.as_ref().map(|rules| {
            rules
                .iter()
                .map(|r| match r {
                    TieRule::Subtotal(code) => format!("subtotal:{code}"),
                    TieRule::FullPointsCount => "full_points".into(),
                    TieRule::FewerPenalties => "fewer_penalties".into(),
                })
                .collect()
        }),
        levels: p
            .levels
            .iter()
            .map(|l| {
                (
                    l.name.clone(),
                    decimal::format(l.min_total_share),
                    decimal::format(l.min_criterion_share),
                )
            })
            .collect(),
        provincial_flags: p.quotas.provincial_flags,
        certificates_of_merit: p.quotas.certificates_of_merit,
        government_flag_share: decimal::format(p.quotas.government_flag_share),
        ballot_threshold: decimal::format(p.ballot_threshold),
        ballot_base: p.ballot_base.as_str().into(),
    }
}

fn from_json(j: PolicyJson) -> Result<Policy, Error> {
    let dec = |s: &str| decimal::parse("policy", s).map_err(|_| corrupt("policy decimal", s));
    let tie_rules = j
        .tie_rules
        .map(|rules| {
            rules
                .iter()
                .map(|r| match r.as_str() {
                    "full_points" => Ok(TieRule::FullPointsCount),
                    "fewer_penalties" => Ok(TieRule::FewerPenalties),
                    other => other
                        .strip_prefix("subtotal:")
                        .map(|c| TieRule::Subtotal(c.to_owned()))
                        .ok_or_else(|| corrupt("tie rule", other)),
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?;
    Ok(Policy {
        tie_rules,
        levels: j
            .levels
            .iter()
            .map(|(name, total, each)| {
                Ok(ClassLevel {
                    name: name.clone(),
                    min_total_share: dec(total)?,
                    min_criterion_share: dec(each)?,
                })
            })
            .collect::<Result<_, Error>>()?,
        quotas: Quotas {
            provincial_flags: j.provincial_flags,
            certificates_of_merit: j.certificates_of_merit,
            government_flag_share: dec(&j.government_flag_share)?,
        },
        ballot_threshold: dec(&j.ballot_threshold)?,
        ballot_base: BallotBase::parse(&j.ballot_base)
            .ok_or_else(|| corrupt("ballot base", &j.ballot_base))?,
    })
}

impl Tx<'_> {
    /// A term's policy; the defaults when none was set.
    pub fn policy(&mut self, term: &TermName) -> Result<Policy, Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let text: Option<String> = per_backend!(&mut *self.conn, |c| scoring_policies::table
            .find((cluster_id, year))
            .select(scoring_policies::policy)
            .get_result(c)
            .optional())
        .map_err(db)?;
        match text {
            None => Ok(Policy::default()),
            Some(t) => from_json(serde_json::from_str(&t).map_err(|_| corrupt("policy", &t))?),
        }
    }

    /// Replaces a term's policy.
    pub fn set_policy(&mut self, term: &TermName, p: &Policy, now: Timestamp) -> Result<(), Error> {
        let (cluster_id, year) = (term.cluster_id.as_str(), term.year);
        let text =
            serde_json::to_string(&to_json(p)).map_err(|e| Error::Internal(e.to_string()))?;
        diesel::delete(scoring_policies::table.find((cluster_id, year)))
            .execute(self.conn)
            .map_err(db)?;
        diesel::insert_into(scoring_policies::table)
            .values((
                scoring_policies::cluster_id.eq(cluster_id),
                scoring_policies::year.eq(year),
                scoring_policies::policy.eq(text),
                scoring_policies::updated_at.eq(now.0),
            ))
            .execute(self.conn)
            .map_err(db)?;
        Ok(())
    }
}
