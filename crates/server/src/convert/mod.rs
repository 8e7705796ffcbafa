//! Every proto ⇄ domain conversion, in one place. Inputs are destructured field by field and
//! outputs are built without `..Default::default()`, so a new proto field fails the build
//! until it is handled here.

use thidua_domain::{
    Error, FieldViolation,
    cluster::{Cluster, ClusterKind},
    covenant::{Covenant, CovenantStatus, Signature, Witness},
    error::Violations,
    lineage::{LineageKind, LineageLink, Share},
    names::{AwardName, ClusterName, CovenantName, TermName, VersionName},
    term::{Leadership, LeadershipMethod, Term},
    time::{Date, Timestamp},
    unit::{Unit, UnitKind, UnitRef},
};
use thidua_proto::v1 as pb;

mod criteria;
mod decisions;
mod keys;
mod results;
pub use criteria::{
    decimal_in, groups_in, optional_decimal_in, table_out, targets_out, version_out,
};
pub use decisions::{catalogue_version_out, decision_in, decision_out, entry_out, registered_out};
pub use keys::{
    checkpoint_in, checkpoint_out, event_out, key_name, key_out, outcome_in, role_in, share_out,
};
pub use results::{
    award_kind_in, award_out, ballot_in, board_layer_in, board_out, dossier_in, explained_out,
    layer_score_out, policy_in, policy_out, result_out, score_layer_in, unit_year_out,
};

/// Reads a unit name, `units/{scheme}~{code}`.
pub fn unit_name(field: &str, name: &str) -> Result<UnitRef, FieldViolation> {
    UnitRef::parse_name(field, name)
}

/// Reads an optional unit name: empty means none.
pub fn optional_unit_name(field: &str, name: &str) -> Result<Option<UnitRef>, FieldViolation> {
    if name.is_empty() {
        Ok(None)
    } else {
        unit_name(field, name).map(Some)
    }
}

/// Reads a cluster name, `clusters/{id}`, to the cluster's id.
pub fn cluster_name(field: &str, name: &str) -> Result<String, FieldViolation> {
    ClusterName::parse(field, name).map(|c| c.cluster_id)
}

/// Reads a term name, `clusters/{id}/terms/{year}`.
pub fn term_name(field: &str, name: &str) -> Result<TermName, FieldViolation> {
    TermName::parse(field, name)
}

/// Reads a covenant name, `clusters/{id}/terms/{year}/covenant`, to its term.
pub fn covenant_name(field: &str, name: &str) -> Result<TermName, FieldViolation> {
    CovenantName::parse(field, name).map(|c| c.term)
}

/// Reads a criteria table version name, `criteriaTables/{id}/versions/{n}`, to (table id, n).
pub fn version_name(field: &str, name: &str) -> Result<(String, i32), FieldViolation> {
    VersionName::parse(field, name).map(|v| (v.table_id, v.number))
}

/// Reads an award name, `awards/{id}`, to the award's id.
pub fn award_name(field: &str, name: &str) -> Result<String, FieldViolation> {
    AwardName::parse(field, name).map(|a| a.award_id)
}

/// Reads an optional date.
pub fn date_in(field: &str, date: Option<&pb::Date>) -> Result<Option<Date>, FieldViolation> {
    date.map(|pb::Date { year, month, day }| Date::from_parts(field, *year, *month, *day))
        .transpose()
}

/// Writes an optional date.
pub fn date_out(date: Option<Date>) -> Option<pb::Date> {
    date.map(|d| pb::Date {
        year: d.year(),
        month: i32::try_from(d.month()).unwrap_or(0),
        day: i32::try_from(d.day()).unwrap_or(0),
    })
}

/// Writes an instant.
pub fn time_out(t: Timestamp) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp {
        seconds: t.0.div_euclid(1_000_000),
        nanos: i32::try_from(t.0.rem_euclid(1_000_000) * 1000).unwrap_or(0),
    })
}

