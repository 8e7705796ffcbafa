//! The catalogue as a sheet an administrator edits: one row per entry, columns
//! `code,name,level,kind,proposed_as,secret_ballot,quota,quota_scope,prerequisites`. The rules
//! are written as short words: a quota `share:0.2` or `count:1` with its scope `cluster_year`
//! or `organiser_year`; prerequisites separated by `;`, each `classified:1` (at least the
//! term's best level; 2 the second), `holds:CODE` (this year) or `holds_previous:CODE:N` (each
//! of the N years before).

use std::str::FromStr;

use rust_decimal::Decimal;

use super::{
    AwardKind,
    catalogue::{Catalogue, Entry, EntryKind, Level, Prerequisite, Quota, QuotaLimit, QuotaScope},
};
use crate::{
    error::{Error, FieldViolation},
    import::{cell, column},
    words::Words,
};

/// The columns, in order.
pub const COLUMNS: [&str; 9] = [
    "code",
    "name",
    "level",
    "kind",
    "proposed_as",
    "secret_ballot",
    "quota",
    "quota_scope",
    "prerequisites",
];

impl Level {
    /// Stored and written form.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::State => "state",
            Level::Province => "province",
            Level::Grassroots => "grassroots",
        }
    }
}

impl FromStr for Level {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        [Level::State, Level::Province, Level::Grassroots]
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or(())
    }
}

impl EntryKind {
    /// Stored and written form.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Title => "title",
            EntryKind::Form => "form",
        }
    }
}

impl FromStr for EntryKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        [EntryKind::Title, EntryKind::Form]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

impl QuotaScope {
    /// Stored and written form.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotaScope::ClusterYear => "cluster_year",
            QuotaScope::OrganiserYear => "organiser_year",
        }
    }
}

impl FromStr for QuotaScope {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        [QuotaScope::ClusterYear, QuotaScope::OrganiserYear]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(())
    }
}

impl QuotaLimit {
    /// Written form: `share:0.2` or `count:1`.
    pub fn text(self) -> String {
        match self {
            QuotaLimit::Share(s) => format!("share:{s}"),
            QuotaLimit::Count(n) => format!("count:{n}"),
        }
    }

    /// Reads the written form.
    pub fn parse(s: &str) -> Result<Self, Words> {
        match s.split_once(':').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("share", v)) => Decimal::from_str(v)
                .map(QuotaLimit::Share)
                .map_err(|_| crate::words!("sheet-not-a-share", value = v)),
            Some(("count", v)) => v
                .parse()
                .map(QuotaLimit::Count)
                .map_err(|_| crate::words!("sheet-not-a-count", value = v)),
            _ => Err(crate::words!(
                "sheet-quota-form",
                value = crate::text::quote(s)
            )),
        }
    }
}

impl Prerequisite {
    /// Written form.
    pub fn text(&self) -> String {
        match self {
            Prerequisite::HoldsThisYear(code) => format!("holds:{code}"),
            Prerequisite::HoldsPreviousYears { entry, years } => {
                format!("holds_previous:{entry}:{years}")
            }
            Prerequisite::ClassifiedAtLeast(level) => format!("classified:{level}"),
        }
    }

    /// Reads the written form.
    pub fn parse(s: &str) -> Result<Self, Words> {
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        let number = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| crate::words!("sheet-not-a-number", value = crate::text::quote(v)))
        };
        match parts.as_slice() {
            ["holds", code] => Ok(Prerequisite::HoldsThisYear((*code).to_owned())),
            ["holds_previous", code, n] => Ok(Prerequisite::HoldsPreviousYears {
                entry: (*code).to_owned(),
                years: number(n)?,
            }),
            ["classified", n] => Ok(Prerequisite::ClassifiedAtLeast(number(n)? as usize)),
            _ => Err(crate::words!(
                "sheet-prerequisite-form",
                value = crate::text::quote(s)
            )),
        }
    }
}

