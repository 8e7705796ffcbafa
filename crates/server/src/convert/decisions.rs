//! Decisions, the register and the catalogue, to and from the contract.

use thidua_domain::{
    FieldViolation,
    award::{
        catalogue::{Catalogue, Entry, Prerequisite},
        decision::{Decision, DecisionKind, NewDecision},
    },
    error::Violations,
    time::Timestamp,
};
use thidua_proto::v1 as pb;

use super::{date_in, date_out, time_out, unit_name};
use crate::app::decisions::Named;

/// Reads a decision request; every bad field at once.
pub fn decision_in(r: pb::RecordDecisionRequest) -> Result<NewDecision, Vec<FieldViolation>> {
    let d = r.decision.unwrap_or_default();
    let mut v = Violations::default();
    let date = v
        .check(date_in("decision.decision_date", d.decision_date.as_ref()))
        .flatten();
    if d.decision_date.is_none() {
        v.add(
            "decision.decision_date",
            thidua_domain::words!("decision-date-required"),
        );
    }
    let authority = v.check(unit_name("decision.authority", &d.authority));
    let award_id = |field: String, name: &str| {
        name.strip_prefix("awards/")
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                thidua_domain::names::refused(
                    &field,
                    name,
                    thidua_domain::words!("name-award"),
                    "awards/{id}",
                )
            })
    };
    let approve: Vec<String> = r
        .approve
        .iter()
        .enumerate()
        .filter_map(|(i, n)| v.check(award_id(format!("approve[{i}]"), n)))
        .collect();
    let reject: Vec<String> = r
        .reject
        .iter()
        .enumerate()
        .filter_map(|(i, n)| v.check(award_id(format!("reject[{i}]"), n)))
        .collect();
    let units = r
        .units
        .iter()
        .enumerate()
        .filter_map(|(i, n)| v.check(unit_name(&format!("units[{i}]"), n)))
        .collect();
    let kind = match pb::DecisionKind::try_from(d.kind).unwrap_or(pb::DecisionKind::Unspecified) {
        pb::DecisionKind::Revocation => DecisionKind::Revocation,
        pb::DecisionKind::Award | pb::DecisionKind::Unspecified => DecisionKind::Award,
    };
    let (Some(date), Some(authority)) = (date, authority) else {
        return Err(v.into_inner());
    };
    v.finish(NewDecision {
        number: thidua_domain::text::normalize(&d.number),
        date,
        authority,
        signer: thidua_domain::text::normalize(&d.signer),
        entry: d.entry.trim().to_owned(),
        year: (d.year != 0).then_some(d.year),
        kind,
        approve,
        reject,
        units,
        reason: thidua_domain::text::normalize(&d.reason),
    })
    .map_err(|e| match e {
        thidua_domain::Error::Invalid(v) => v,
        other => vec![FieldViolation::new("decision", other.to_string())],
    })
}

/// Writes a decision.
pub fn decision_out(d: Decision) -> pb::Decision {
    pb::Decision {
        name: format!("decisions/{}", d.id),
        number: d.number,
        decision_date: date_out(Some(d.date)),
        authority: d.authority.to_string(),
        signer: d.signer,
        entry: d.entry,
        year: d.year,
        kind: match d.kind {
            DecisionKind::Award => pb::DecisionKind::Award,
            DecisionKind::Revocation => pb::DecisionKind::Revocation,
        }
        .into(),
        reason: d.reason,
        record_time: time_out(d.recorded_at),
    }
}

/// Writes a register line with its unit's and entry's names in the year it concerns.
pub fn registered_out(named: Named) -> pb::RegisterEntry {
    let Named {
        line: r,
        unit_name: unit_display_name,
        entry_name,
    } = named;
    pb::RegisterEntry {
        unit: r.unit.to_string(),
        award: r
            .award_id
            .map(|a| format!("awards/{a}"))
            .unwrap_or_default(),
        revoked_by: r
            .revoked_by
            .map(|d| format!("decisions/{d}"))
            .unwrap_or_default(),
        entry_name,
        unit_display_name,
        decision: Some(decision_out(r.decision)),
    }
}

/// Writes a catalogue entry.
pub fn entry_out(e: &Entry) -> pb::AwardEntry {
    pb::AwardEntry {
        code: e.code.clone(),
        display_name: e.name.clone(),
        level: e.level.as_str().to_owned(),
        kind: e.kind.as_str().to_owned(),
        proposed_as: e
            .proposed_as
            .map_or(pb::AwardKind::Unspecified, super::results::award_kind_out)
            .into(),
        secret_ballot: e.secret_ballot,
        quota: e.quota.map_or_else(String::new, |q| q.limit.text()),
        quota_scope: e
            .quota
            .map_or_else(String::new, |q| q.scope.as_str().to_owned()),
        prerequisites: e.prerequisites.iter().map(Prerequisite::text).collect(),
    }
}

/// Writes a catalogue version's summary.
pub fn catalogue_version_out(
    c: &Catalogue,
    stored: Option<Timestamp>,
) -> pb::AwardCatalogueVersion {
    pb::AwardCatalogueVersion {
        version: i32::try_from(c.version).unwrap_or(i32::MAX),
        from_year: c.from_year,
        note: c.note.clone(),
        entries: i32::try_from(c.entries.len()).unwrap_or(i32::MAX),
        create_time: stored.and_then(time_out),
    }
}
