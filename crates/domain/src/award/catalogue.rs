//! The catalogue of titles and forms (danh hiệu thi đua, hình thức khen thưởng) that decisions
//! confer, with their stable codes, official names and rules as data. The law keeps the two
//! apart: a title recognises a year's emulation, a form (a certificate of merit, a
//! commendation) an achievement. The proposal kinds of a cluster map onto entries.
//!
//! The catalogue is versioned like criteria tables: version 1 is built in (the titles and
//! forms of the Law on Emulation and Commendation 2022); administrators store later versions,
//! each in force from a year, and a year's proposals and decisions use the version in force.

use std::sync::LazyLock;

use rust_decimal::Decimal;

use super::AwardKind;
use crate::error::{Error, Violations};

/// Who confers an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The Government or the Prime Minister.
    State,
    /// A ministry, central body or province.
    Province,
    /// A department or a commune-level People's Committee (giấy khen).
    Grassroots,
}

/// A title or a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Danh hiệu thi đua.
    Title,
    /// Hình thức khen thưởng.
    Form,
}

/// How many of an entry may be proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaLimit {
    /// A share in (0, 1] of the collectives in the scope that meet the entry's standard.
    Share(Decimal),
    /// A number per scope.
    Count(u32),
}

/// Over what a quota is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaScope {
    /// Within one term (a cluster's year).
    ClusterYear,
    /// Across every cluster the organiser (a province, a ministry) runs in the year.
    OrganiserYear,
}

/// An entry's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The limit.
    pub limit: QuotaLimit,
    /// Its scope.
    pub scope: QuotaScope,
}

impl Quota {
    /// The number allowed when `base` collectives of the scope meet the entry's standard.
    pub fn allowed(&self, base: usize) -> usize {
        match self.limit {
            QuotaLimit::Count(n) => usize::try_from(n).unwrap_or(usize::MAX),
            QuotaLimit::Share(share) => usize::try_from(
                (Decimal::from(base) * share)
                    .floor()
                    .mantissa()
                    .clamp(0, i128::from(u32::MAX)),
            )
            .unwrap_or(0)
            .min(base),
        }
    }
}

/// A condition a unit must meet to be proposed for an entry (điều kiện, tiêu chuẩn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prerequisite {
    /// Holds the entry (by a decision not revoked) for the year of the proposal.
    HoldsThisYear(String),
    /// Holds the entry for each of the `years` years before the proposal's, itself or through
    /// the predecessors whose record it carries.
    HoldsPreviousYears {
        /// The entry's code.
        entry: String,
        /// How many years in a row.
        years: u32,
    },
    /// Classified at least at the term's level of this rank this year (1 is the best level).
    ClassifiedAtLeast(usize),
}

/// One entry of the catalogue; every entry concerns collectives (tập thể).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable code, e.g. `CTD_TINH`.
    pub code: String,
    /// The official Vietnamese name.
    pub name: String,
    /// Who confers it.
    pub level: Level,
    /// Title or form.
    pub kind: EntryKind,
    /// The cluster proposal kind it answers, if clusters propose it.
    pub proposed_as: Option<AwardKind>,
    /// Whether the cluster decides its proposal by secret ballot.
    pub secret_ballot: bool,
    /// How many may be proposed, and over what.
    pub quota: Option<Quota>,
    /// What a unit must meet to be proposed.
    pub prerequisites: Vec<Prerequisite>,
}

/// One version of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    /// The version, from 1 (built in).
    pub version: u32,
    /// The first emulation year it applies to.
    pub from_year: i32,
    /// Why it was made (the act that changed the titles, say).
    pub note: String,
    /// The entries, in the order of the law's hierarchy.
    pub entries: Vec<Entry>,
}

/// The built-in version's first year: earlier than any year the system records.
pub const BUILTIN_FROM_YEAR: i32 = 2000;

fn builtin_entry(
    code: &str,
    name: &str,
    level: Level,
    kind: EntryKind,
    proposed_as: Option<AwardKind>,
    quota: Option<Quota>,
    classified: Option<usize>,
) -> Entry {
    Entry {
        code: code.to_owned(),
        name: name.to_owned(),
        level,
        kind,
        proposed_as,
        // Clusters vote on flags and the Prime Minister's certificate in secret; the rest by
        // show of hands.
        secret_ballot: matches!(code, "CTD_CP" | "BK_TTG" | "CTD_TINH"),
        quota,
        prerequisites: classified
            .map(Prerequisite::ClassifiedAtLeast)
            .into_iter()
            .collect(),
    }
}

