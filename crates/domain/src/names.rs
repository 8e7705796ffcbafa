//! Resource names of the contract (tên tài nguyên), one type and one parser each: what a
//! request names is read here, and what a response names is written here, so the two cannot
//! drift apart. Units are named by [`UnitRef`] (`units/{scheme}~{code}`).

use std::fmt;

use crate::{error::FieldViolation, unit::UnitRef};

/// `clusters/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterName {
    /// The cluster's id.
    pub cluster_id: String,
}

/// `clusters/{id}/terms/{year}`: one cluster's year (nhiệm kỳ thi đua).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TermName {
    /// The cluster's id.
    pub cluster_id: String,
    /// The year.
    pub year: i32,
}

/// `clusters/{id}/terms/{year}/covenant`: a term's covenant (giao ước thi đua).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CovenantName {
    /// The term.
    pub term: TermName,
}

/// `criteriaTables/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableName {
    /// The table's id.
    pub table_id: String,
}

/// `criteriaTables/{id}/versions/{n}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionName {
    /// The table's id.
    pub table_id: String,
    /// The version number, from 1.
    pub number: i32,
}

/// `awards/{id}`: an award proposal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AwardName {
    /// The award's id.
    pub award_id: String,
}

/// One path segment: not empty, no `/`.
fn segment(s: &str) -> Option<&str> {
    (!s.is_empty() && !s.contains('/')).then_some(s)
}

/// The refusal of `name` in `field`: not `what` (a name of some collection) of the form
/// `pattern`.
pub fn refused(
    field: &str,
    name: &str,
    what: crate::words::Words,
    pattern: &str,
) -> FieldViolation {
    FieldViolation::new(
        field,
        crate::words!("name-form", name = name, what => what, pattern = pattern),
    )
}

impl ClusterName {
    /// Parses `clusters/{id}`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        name.strip_prefix("clusters/")
            .and_then(segment)
            .map(|id| ClusterName {
                cluster_id: id.to_owned(),
            })
            .ok_or_else(|| refused(field, name, crate::words!("name-cluster"), "clusters/{id}"))
    }
}

impl TermName {
    /// The name of `cluster_id`'s term of `year`.
    pub fn new(cluster_id: &str, year: i32) -> Self {
        TermName {
            cluster_id: cluster_id.to_owned(),
            year,
        }
    }

    /// Parses `clusters/{id}/terms/{year}`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        name.strip_prefix("clusters/")
            .and_then(|rest| rest.split_once("/terms/"))
            .and_then(|(id, year)| Some((segment(id)?, year.parse().ok()?)))
            .map(|(id, year)| TermName::new(id, year))
            .ok_or_else(|| {
                refused(
                    field,
                    name,
                    crate::words!("name-term"),
                    "clusters/{id}/terms/{year}",
                )
            })
    }
}

impl CovenantName {
    /// Parses `clusters/{id}/terms/{year}/covenant`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        name.strip_suffix("/covenant")
            .and_then(|term| TermName::parse(field, term).ok())
            .map(|term| CovenantName { term })
            .ok_or_else(|| {
                refused(
                    field,
                    name,
                    crate::words!("name-covenant"),
                    "clusters/{id}/terms/{year}/covenant",
                )
            })
    }
}

impl TableName {
    /// Parses `criteriaTables/{id}`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        name.strip_prefix("criteriaTables/")
            .and_then(segment)
            .map(|id| TableName {
                table_id: id.to_owned(),
            })
            .ok_or_else(|| {
                refused(
                    field,
                    name,
                    crate::words!("name-table"),
                    "criteriaTables/{id}",
                )
            })
    }

    /// The table `name` belongs to: the table itself, or the table of a version.
    pub fn of_table_or_version(field: &str, name: &str) -> Result<Self, FieldViolation> {
        TableName::parse(field, name)
            .or_else(|_| {
                VersionName::parse(field, name).map(|v| TableName {
                    table_id: v.table_id,
                })
            })
            .map_err(|_| {
                refused(
                    field,
                    name,
                    crate::words!("name-table"),
                    "criteriaTables/{id}",
                )
            })
    }
}