/// Reads an optional instant.
pub fn time_in(t: Option<&prost_types::Timestamp>) -> Option<Timestamp> {
    // Saturating: a hostile `seconds` must not overflow.
    t.map(|t| {
        Timestamp(
            t.seconds
                .saturating_mul(1_000_000)
                .saturating_add(i64::from(t.nanos / 1000)),
        )
    })
}

/// The etag of a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// Reads an etag; empty means "no check".
pub fn etag_in(field: &str, etag: &str) -> Result<Option<i64>, FieldViolation> {
    if etag.is_empty() {
        return Ok(None);
    }
    etag.trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| FieldViolation::new(field, thidua_domain::words!("etag-unknown", etag = etag)))
}

/// Reads a unit kind.
pub fn unit_kind_in(field: &str, kind: i32) -> Result<UnitKind, FieldViolation> {
    use pb::UnitKind as K;
    Ok(match K::try_from(kind).unwrap_or(K::Unspecified) {
        K::Unspecified => {
            return Err(FieldViolation::new(
                field,
                thidua_domain::words!("kind-required"),
            ));
        }
        K::CentralCity => UnitKind::CentralCity,
        K::Province => UnitKind::Province,
        K::UrbanDistrict => UnitKind::UrbanDistrict,
        K::RuralDistrict => UnitKind::RuralDistrict,
        K::DistrictTown => UnitKind::DistrictTown,
        K::ProvincialCity => UnitKind::ProvincialCity,
        K::Ward => UnitKind::Ward,
        K::Commune => UnitKind::Commune,
        K::Township => UnitKind::Township,
        K::SpecialZone => UnitKind::SpecialZone,
        K::Department => UnitKind::Department,
        K::MassOrganisation => UnitKind::MassOrganisation,
        K::OtherOrganisation => UnitKind::OtherOrganisation,
    })
}

/// Writes a unit kind.
pub fn unit_kind_out(kind: UnitKind) -> pb::UnitKind {
    use pb::UnitKind as K;
    match kind {
        UnitKind::CentralCity => K::CentralCity,
        UnitKind::Province => K::Province,
        UnitKind::UrbanDistrict => K::UrbanDistrict,
        UnitKind::RuralDistrict => K::RuralDistrict,
        UnitKind::DistrictTown => K::DistrictTown,
        UnitKind::ProvincialCity => K::ProvincialCity,
        UnitKind::Ward => K::Ward,
        UnitKind::Commune => K::Commune,
        UnitKind::Township => K::Township,
        UnitKind::SpecialZone => K::SpecialZone,
        UnitKind::Department => K::Department,
        UnitKind::MassOrganisation => K::MassOrganisation,
        UnitKind::OtherOrganisation => K::OtherOrganisation,
    }
}

/// Writes a unit.
pub fn unit_out(u: Unit) -> pb::Unit {
    pb::Unit {
        name: u.id.to_string(),
        scheme: u.id.scheme.as_str().to_owned(),
        code: u.id.code.clone(),
        display_name: u.name,
        kind: unit_kind_out(u.kind).into(),
        parent: u.parent.map(|p| p.to_string()).unwrap_or_default(),
        valid_from: date_out(u.validity.from),
        valid_to: date_out(u.validity.to),
        create_time: time_out(u.created_at),
        update_time: time_out(u.updated_at),
        etag: etag(u.version),
    }
}

/// Reads a lineage kind.
pub fn lineage_kind_in(field: &str, kind: i32) -> Result<LineageKind, FieldViolation> {
    match pb::LineageKind::try_from(kind).unwrap_or(pb::LineageKind::Unspecified) {
        pb::LineageKind::Unspecified => Err(FieldViolation::new(
            field,
            thidua_domain::words!("kind-required"),
        )),
        pb::LineageKind::MergedInto => Ok(LineageKind::MergedInto),
        pb::LineageKind::SplitFrom => Ok(LineageKind::SplitFrom),
        pb::LineageKind::RenamedTo => Ok(LineageKind::RenamedTo),
        pb::LineageKind::SplitInto => Ok(LineageKind::SplitInto),
    }
}

