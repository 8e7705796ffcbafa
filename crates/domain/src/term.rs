//! Terms (năm thi đua của cụm): a cluster in one year, with its members in rotation order and
//! its leadership (trưởng cụm, phó cụm).

use std::{collections::HashSet, str::FromStr};

use crate::{
    covenant::CovenantStatus,
    error::{Error, FieldViolation, Reason, Violations},
    time::{Date, Timestamp, Validity},
    unit::UnitRef,
    words,
    words::Words,
};

/// First and last emulation years accepted.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Checks an emulation year.
pub fn check_year(field: &str, year: i32) -> Result<i32, FieldViolation> {
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(FieldViolation::new(
            field,
            words!(
                "year-outside",
                year = year,
                first = YEARS.start(),
                last = YEARS.end()
            ),
        ))
    }
}

/// The days a term covers, inclusive; both within its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl Period {
    /// The period of a term of `year`, defaulting to the whole calendar year.
    pub fn of_year(year: i32, start: Option<Date>, end: Option<Date>) -> Result<Self, Error> {
        let mut v = Violations::default();
        let (Some(first), Some(last)) = (Date::first_of_year(year), Date::last_of_year(year))
        else {
            return Err(Error::invalid(
                "term.year",
                words!("not-a-year", year = year),
            ));
        };
        let start = start.unwrap_or(first);
        let end = end.unwrap_or(last);
        if start.year() != year {
            v.add(
                "term.start_date",
                words!("date-not-in-year", date => start.words(), year = year),
            );
        }
        if end.year() != year {
            v.add(
                "term.end_date",
                words!("date-not-in-year", date => end.words(), year = year),
            );
        }
        if end < start {
            v.add(
                "term.end_date",
                words!("end-before-start", end => end.words(), start => start.words()),
            );
        }
        v.finish(Self { start, end })
    }

    /// True when a unit with this validity existed on some day of the period.
    pub fn admits(&self, validity: &Validity) -> bool {
        validity.overlaps(self.start, self.end)
    }
}

/// How a leader or deputy was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadershipMethod {
    /// Elected at the previous year's summary.
    Elected,
    /// Rotated in the recorded order.
    Rotated,
    /// Appointed by the organiser.
    Appointed,
}

impl LeadershipMethod {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadershipMethod::Elected => "elected",
            LeadershipMethod::Rotated => "rotated",
            LeadershipMethod::Appointed => "appointed",
        }
    }
}

impl FromStr for LeadershipMethod {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "elected" => Ok(LeadershipMethod::Elected),
            "rotated" => Ok(LeadershipMethod::Rotated),
            "appointed" => Ok(LeadershipMethod::Appointed),
            _ => Err(()),
        }
    }
}

/// One leadership record: who leads, who deputises, how and by which act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leadership {
    /// Trưởng cụm, if chosen.
    pub leader: Option<UnitRef>,
    /// Phó cụm.
    pub deputies: Vec<UnitRef>,
    /// How they were chosen.
    pub method: LeadershipMethod,
    /// The deciding act.
    pub deciding_act: String,
    /// Date of the act.
    pub decided_on: Option<Date>,
    /// When recorded.
    pub recorded_at: Timestamp,
}

/// A member of a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The unit.
    pub unit: UnitRef,
    /// The unit's name, for display.
    pub name: String,
    /// Rotation position, from 1.
    pub position: i32,
}

/// A term as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The cluster's id.
    pub cluster_id: String,
    /// The year.
    pub year: i32,
    /// The unit that organised the cluster in this year (the cluster's organiser then: a
    /// transfer to a successor does not rewrite past terms).
    pub organiser: UnitRef,
    /// Its days.
    pub period: Period,
    /// Members in rotation order.
    pub members: Vec<Member>,
    /// Leadership records, oldest first; the last is current.
    pub leadership_history: Vec<Leadership>,
    /// The covenant's status.
    pub covenant_status: CovenantStatus,
    /// The bound criteria table version (table id, version number), if any.
    pub table: Option<(String, i32)>,
    /// The stage of the year.
    pub stage: crate::stage::Stage,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Version, the etag.
    pub version: i64,
}

impl Term {
    /// The term's name.
    pub fn name(&self) -> crate::names::TermName {
        crate::names::TermName::new(&self.cluster_id, self.year)
    }

    /// The resource name, `clusters/{id}/terms/{year}`.
    pub fn resource(&self) -> String {
        self.name().to_string()
    }

    /// The current leadership, if any was recorded.
    pub fn leadership(&self) -> Option<&Leadership> {
        self.leadership_history.last()
    }

