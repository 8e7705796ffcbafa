//! Successor organisers (đơn vị kế thừa): when the unit that organises a cluster ceases — the
//! 2025 reform abolished every district and merged the provinces — another unit takes the
//! cluster over, with all its terms. Each transfer is recorded with its date and act; past
//! terms keep the organiser they had, and the organiser of a year is the one in office on the
//! year's first day.

use crate::{
    cluster::Cluster,
    error::{Error, Reason, Violations},
    names::TermName,
    term::Period,
    time::{Date, Timestamp},
    unit::{Level, Unit, UnitRef},
    words,
};

/// A recorded transfer of a cluster to a successor organiser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganiserTransfer {
    /// The cluster.
    pub cluster_id: String,
    /// The organiser that ceased or handed over.
    pub from: UnitRef,
    /// The successor.
    pub to: UnitRef,
    /// The day the successor took over.
    pub date: Date,
    /// The act that decided it.
    pub legal_act: String,
    /// When recorded.
    pub recorded_at: Timestamp,
}

/// Whether units of this level organise clusters: provinces, districts and organisations do;
/// communes and wards are members.
pub fn organises_clusters(unit: &Unit) -> bool {
    unit.kind.level() != Level::Commune
}

/// Checks a transfer of `cluster` to `to` (as stored, `None` when it does not exist) on `date`,
/// after the cluster's last term (`last`). Every violation found is reported.
pub fn check_transfer(
    cluster: &Cluster,
    to_ref: &UnitRef,
    to: Option<&Unit>,
    date: Date,
    legal_act: &str,
    last: Option<(&TermName, Period)>,
) -> Result<(), Error> {
    let mut v = Violations::default();
    if legal_act.trim().is_empty() {
        v.add("legal_act", words!("transfer-act-missing"));
    }
    match to {
        None => v.add("to", words!("unit-does-not-exist", unit = to_ref)),
        Some(unit) => {
            if unit.id == cluster.organiser {
                v.add(
                    "to",
                    words!(
                        "already-organises",
                        unit = to_ref,
                        cluster = cluster.resource()
                    ),
                );
            }
            if !organises_clusters(unit) {
                v.add(
                    "to",
                    words!(
                        "cannot-organise",
                        unit = to_ref,
                        name = unit.name,
                        kind = unit.kind.as_str()
                    ),
                );
            }
            if !unit.validity.contains(date) {
                v.add(
                    "date",
                    words!(
                        "unit-absent-on",
                        unit = to_ref,
                        name = unit.name,
                        date => date.words()
                    ),
                );
            }
        }
    }
    if let Some((term, period)) = last
        && date < period.start
    {
        v.add(
            "date",
            words!(
                "transfer-before-last-term",
                date => date.words(),
                term = term,
                start => period.start.words()
            ),
        );
    }
    v.finish(())
}

/// The organiser of `cluster` for a term of `period`: the one in office on its first day, by
/// the cluster's `transfers` (oldest first).
pub fn organiser_for<'a>(
    cluster: &'a Cluster,
    transfers: &'a [OrganiserTransfer],
    period: Period,
) -> &'a UnitRef {
    let mut organiser = transfers.first().map_or(&cluster.organiser, |t| &t.from);
    for t in transfers.iter().filter(|t| t.date <= period.start) {
        organiser = &t.to;
    }
    organiser
}