/// Reads a lineage share (unset: whole).
pub fn lineage_share_in(field: &str, share: i32) -> Result<Share, FieldViolation> {
    match pb::LineageShare::try_from(share) {
        Ok(pb::LineageShare::Unspecified | pb::LineageShare::Whole) => Ok(Share::Whole),
        Ok(pb::LineageShare::Main) => Ok(Share::Main),
        Ok(pb::LineageShare::Part) => Ok(Share::Part),
        Err(_) => Err(FieldViolation::new(
            field,
            thidua_domain::words!("not-a-lineage-share", share = share),
        )),
    }
}

/// Writes a lineage link.
pub fn link_out(l: LineageLink) -> pb::LineageLink {
    pb::LineageLink {
        name: format!("lineageLinks/{}", l.id),
        kind: match l.kind {
            LineageKind::MergedInto => pb::LineageKind::MergedInto,
            LineageKind::SplitFrom => pb::LineageKind::SplitFrom,
            LineageKind::RenamedTo => pb::LineageKind::RenamedTo,
            LineageKind::SplitInto => pb::LineageKind::SplitInto,
        }
        .into(),
        share: match l.share {
            Share::Whole => pb::LineageShare::Whole,
            Share::Main => pb::LineageShare::Main,
            Share::Part => pb::LineageShare::Part,
        }
        .into(),
        unit: l.unit.to_string(),
        related_unit: l.related.to_string(),
        legal_act: l.legal_act,
        effective_date: date_out(Some(l.effective_date)),
        note: l.note,
        create_time: time_out(l.created_at),
    }
}

/// Reads a cluster kind.
pub fn cluster_kind_in(field: &str, kind: i32) -> Result<ClusterKind, FieldViolation> {
    match pb::ClusterKind::try_from(kind).unwrap_or(pb::ClusterKind::Unspecified) {
        pb::ClusterKind::Unspecified => Err(FieldViolation::new(
            field,
            thidua_domain::words!("kind-required"),
        )),
        pb::ClusterKind::Territorial => Ok(ClusterKind::Territorial),
        pb::ClusterKind::FunctionalBlock => Ok(ClusterKind::FunctionalBlock),
    }
}

/// Writes a cluster with its transfers to successor organisers.
pub fn cluster_with_transfers_out(
    c: Cluster,
    transfers: Vec<thidua_domain::succession::OrganiserTransfer>,
) -> pb::Cluster {
    pb::Cluster {
        transfers: transfers
            .into_iter()
            .map(|t| pb::OrganiserTransfer {
                from_organiser: t.from.to_string(),
                to_organiser: t.to.to_string(),
                effective_date: date_out(Some(t.date)),
                legal_act: t.legal_act,
                record_time: time_out(t.recorded_at),
            })
            .collect(),
        ..cluster_out(c)
    }
}

/// Writes a cluster.
pub fn cluster_out(c: Cluster) -> pb::Cluster {
    pb::Cluster {
        transfers: Vec::new(),
        name: format!("clusters/{}", c.id),
        display_name: c.name,
        kind: match c.kind {
            ClusterKind::Territorial => pb::ClusterKind::Territorial,
            ClusterKind::FunctionalBlock => pb::ClusterKind::FunctionalBlock,
        }
        .into(),
        organiser: c.organiser.to_string(),
        description: c.description,
        create_time: time_out(c.created_at),
        update_time: time_out(c.updated_at),
        etag: etag(c.version),
    }
}

/// Reads a leadership method.
pub fn method_in(field: &str, method: i32) -> Result<LeadershipMethod, FieldViolation> {
    match pb::LeadershipMethod::try_from(method).unwrap_or(pb::LeadershipMethod::Unspecified) {
        pb::LeadershipMethod::Unspecified => Err(FieldViolation::new(
            field,
            thidua_domain::words!("leadership-method-required"),
        )),
        pb::LeadershipMethod::Elected => Ok(LeadershipMethod::Elected),
        pb::LeadershipMethod::Rotated => Ok(LeadershipMethod::Rotated),
        pb::LeadershipMethod::Appointed => Ok(LeadershipMethod::Appointed),
    }
}