    /// True when `unit` is a member.
    pub fn has_member(&self, unit: &UnitRef) -> bool {
        self.members.iter().any(|m| &m.unit == unit)
    }

    /// Why `unit` cannot act in this term, if it is not a member: the one wording of that rule.
    pub fn not_a_member(&self, unit: &UnitRef) -> Option<Words> {
        (!self.has_member(unit))
            .then(|| words!("not-a-member", unit = unit, term = self.resource()))
    }

    /// The criteria table bound to this term, loaded by the caller (`None` when the term has
    /// none): refused with `NO_TABLE` when there is none.
    pub fn with_table<T>(&self, loaded: Option<T>) -> Result<T, Error> {
        loaded.ok_or_else(|| {
            Error::precondition(
                Reason::NoTable,
                self.resource(),
                words!("term-no-table", term = self.resource()),
            )
        })
    }

    /// Checks that `unit` may join: membership is still open and it is not a member already.
    /// (Whether it exists in the term's period and sits in no other term is checked against
    /// the stored units and terms.)
    pub fn check_joining(&self, unit: &UnitRef) -> Result<(), Error> {
        self.ensure_membership_open()?;
        if self.has_member(unit) {
            return Err(Error::AlreadyExists {
                resource: unit.to_string(),
                reason: Reason::AlreadyExists,
                description: words!("already-a-member", unit = unit, term = self.resource()),
            });
        }
        Ok(())
    }

    /// Checks that `unit` may leave: membership is still open, it is a member, and it holds no
    /// office (a leader or deputy must be replaced first).
    pub fn check_leaving(&self, unit: &UnitRef) -> Result<(), Error> {
        self.ensure_membership_open()?;
        self.require_member_state(unit, false)?;
        if let Some(l) = self.leadership()
            && (l.leader.as_ref() == Some(unit) || l.deputies.contains(unit))
        {
            return Err(Error::precondition(
                Reason::MemberHasOffice,
                unit.to_string(),
                words!("member-has-office", unit = unit, term = self.resource()),
            ));
        }
        Ok(())
    }

    /// Checks that `unit` may sign the covenant: only members sign.
    pub fn check_signatory(&self, unit: &UnitRef) -> Result<(), Error> {
        self.require_member_state(unit, true)
    }

    /// Refuses, as a state that blocks the call (`NOT_A_MEMBER`), a unit that is not a member
    /// (saying that it cannot sign, when `signing`).
    fn require_member_state(&self, unit: &UnitRef, signing: bool) -> Result<(), Error> {
        match self.not_a_member(unit) {
            Some(why) => Err(Error::precondition(
                Reason::NotAMember,
                unit.to_string(),
                if signing {
                    words!(
                        "not-a-member-cannot-sign",
                        unit = unit,
                        term = self.resource()
                    )
                } else {
                    why
                },
            )),
            None => Ok(()),
        }
    }

    /// Refuses, as bad input in `field`, a unit that is not a member.
    pub fn require_member(&self, field: &str, unit: &UnitRef) -> Result<(), Error> {
        match self.not_a_member(unit) {
            Some(why) => Err(Error::invalid(field, why)),
            None => Ok(()),
        }
    }

    /// The member a file names: by `scheme~code` (or `units/scheme~code`), or by its bare code
    /// when no other member shares that code. `Err` says why not, for the file's line.
    pub fn find_member(&self, written: &str) -> Result<&UnitRef, Words> {
        let wanted = written.trim().trim_start_matches("units/");
        // Compared in place, without writing each member's key: an import asks this for every
        // row.
        let scheme_and_code = wanted.split_once('~');
        let mut found = self
            .members
            .iter()
            .map(|m| &m.unit)
            .filter(|u| match scheme_and_code {
                Some((scheme, code)) => u.code == code && u.scheme.as_str() == scheme,
                None => u.code == wanted,
            });
        match (found.next(), found.next()) {
            (Some(unit), None) => Ok(unit),
            (None, _) => Err(words!(
                "not-a-member",
                unit = written.trim(),
                term = self.resource()
            )),
            (Some(_), Some(_)) => Err(words!("names-several-members", written = written.trim())),
        }
    }