static BUILTIN: LazyLock<Catalogue> = LazyLock::new(|| {
    use {EntryKind::*, Level::*};
    Catalogue {
        version: 1,
        from_year: BUILTIN_FROM_YEAR,
        note: "Luật Thi đua, khen thưởng 2022; Nghị định 98/2023/NĐ-CP".to_owned(),
        entries: vec![
            builtin_entry(
                "CTD_CP",
                "Cờ thi đua của Chính phủ",
                State,
                Title,
                Some(AwardKind::GovernmentFlag),
                Some(Quota {
                    limit: QuotaLimit::Share(Decimal::new(20, 2)),
                    scope: QuotaScope::OrganiserYear,
                }),
                Some(1),
            ),
            builtin_entry(
                "BK_TTG",
                "Bằng khen của Thủ tướng Chính phủ",
                State,
                Form,
                None,
                None,
                None,
            ),
            builtin_entry(
                "CTD_TINH",
                "Cờ thi đua của Ủy ban nhân dân tỉnh",
                Province,
                Title,
                Some(AwardKind::ProvincialFlag),
                None,
                Some(1),
            ),
            builtin_entry(
                "BK_UBND_TINH",
                "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                Province,
                Form,
                Some(AwardKind::CertificateOfMerit),
                None,
                Some(2),
            ),
            builtin_entry(
                "TTLDXS",
                "Tập thể lao động xuất sắc",
                Province,
                Title,
                None,
                None,
                Some(1),
            ),
            builtin_entry(
                "TTLDTT",
                "Tập thể lao động tiên tiến",
                Grassroots,
                Title,
                None,
                None,
                Some(2),
            ),
            builtin_entry(
                "GK",
                "Giấy khen",
                Grassroots,
                Form,
                Some(AwardKind::CertificateOfCommendation),
                None,
                None,
            ),
        ],
    }
});

impl Catalogue {
    /// The built-in version 1.
    pub fn builtin() -> &'static Catalogue {
        &BUILTIN
    }

    /// The entry with `code`, if any.
    pub fn entry(&self, code: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// The entry a proposal of `kind` asks for, if this version has one.
    pub fn for_kind(&self, kind: AwardKind) -> Option<&Entry> {
        self.entries.iter().find(|e| e.proposed_as == Some(kind))
    }

    /// The official name of `code`, or the code itself when this version does not know it.
    pub fn name_of<'a>(&'a self, code: &'a str) -> &'a str {
        self.entry(code).map_or(code, |e| e.name.as_str())
    }

    /// Checks a version as an administrator wrote it: codes unique and well formed, names
    /// given, one entry per proposal kind, quotas in range, prerequisites naming entries of
    /// this version and levels from 1, and a first year after the versions before it.
    pub fn check(&self, previous_from_year: i32) -> Result<(), Error> {
        let mut v = Violations::default();
        if self.from_year <= previous_from_year || !(2000..=2100).contains(&self.from_year) {
            v.add(
                "catalogue.from_year",
                crate::words!(
                    "catalogue-year-order",
                    year = self.from_year,
                    previous = previous_from_year
                ),
            );
        }
        if self.entries.is_empty() {
            v.add("catalogue.entries", crate::words!("catalogue-empty"));
        }
        for (i, e) in self.entries.iter().enumerate() {
            let field = format!("catalogue.entries[{i}]");
            if !is_code(&e.code) {
                v.add(
                    format!("{field}.code"),
                    crate::words!("entry-code-form", code = crate::text::quote(&e.code)),
                );
            }
            if self.entries[..i].iter().any(|o| o.code == e.code) {
                v.add(
                    format!("{field}.code"),
                    crate::words!("entry-code-twice", code = e.code),
                );
            }
            if e.name.trim().is_empty() {
                v.add(format!("{field}.name"), crate::words!("entry-name-missing"));
            }
            if let Some(kind) = e.proposed_as
                && self.entries[..i]
                    .iter()
                    .any(|o| o.proposed_as == Some(kind))
            {
                v.add(
                    format!("{field}.proposed_as"),
                    crate::words!("entry-kind-taken", kind => kind.words()),
                );
            }
            match e.quota.map(|q| q.limit) {
                Some(QuotaLimit::Share(s)) if s <= Decimal::ZERO || s > Decimal::ONE => v.add(
                    format!("{field}.quota"),
                    crate::words!("quota-share-range", share = s),
                ),
                Some(QuotaLimit::Count(0)) => {
                    v.add(format!("{field}.quota"), crate::words!("quota-count-zero"))
                }
                _ => {}
            }
            for (j, p) in e.prerequisites.iter().enumerate() {
                let field = format!("{field}.prerequisites[{j}]");
                match p {
                    Prerequisite::HoldsThisYear(code)
                    | Prerequisite::HoldsPreviousYears { entry: code, .. }
                        if self.entry(code).is_none() =>
                    {
                        v.add(
                            field,
                            crate::words!("prerequisite-unknown", code = crate::text::quote(code)),
                        );
                    }
                    Prerequisite::HoldsThisYear(code) if *code == e.code => {
                        v.add(field, crate::words!("prerequisite-itself"));
                    }
                    Prerequisite::HoldsPreviousYears { years, .. } if !(1..=20).contains(years) => {
                        v.add(
                            field,
                            crate::words!("prerequisite-years-range", years = years),
                        );
                    }
                    Prerequisite::ClassifiedAtLeast(0) => {
                        v.add(field, crate::words!("prerequisite-level-zero"));
                    }
                    _ => {}
                }
            }
        }
        v.finish(())
    }
}