/// Reads a leadership; `recorded_at` is set to `now`.
pub fn leadership_in(l: pb::Leadership, now: Timestamp) -> Result<Leadership, Error> {
    let pb::Leadership {
        leader,
        deputies,
        method,
        deciding_act,
        decided_on,
        record_time: _,
    } = l;
    let mut v = Violations::default();
    let leader = v
        .check(optional_unit_name("leadership.leader", &leader))
        .flatten();
    let deputies = deputies
        .iter()
        .enumerate()
        .filter_map(|(i, d)| v.check(unit_name(&format!("leadership.deputies[{i}]"), d)))
        .collect();
    let method = v.check(method_in("leadership.method", method));
    let decided_on = v
        .check(date_in("leadership.decided_on", decided_on.as_ref()))
        .flatten();
    let deciding_act = v
        .check(thidua_domain::text::optional_text(
            "leadership.deciding_act",
            &deciding_act,
            500,
        ))
        .unwrap_or_default();
    let Some(method) = method else {
        return Err(Error::Invalid(v.into_inner()));
    };
    v.finish(Leadership {
        leader,
        deputies,
        method,
        deciding_act,
        decided_on,
        recorded_at: now,
    })
}

fn leadership_out(l: &Leadership) -> pb::Leadership {
    pb::Leadership {
        leader: l
            .leader
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        deputies: l.deputies.iter().map(ToString::to_string).collect(),
        method: match l.method {
            LeadershipMethod::Elected => pb::LeadershipMethod::Elected,
            LeadershipMethod::Rotated => pb::LeadershipMethod::Rotated,
            LeadershipMethod::Appointed => pb::LeadershipMethod::Appointed,
        }
        .into(),
        deciding_act: l.deciding_act.clone(),
        decided_on: date_out(l.decided_on),
        record_time: time_out(l.recorded_at),
    }
}

/// Writes a stage.
pub fn stage_out(s: thidua_domain::stage::Stage) -> pb::TermStage {
    use thidua_domain::stage::Stage;
    match s {
        Stage::Setup => pb::TermStage::Setup,
        Stage::Reporting => pb::TermStage::Reporting,
        Stage::SelfScoring => pb::TermStage::SelfScoring,
        Stage::Review => pb::TermStage::Review,
        Stage::Adopted => pb::TermStage::Adopted,
        Stage::Ballot => pb::TermStage::Ballot,
        Stage::Proposed => pb::TermStage::Proposed,
        Stage::Closed => pb::TermStage::Closed,
    }
}

/// Reads a stage.
pub fn stage_in(field: &str, s: i32) -> Result<thidua_domain::stage::Stage, FieldViolation> {
    use thidua_domain::stage::Stage;
    Ok(
        match pb::TermStage::try_from(s).unwrap_or(pb::TermStage::Unspecified) {
            pb::TermStage::Unspecified => {
                return Err(FieldViolation::new(
                    field,
                    thidua_domain::words!("stage-required"),
                ));
            }
            pb::TermStage::Setup => Stage::Setup,
            pb::TermStage::Reporting => Stage::Reporting,
            pb::TermStage::SelfScoring => Stage::SelfScoring,
            pb::TermStage::Review => Stage::Review,
            pb::TermStage::Adopted => Stage::Adopted,
            pb::TermStage::Ballot => Stage::Ballot,
            pb::TermStage::Proposed => Stage::Proposed,
            pb::TermStage::Closed => Stage::Closed,
        },
    )
}

/// Writes a covenant status.
pub fn covenant_status_out(s: CovenantStatus) -> pb::CovenantStatus {
    match s {
        CovenantStatus::Draft => pb::CovenantStatus::Draft,
        CovenantStatus::PartlySigned => pb::CovenantStatus::PartlySigned,
        CovenantStatus::Signed => pb::CovenantStatus::Signed,
    }
}