    /// The member a cell names, as [`Term::find_member`]; when the cell is a code that a
    /// spreadsheet turned into a number (`1843` for `01843`: Excel drops leading zeros), the
    /// one member whose code it is once zero-padded, with a warning saying so.
    pub fn find_member_padded(&self, written: &str) -> Result<(&UnitRef, Option<Words>), Words> {
        let found = self.find_member(written);
        let digits = written.trim();
        if found.is_ok() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return found.map(|u| (u, None));
        }
        let mut padded =
            self.members.iter().map(|m| &m.unit).filter(|u| {
                u.code.len() > digits.len() && u.code.trim_start_matches('0') == digits
            });
        match (padded.next(), padded.next()) {
            (Some(unit), None) => Ok((
                unit,
                Some(words!(
                    "code-zero-padded",
                    written = digits,
                    code = unit.code
                )),
            )),
            _ => found.map(|u| (u, None)),
        }
    }

    /// Refuses changes to membership once anyone signed the covenant: the members signed for
    /// one another, so the list they signed must not change under them.
    pub fn ensure_membership_open(&self) -> Result<(), Error> {
        self.ensure_unsigned(words!("frozen-membership"))
    }

    /// Refuses a change to `what` (membership, the table, targets) once the covenant has a
    /// signature: what was signed is frozen.
    pub fn ensure_unsigned(&self, what: Words) -> Result<(), Error> {
        if self.covenant_status == CovenantStatus::Draft {
            Ok(())
        } else {
            Err(Error::precondition(
                Reason::CovenantSigned,
                self.resource(),
                if self.covenant_status == CovenantStatus::Signed {
                    words!("covenant-frozen-signed", term = self.resource(), what => what)
                } else {
                    words!("covenant-frozen-partly", term = self.resource(), what => what)
                },
            ))
        }
    }
}

/// Checks a member list: at least one member, no unit twice.
pub fn check_members(field: &str, members: &[UnitRef]) -> Result<(), Error> {
    let mut v = Violations::default();
    if members.is_empty() {
        v.add(field, words!("term-no-members"));
    }
    let mut seen = HashSet::new();
    for (i, m) in members.iter().enumerate() {
        if !seen.insert(m) {
            v.add(format!("{field}[{i}]"), words!("listed-twice", unit = m));
        }
    }
    v.finish(())
}

/// Checks a leadership against the members: leader and deputies must be members, deputies
/// distinct and other than the leader, and the method and deciding act given.
pub fn check_leadership(term: &Term, leadership: &Leadership) -> Result<(), Error> {
    let mut v = Violations::default();
    if let Some(leader) = &leadership.leader
        && !term.has_member(leader)
    {
        v.add(
            "leadership.leader",
            words!("not-a-member", unit = leader, term = term.resource()),
        );
    }
    let mut seen = HashSet::new();
    for (i, d) in leadership.deputies.iter().enumerate() {
        let field = format!("leadership.deputies[{i}]");
        if !term.has_member(d) {
            v.add(
                field,
                words!("not-a-member", unit = d, term = term.resource()),
            );
        } else if leadership.leader.as_ref() == Some(d) {
            v.add(field, words!("deputy-is-leader", unit = d));
        } else if !seen.insert(d) {
            v.add(field, words!("listed-twice", unit = d));
        }
    }
    if leadership.leader.is_none() && !leadership.deputies.is_empty() {
        v.add("leadership.leader", words!("deputies-without-leader"));
    }
    if leadership.deciding_act.trim().is_empty() {
        v.add("leadership.deciding_act", words!("deciding-act-missing"));
    }
    v.finish(())
}