/// A catalogue code: capital ASCII letters, digits and `_`, at most 32.
pub fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Every version: the built-in one and those stored, oldest first.
#[derive(Debug, Clone)]
pub struct Catalogues {
    stored: Vec<Catalogue>,
}

impl Catalogues {
    /// The built-in version followed by the stored ones (in version order).
    pub fn new(mut stored: Vec<Catalogue>) -> Self {
        stored.sort_by_key(|c| c.version);
        Self { stored }
    }

    /// Every version, oldest first.
    pub fn all(&self) -> impl Iterator<Item = &Catalogue> {
        std::iter::once(Catalogue::builtin()).chain(&self.stored)
    }

    /// The latest version.
    pub fn latest(&self) -> &Catalogue {
        self.stored.last().unwrap_or(Catalogue::builtin())
    }

    /// The version in force for an emulation year: the latest whose first year is not after it.
    pub fn in_force(&self, year: i32) -> &Catalogue {
        self.stored
            .iter()
            .rev()
            .find(|c| c.from_year <= year)
            .unwrap_or(Catalogue::builtin())
    }

    /// The version numbered `version`.
    pub fn version(&self, version: u32) -> Option<&Catalogue> {
        self.all().find(|c| c.version == version)
    }

    /// Whether any version has an entry `code` (a criterion may bind to it).
    pub fn knows(&self, code: &str) -> bool {
        self.all().any(|c| c.entry(code).is_some())
    }
}

impl Default for Catalogues {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proposal_kind_has_its_own_entry_and_the_builtin_version_is_valid() {
        let c = Catalogue::builtin();
        for kind in AwardKind::ALL {
            assert_eq!(
                c.for_kind(kind).and_then(|e| e.proposed_as),
                Some(kind),
                "{kind:?}"
            );
        }
        assert!(c.check(BUILTIN_FROM_YEAR - 1).is_ok());
        assert_eq!(
            c.entry("CTD_TINH").map(|e| e.name.as_str()),
            Some("Cờ thi đua của Ủy ban nhân dân tỉnh")
        );
        assert!(c.entry("CTD_HUYEN").is_none());
    }

    #[test]
    fn a_share_outside_0_1_an_unknown_prerequisite_and_a_repeated_code_are_refused() {
        let mut c = Catalogue::builtin().clone();
        c.version = 2;
        c.from_year = 2024;
        c.entries[0].quota = Some(Quota {
            limit: QuotaLimit::Share(Decimal::new(12, 1)),
            scope: QuotaScope::OrganiserYear,
        });
        c.entries[2]
            .prerequisites
            .push(Prerequisite::HoldsPreviousYears {
                entry: "CTD_HUYEN".into(),
                years: 2,
            });
        c.entries[3].code = "CTD_TINH".into();
        let Err(Error::Invalid(found)) = c.check(2000) else {
            panic!("three faults");
        };
        let fields: Vec<&str> = found.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "catalogue.entries[0].quota",
                "catalogue.entries[2].prerequisites[1]",
                "catalogue.entries[3].code",
            ]
        );
        c.from_year = 2000;
        assert!(c.check(2023).is_err(), "not after the version in force");
    }

    #[test]
    fn the_version_in_force_is_the_latest_begun() {
        let later = |version, from_year| Catalogue {
            version,
            from_year,
            ..Catalogue::builtin().clone()
        };
        let all = Catalogues::new(vec![later(3, 2026), later(2, 2024)]);
        assert_eq!(all.in_force(2023).version, 1);
        assert_eq!(all.in_force(2024).version, 2);
        assert_eq!(all.in_force(2030).version, 3);
        assert_eq!(all.latest().version, 3);
        assert!(all.knows("GK"));
    }

    #[test]
    fn a_share_quota_floors_and_never_exceeds_its_base() {
        let share = Quota {
            limit: QuotaLimit::Share(Decimal::new(20, 2)),
            scope: QuotaScope::OrganiserYear,
        };
        assert_eq!(share.allowed(4), 0);
        assert_eq!(share.allowed(5), 1);
        assert_eq!(share.allowed(14), 2);
        let count = Quota {
            limit: QuotaLimit::Count(3),
            scope: QuotaScope::ClusterYear,
        };
        assert_eq!(count.allowed(0), 3);
    }
}