/// Writes a term.
pub fn term_out(t: Term) -> pb::Term {
    pb::Term {
        name: t.resource(),
        year: t.year,
        start_date: date_out(Some(t.period.start)),
        end_date: date_out(Some(t.period.end)),
        members: t
            .members
            .into_iter()
            .map(|m| pb::TermMember {
                unit: m.unit.to_string(),
                display_name: m.name,
                rotation_position: m.position,
            })
            .collect(),
        leadership: t.leadership_history.last().map(leadership_out),
        leadership_history: t.leadership_history.iter().map(leadership_out).collect(),
        covenant_status: covenant_status_out(t.covenant_status).into(),
        create_time: time_out(t.created_at),
        update_time: time_out(t.updated_at),
        etag: etag(t.version),
        table_version: t
            .table
            .map(|(id, n)| thidua_domain::criteria::version_resource(&id, n))
            .unwrap_or_default(),
        stage: stage_out(t.stage).into(),
        organiser: t.organiser.to_string(),
    }
}

/// Writes a covenant.
pub fn covenant_out(c: Covenant) -> pb::Covenant {
    pb::Covenant {
        name: c.resource(),
        theme: c.text.theme,
        text: c.text.text,
        commitments: c.text.commitments,
        place: c.text.place,
        signing_date: date_out(c.text.signing_date),
        status: covenant_status_out(c.status).into(),
        signatures: c
            .signatures
            .into_iter()
            .map(|s| pb::Signature {
                unit: s.unit.to_string(),
                signatory_name: s.signatory_name,
                signatory_title: s.signatory_title,
                sign_time: time_out(s.signed_at),
            })
            .collect(),
        witnesses: c.witnesses.into_iter().map(witness_out).collect(),
        update_time: time_out(c.updated_at),
        etag: etag(c.version),
    }
}

fn witness_out(w: Witness) -> pb::Witness {
    pb::Witness {
        person_name: w.person_name,
        title: w.title,
        unit: w.unit.map(|u| u.to_string()).unwrap_or_default(),
    }
}

/// Reads a signature; the sign time defaults to `now`.
pub fn signature_in(s: Option<pb::Signature>, now: Timestamp) -> Result<Signature, Error> {
    let pb::Signature {
        unit,
        signatory_name,
        signatory_title,
        sign_time,
    } = s.unwrap_or_default();
    let mut v = Violations::default();
    let unit = v.check(unit_name("signature.unit", &unit));
    let signatory_name = v.check(thidua_domain::text::required_name(
        "signature.signatory_name",
        &signatory_name,
        200,
    ));
    let signatory_title = v.check(thidua_domain::text::optional_text(
        "signature.signatory_title",
        &signatory_title,
        200,
    ));
    match (unit, signatory_name, signatory_title) {
        (Some(unit), Some(signatory_name), Some(signatory_title)) if v.is_empty() => {
            Ok(Signature {
                unit,
                signatory_name: thidua_domain::text::normalize(&signatory_name),
                signatory_title: thidua_domain::text::normalize(&signatory_title),
                signed_at: time_in(sign_time.as_ref()).unwrap_or(now),
            })
        }
        _ => Err(Error::Invalid(v.into_inner())),
    }
}

/// Reads a witness.
pub fn witness_in(w: Option<pb::Witness>) -> Result<Witness, Error> {
    let pb::Witness {
        person_name,
        title,
        unit,
    } = w.unwrap_or_default();
    let mut v = Violations::default();
    let person_name = v.check(thidua_domain::text::required_name(
        "witness.person_name",
        &person_name,
        200,
    ));
    let title = v.check(thidua_domain::text::optional_text(
        "witness.title",
        &title,
        200,
    ));
    let unit = v.check(optional_unit_name("witness.unit", &unit));
    match (person_name, title, unit) {
        (Some(person_name), Some(title), Some(unit)) if v.is_empty() => Ok(Witness {
            person_name,
            title: thidua_domain::text::normalize(&title),
            unit,
        }),
        _ => Err(Error::Invalid(v.into_inner())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = Timestamp(1_651_107_600_123_456);
        assert_eq!(time_in(time_out(t).as_ref()), Some(t));
        assert_eq!(etag_in("etag", &etag(7)).ok(), Some(Some(7)));
        assert!(etag_in("etag", "W/x").is_err());
    }
}