impl VersionName {
    /// The name of version `number` of `table_id`.
    pub fn new(table_id: &str, number: i32) -> Self {
        VersionName {
            table_id: table_id.to_owned(),
            number,
        }
    }

    /// Parses `criteriaTables/{id}/versions/{n}`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        name.strip_prefix("criteriaTables/")
            .and_then(|rest| rest.split_once("/versions/"))
            .and_then(|(id, n)| Some((segment(id)?, n.parse().ok()?)))
            .map(|(id, n)| VersionName::new(id, n))
            .ok_or_else(|| {
                refused(
                    field,
                    name,
                    crate::words!("name-version"),
                    "criteriaTables/{id}/versions/{n}",
                )
            })
    }
}

impl AwardName {
    /// Parses `awards/{id}`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        name.strip_prefix("awards/")
            .and_then(segment)
            .map(|id| AwardName {
                award_id: id.to_owned(),
            })
            .ok_or_else(|| refused(field, name, crate::words!("name-award"), "awards/{id}"))
    }
}

impl UnitRef {
    /// Parses `units/{scheme}~{code}`.
    pub fn parse_name(field: &str, name: &str) -> Result<Self, FieldViolation> {
        let key = name.strip_prefix("units/").ok_or_else(|| {
            refused(
                field,
                name,
                crate::words!("name-unit"),
                "units/{scheme}~{code}",
            )
        })?;
        UnitRef::parse_key(field, key)
    }
}

impl fmt::Display for ClusterName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "clusters/{}", self.cluster_id)
    }
}

impl fmt::Display for TermName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "clusters/{}/terms/{}", self.cluster_id, self.year)
    }
}

impl fmt::Display for CovenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/covenant", self.term)
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "criteriaTables/{}", self.table_id)
    }
}

impl fmt::Display for VersionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "criteriaTables/{}/versions/{}",
            self.table_id, self.number
        )
    }
}

impl fmt::Display for AwardName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "awards/{}", self.award_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_reads_back_what_it_writes() {
        let term = TermName::new("bac-kan-city", 2022);
        assert_eq!(term.to_string(), "clusters/bac-kan-city/terms/2022");
        assert_eq!(TermName::parse("term", &term.to_string()), Ok(term.clone()));
        let covenant = CovenantName { term };
        assert_eq!(
            CovenantName::parse("name", &covenant.to_string()),
            Ok(covenant)
        );
        let version = VersionName::new("bac-kan-2022", 3);
        assert_eq!(
            VersionName::parse("v", &version.to_string()),
            Ok(version.clone())
        );
        assert_eq!(
            TableName::of_table_or_version("t", &version.to_string()),
            Ok(TableName {
                table_id: "bac-kan-2022".into()
            })
        );
        let award = AwardName {
            award_id: "0193a5".into(),
        };
        assert_eq!(AwardName::parse("award", "awards/0193a5"), Ok(award));
        let cluster = ClusterName::parse("name", "clusters/cum-phong-quang");
        assert_eq!(
            cluster.map(|c| c.to_string()).as_deref(),
            Ok("clusters/cum-phong-quang")
        );
        let unit = UnitRef::parse_name("unit", "units/qd19-2025~01843");
        assert_eq!(
            unit.map(|u| u.to_string()).as_deref(),
            Ok("units/qd19-2025~01843")
        );
    }

    #[test]
    fn malformed_names_are_refused_naming_the_pattern() {
        for bad in [
            "clusters/",
            "clusters/a/b/terms/2022",
            "clusters/bac-kan-city/terms/năm",
            "bac-kan-city/terms/2022",
        ] {
            let refused = TermName::parse("term", bad);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|v| v.field == "term" && v.description.contains("clusters/{id}")),
                "{bad}: {refused:?}"
            );
        }
        assert!(AwardName::parse("award", "awards/a/b").is_err());
        assert!(AwardName::parse("award", "awards/").is_err());
        assert!(VersionName::parse("v", "criteriaTables/x/versions/").is_err());
        assert!(ClusterName::parse("c", "clusters/a/terms/2022").is_err());
        assert!(UnitRef::parse_name("u", "qd19-2025~01843").is_err());
        assert!(CovenantName::parse("n", "clusters/a/terms/2022").is_err());
    }
}