/// The rows of a version, under [`COLUMNS`].
pub fn rows(catalogue: &Catalogue) -> Vec<Vec<String>> {
    catalogue
        .entries
        .iter()
        .map(|e| {
            vec![
                e.code.clone(),
                e.name.clone(),
                e.level.as_str().to_owned(),
                e.kind.as_str().to_owned(),
                e.proposed_as
                    .map_or_else(String::new, |k| k.as_str().to_owned()),
                if e.secret_ballot { "yes" } else { "no" }.to_owned(),
                e.quota.map_or_else(String::new, |q| q.limit.text()),
                e.quota
                    .map_or_else(String::new, |q| q.scope.as_str().to_owned()),
                e.prerequisites
                    .iter()
                    .map(Prerequisite::text)
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect()
}

/// Reads a sheet (header, then (line, cells)) into the entries of a new version; every bad
/// cell is named by column and line. The version's own checks ([`Catalogue::check`]) come
/// after.
pub fn read(header: &[String], lines: &[(u32, Vec<String>)]) -> Result<Vec<Entry>, Error> {
    let cols = COLUMNS.map(|c| column(header, c));
    if cols.iter().any(Option::is_none) {
        return Err(Error::invalid(
            "content",
            crate::words!("units-header", columns = COLUMNS.join(",")),
        ));
    }
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for (line, cells) in lines {
        let at = |name: &str| {
            cell(
                cells,
                cols[COLUMNS.iter().position(|c| *c == name).unwrap_or(0)],
            )
        };
        let mut bad = |column: &str, what: Words| {
            errors.push(FieldViolation::new(
                format!("rows.{column}"),
                crate::words!("at-line", line = line, what => what),
            ));
        };
        let level = at("level").parse::<Level>();
        if level.is_err() {
            bad("level", crate::words!("sheet-level-form"));
        }
        let kind = at("kind").parse::<EntryKind>();
        if kind.is_err() {
            bad("kind", crate::words!("sheet-kind-form"));
        }
        let proposed = at("proposed_as");
        let proposed_as = if proposed.is_empty() {
            None
        } else {
            let k = proposed.parse::<AwardKind>().ok();
            if k.is_none() {
                bad(
                    "proposed_as",
                    crate::words!(
                        "sheet-proposal-kind",
                        value = crate::text::quote(&proposed),
                        known = AwardKind::ALL.map(AwardKind::as_str).join(", ")
                    ),
                );
            }
            k
        };
        let secret_ballot = match at("secret_ballot").to_lowercase().as_str() {
            "yes" | "có" | "true" => true,
            "no" | "không" | "false" | "" => false,
            other => {
                bad(
                    "secret_ballot",
                    crate::words!("not-yes-or-no", value = crate::text::quote(other)),
                );
                false
            }
        };
        let (limit, scope) = (at("quota"), at("quota_scope"));
        let quota = match (limit.is_empty(), scope.is_empty()) {
            (true, true) => None,
            (false, false) => {
                let limit = QuotaLimit::parse(&limit).map_err(|e| bad("quota", e)).ok();
                let scope = scope.parse::<QuotaScope>().ok();
                if scope.is_none() {
                    bad("quota_scope", crate::words!("sheet-scope-form"));
                }
                limit
                    .zip(scope)
                    .map(|(limit, scope)| Quota { limit, scope })
            }
            (true, false) => {
                bad("quota", crate::words!("sheet-scope-without-quota"));
                None
            }
            (false, true) => {
                bad("quota_scope", crate::words!("sheet-quota-without-scope"));
                None
            }
        };
        let mut prerequisites = Vec::new();
        for p in at("prerequisites")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match Prerequisite::parse(p) {
                Ok(p) => prerequisites.push(p),
                Err(e) => bad("prerequisites", e),
            }
        }
        if let (Ok(level), Ok(kind)) = (level, kind) {
            entries.push(Entry {
                code: at("code"),
                name: crate::text::normalize(&at("name")),
                level,
                kind,
                proposed_as,
                secret_ballot,
                quota,
                prerequisites,
            });
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(Error::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(catalogue: &Catalogue) -> (Vec<String>, Vec<(u32, Vec<String>)>) {
        (
            COLUMNS.map(str::to_owned).to_vec(),
            rows(catalogue)
                .into_iter()
                .zip(2..)
                .map(|(r, line)| (line, r))
                .collect(),
        )
    }

    #[test]
    fn the_builtin_version_reads_back_from_its_own_sheet() {
        let builtin = Catalogue::builtin();
        let (header, lines) = sheet(builtin);
        assert_eq!(
            read(&header, &lines).unwrap_or_else(|e| panic!("{e}")),
            builtin.entries
        );
    }

    #[test]
    fn bad_cells_are_named_by_column_and_line() {
        let (header, mut lines) = sheet(Catalogue::builtin());
        lines[0].1[6] = "share:1/5".into();
        lines[1].1[8] = "holds_previous:TTLDXS".into();
        lines[2].1[2] = "huyện".into();
        let Err(Error::Invalid(found)) = read(&header, &lines) else {
            panic!("three bad cells");
        };
        let said: Vec<String> = found
            .iter()
            .map(|v| format!("{}: {}", v.field, v.description))
            .collect();
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(said[0].starts_with("rows.quota: line 2"), "{said:?}");
        assert!(
            said[1].starts_with("rows.prerequisites: line 3"),
            "{said:?}"
        );
        assert!(said[2].starts_with("rows.level: line 4"), "{said:?}");
    }
}