/// Checks that `organiser` existed during a term of `cluster` in `period`. When it did not,
/// the refusal (FAILED_PRECONDITION `ORGANISER_NOT_VALID`) names the recorded successor
/// (`recorded`), or says to record one and offers the successor the lineage suggests
/// (`suggested`).
pub fn check_organiser(
    cluster: &Cluster,
    organiser: &Unit,
    period: Period,
    recorded: Option<&OrganiserTransfer>,
    suggested: Option<&Unit>,
) -> Result<(), Error> {
    if period.admits(&organiser.validity) {
        return Ok(());
    }
    let year = period.start.year();
    let gone = match organiser.validity.to {
        Some(d) if d <= period.start => words!("ceased-on", date => d.words()),
        _ => words!("absent-in-year", year = year),
    };
    let next = match (recorded, suggested) {
        (Some(t), _) => words!("took-over-on", unit = t.to, date => t.date.words()),
        (None, Some(s)) => words!("record-successor-suggested", unit = s.id, name = s.name),
        (None, None) => words!("record-successor"),
    };
    Err(Error::Preconditions {
        reason: Reason::OrganiserNotValid,
        description: words!(
            "organiser-not-valid",
            year = year,
            organiser = organiser.id,
            name = organiser.name,
            gone => gone,
            next => next
        ),
        violations: vec![(
            cluster.resource(),
            words!("organiser-absent", organiser = organiser.id, year = year),
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        cluster::ClusterKind,
        fixtures::{stored_unit, unit},
        unit::{Scheme, UnitKind},
    };

    fn date(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn city_cluster() -> Cluster {
        Cluster {
            id: "bac-kan-city".into(),
            name: "Cụm thi đua các xã, phường thành phố Bắc Kạn".into(),
            kind: ClusterKind::Territorial,
            organiser: unit("058"),
            description: String::new(),
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            version: 1,
        }
    }

    fn thai_nguyen() -> Unit {
        let (_, mut u) = stored_unit(
            UnitRef::new(Scheme::Qd19_2025, "19"),
            "Thái Nguyên",
            Some(date("2025-07-01")),
            None,
        );
        u.kind = UnitKind::Province;
        u
    }

    fn city() -> Unit {
        let (_, mut u) = stored_unit(unit("058"), "Bắc Kạn", None, Some(date("2025-07-01")));
        u.kind = UnitKind::ProvincialCity;
        u
    }

    fn year(y: i32) -> Period {
        Period::of_year(y, None, None).unwrap_or_else(|e| panic!("{e}"))
    }

    fn transfer() -> OrganiserTransfer {
        OrganiserTransfer {
            cluster_id: "bac-kan-city".into(),
            from: unit("058"),
            to: thai_nguyen().id,
            date: date("2025-07-01"),
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            recorded_at: Timestamp(0),
        }
    }

    fn fields(r: Result<(), Error>) -> Vec<String> {
        match r {
            Err(Error::Invalid(v)) => v.into_iter().map(|v| v.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_city_hands_its_cluster_to_thai_nguyen() {
        let c = city_cluster();
        let tn = thai_nguyen();
        let act = "Nghị quyết 1683/NQ-UBTVQH15";
        let last = TermName::new("bac-kan-city", 2022);
        let ok = check_transfer(
            &c,
            &tn.id,
            Some(&tn),
            date("2025-07-01"),
            act,
            Some((&last, year(2022))),
        );
        assert!(ok.is_ok(), "{ok:?}");
        assert_eq!(
            fields(check_transfer(
                &c,
                &tn.id,
                Some(&tn),
                date("2025-06-30"),
                "",
                None
            )),
            ["legal_act", "date"],
            "no act, and Thái Nguyên (2025) did not exist before 1 July"
        );
        assert_eq!(
            fields(check_transfer(
                &c,
                &tn.id,
                Some(&tn),
                date("2021-07-01"),
                act,
                Some((&last, year(2022)))
            )),
            ["date", "date"],
            "before the last term, and before Thái Nguyên existed"
        );
        let (_, ward) = stored_unit(
            UnitRef::new(Scheme::Qd19_2025, "01843"),
            "Bắc Kạn",
            Some(date("2025-07-01")),
            None,
        );
        assert_eq!(
            fields(check_transfer(
                &c,
                &ward.id,
                Some(&ward),
                date("2025-07-01"),
                act,
                None
            )),
            ["to"],
            "a ward does not organise clusters"
        );
        assert_eq!(
            fields(check_transfer(
                &c,
                &unit("058"),
                Some(&city()),
                date("2025-01-01"),
                act,
                None
            )),
            ["to"],
            "already the organiser"
        );
        assert_eq!(
            fields(check_transfer(
                &c,
                &tn.id,
                None,
                date("2025-07-01"),
                act,
                None
            )),
            ["to"]
        );
    }

    #[test]
    fn a_year_s_organiser_is_the_one_in_office_on_its_first_day() {
        let mut c = city_cluster();
        assert_eq!(organiser_for(&c, &[], year(2026)), &unit("058"));
        c.organiser = thai_nguyen().id;
        let t = [transfer()];
        assert_eq!(organiser_for(&c, &t, year(2022)), &unit("058"));
        assert_eq!(
            organiser_for(&c, &t, year(2025)),
            &unit("058"),
            "1 January 2025"
        );
        assert_eq!(organiser_for(&c, &t, year(2026)), &thai_nguyen().id);
    }

    #[test]
    fn no_term_in_a_year_the_organiser_did_not_exist_and_the_refusal_says_what_to_do() {
        let c = city_cluster();
        assert!(check_organiser(&c, &city(), year(2025), None, None).is_ok());
        let refused = check_organiser(&c, &city(), year(2026), None, Some(&thai_nguyen()));
        match refused {
            Err(e @ Error::Preconditions { .. }) => {
                assert_eq!(e.reason(), Reason::OrganiserNotValid);
                let text = e.to_string();
                assert!(text.contains("units/qd19-2025~19 (Thái Nguyên)"), "{text}");
                assert!(text.contains("ceased on 2025-07-01"), "{text}");
                assert!(text.chars().count() < 200, "fits a status line: {text}");
            }
            other => panic!("{other:?}"),
        }
        let named = check_organiser(&c, &city(), year(2026), Some(&transfer()), None);
        assert!(
            named.is_err_and(|e| e
                .to_string()
                .contains("units/qd19-2025~19 took over on 2025-07-01")),
            "names the recorded successor"
        );
    }
}
