//! Reading resource references and values typed by a user.

use thidua_domain::names::{AwardName, ClusterName, TableName, TermName};
use thidua_proto::v1 as pb;

use crate::failure::Failure;

/// A unit name from `units/S~C`, `S~C`, or a bare code in the default scheme.
pub fn unit(arg: &str, default_scheme: &str) -> String {
    let arg = arg.trim();
    if arg.starts_with("units/") {
        arg.to_owned()
    } else if arg.contains('~') {
        format!("units/{arg}")
    } else {
        format!("units/{default_scheme}~{arg}")
    }
}

/// The id in `arg`, which is either the id or the full name `{prefix}{id}`.
fn id<'a>(arg: &'a str, prefix: &str) -> &'a str {
    let arg = arg.trim();
    arg.strip_prefix(prefix).unwrap_or(arg)
}

/// A cluster name from `clusters/ID` or `ID`.
pub fn cluster(arg: &str) -> String {
    ClusterName {
        cluster_id: id(arg, "clusters/").to_owned(),
    }
    .to_string()
}

/// A term name from a cluster (`clusters/ID` or `ID`) and a year.
pub fn term(cluster_arg: &str, year: i32) -> String {
    TermName::new(id(cluster_arg, "clusters/"), year).to_string()
}

/// A criteria table name from `criteriaTables/ID` or `ID`.
pub fn table(arg: &str) -> String {
    TableName {
        table_id: id(arg, "criteriaTables/").to_owned(),
    }
    .to_string()
}

/// An award name from `awards/ID` or `ID`.
pub fn award(arg: &str) -> String {
    AwardName {
        award_id: id(arg, "awards/").to_owned(),
    }
    .to_string()
}

/// A date `YYYY-MM-DD`.
pub fn date(flag: &str, s: &str) -> Result<pb::Date, Failure> {
    let bad = || Failure::flag_value(flag, s, "YYYY-MM-DD");
    let mut it = s.split('-');
    let mut part = || {
        it.next()
            .and_then(|p| p.parse::<i32>().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (part()?, part()?, part()?);
    Ok(pb::Date { year, month, day })
}

/// An optional date.
pub fn opt_date(flag: &str, s: Option<&str>) -> Result<Option<pb::Date>, Failure> {
    s.map(|s| date(flag, s)).transpose()
}

/// A fresh request id, so a retried call has one effect.
pub fn request_id(given: Option<String>) -> String {
    given.unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}