/// The leader of the next year in rotation: the member after `current` in rotation order,
/// among those carried forward, wrapping around. `None` when there was no leader or nobody is
/// carried forward.
pub fn next_in_rotation(
    members: &[Member],
    current: Option<&UnitRef>,
    carried: &[UnitRef],
) -> Option<UnitRef> {
    let current = current?;
    let start = members.iter().position(|m| &m.unit == current)?;
    (1..=members.len())
        .map(|step| &members[(start + step) % members.len()].unit)
        .find(|u| carried.contains(u))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fixtures::{term, unit},
        unit::Scheme,
    };

    fn leadership(leader: &str, deputies: &[&str]) -> Leadership {
        Leadership {
            leader: Some(unit(leader)),
            deputies: deputies.iter().map(|d| unit(d)).collect(),
            method: LeadershipMethod::Elected,
            deciding_act: "Biên bản hội nghị tổng kết 2021".into(),
            decided_on: None,
            recorded_at: Timestamp(0),
        }
    }

    #[test]
    fn years_outside_2000_2100_are_refused() {
        assert!(check_year("year", 1999).is_err());
        assert!(check_year("year", 2101).is_err());
        assert!(check_year("year", 2000).is_ok());
        assert!(check_year("year", 2100).is_ok());
    }

    #[test]
    fn periods_stay_in_their_year() {
        let d = |s: &str| s.parse::<Date>().ok();
        assert!(Period::of_year(2022, d("2022-04-28"), None).is_ok());
        assert!(Period::of_year(2022, d("2021-12-31"), None).is_err());
        assert!(Period::of_year(2022, d("2022-06-01"), d("2022-05-01")).is_err());
    }

    #[test]
    fn leader_and_deputies_must_be_members() {
        let t = term(&["01843", "01840", "01852"]);
        assert!(check_leadership(&t, &leadership("01843", &["01840"])).is_ok());
        assert!(check_leadership(&t, &leadership("01855", &[])).is_err());
        assert!(check_leadership(&t, &leadership("01843", &["01849"])).is_err());
        assert!(check_leadership(&t, &leadership("01843", &["01843"])).is_err());
        assert!(check_leadership(&t, &leadership("01843", &["01840", "01840"])).is_err());
        let mut no_act = leadership("01843", &[]);
        no_act.deciding_act = " ".into();
        assert!(check_leadership(&t, &no_act).is_err());
    }

    #[test]
    fn a_file_names_a_member_by_code_unless_the_code_is_shared() {
        let mut t = term(&["01843", "01840"]);
        assert_eq!(t.find_member("01843"), Ok(&unit("01843")));
        assert_eq!(
            t.find_member(" units/qd124-2004~01840 "),
            Ok(&unit("01840"))
        );
        assert!(
            t.find_member("01855")
                .is_err_and(|e| e.contains("not a member"))
        );
        // After the reform the same digits name another unit: a bare code is ambiguous.
        t.members.push(Member {
            unit: UnitRef::new(Scheme::Qd19_2025, "01843"),
            name: "Bắc Kạn".into(),
            position: 3,
        });
        assert!(t.find_member("01843").is_err_and(|e| e.contains("several")));
        assert_eq!(
            t.find_member("qd19-2025~01843"),
            Ok(&UnitRef::new(Scheme::Qd19_2025, "01843"))
        );
        assert!(t.require_member("unit", &unit("01855")).is_err());
        assert!(t.require_member("unit", &unit("01840")).is_ok());
    }

    #[test]
    fn members_join_once_leave_without_office_and_only_members_sign() {
        let mut t = term(&["01843", "01840"]);
        t.leadership_history.push(leadership("01843", &["01840"]));
        assert!(t.check_joining(&unit("01852")).is_ok());
        assert!(matches!(
            t.check_joining(&unit("01843")),
            Err(Error::AlreadyExists { .. })
        ));
        assert_eq!(
            t.check_leaving(&unit("01840")).map_err(|e| e.reason()),
            Err(Reason::MemberHasOffice)
        );
        assert_eq!(
            t.check_leaving(&unit("01852")).map_err(|e| e.reason()),
            Err(Reason::NotAMember)
        );
        assert_eq!(
            t.check_signatory(&unit("01852")).map_err(|e| e.reason()),
            Err(Reason::NotAMember)
        );
        assert!(t.check_signatory(&unit("01843")).is_ok());
        t.covenant_status = CovenantStatus::PartlySigned;
        assert_eq!(
            t.check_joining(&unit("01852")).map_err(|e| e.reason()),
            Err(Reason::CovenantSigned)
        );
    }

    #[test]
    fn members_are_listed_once() {
        assert!(check_members("m", &[unit("01843"), unit("01843")]).is_err());
        assert!(check_members("m", &[]).is_err());
        assert!(check_members("m", &[unit("01843"), unit("01840")]).is_ok());
    }

    #[test]
    fn membership_freezes_once_signed() {
        let mut t = term(&["01843"]);
        assert!(t.ensure_membership_open().is_ok());
        t.covenant_status = CovenantStatus::PartlySigned;
        assert!(matches!(
            t.ensure_membership_open(),
            Err(Error::FailedPrecondition {
                reason: Reason::CovenantSigned,
                ..
            })
        ));
    }

    #[test]
    fn rotation_moves_to_the_next_carried_member() {
        let t = term(&["01834", "01837", "01840"]);
        let all: Vec<_> = t.members.iter().map(|m| m.unit.clone()).collect();
        assert_eq!(
            next_in_rotation(&t.members, Some(&unit("01834")), &all),
            Some(unit("01837"))
        );
        assert_eq!(
            next_in_rotation(&t.members, Some(&unit("01840")), &all),
            Some(unit("01834"))
        );
        let without_next = [unit("01834"), unit("01840")];
        assert_eq!(
            next_in_rotation(&t.members, Some(&unit("01834")), &without_next),
            Some(unit("01840"))
        );
        assert_eq!(next_in_rotation(&t.members, None, &all), None);
    }
}
