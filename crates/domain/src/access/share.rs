//! Share links of a scoreboard (đường dẫn xem bảng xếp hạng): what the cluster projects at its
//! year-end meeting (hội nghị tổng kết). A link carries an unguessable token that opens the
//! live scoreboard page of one term and nothing else — it is never an API key — until it
//! expires or is revoked. Only the token's digest is stored, as for keys.

use std::fmt;

use crate::{Error, FieldViolation, names::TermName, time::Timestamp};

/// How every share token begins: told apart from an API key (`thd_`) at a glance.
pub const SHARE_TOKEN_PREFIX: &str = "ths_";

/// Shortest validity of a link: a minute.
pub const MIN_VALID_SECONDS: i64 = 60;

/// Longest validity of a link: 31 days. A meeting's link is for a meeting, not for a year.
pub const MAX_VALID_SECONDS: i64 = 31 * 24 * 3600;

/// Characters of the token after its prefix (32 random bytes, base64url).
const TOKEN_SECRET_CHARS: usize = 43;

/// `clusters/{id}/terms/{year}/shares/{share}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShareName {
    /// The term whose scoreboard it shows.
    pub term: TermName,
    /// The link's id.
    pub id: String,
}

impl ShareName {
    /// Parses `clusters/{id}/terms/{year}/shares/{share}`.
    pub fn parse(field: &str, name: &str) -> Result<Self, FieldViolation> {
        let refused = || {
            crate::names::refused(
                field,
                name,
                crate::words!("name-share"),
                "clusters/{id}/terms/{year}/shares/{id}",
            )
        };
        let (term, id) = name.rsplit_once("/shares/").ok_or_else(refused)?;
        if id.is_empty() || id.contains('/') {
            return Err(refused());
        }
        let term = TermName::parse(field, term).map_err(|_| refused())?;
        Ok(Self {
            term,
            id: id.to_owned(),
        })
    }
}

impl fmt::Display for ShareName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/shares/{}", self.term, self.id)
    }
}

/// A share link, without its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreboardShare {
    /// Its name (term and id).
    pub name: ShareName,
    /// What it is for, e.g. `Hội nghị tổng kết năm 2022`.
    pub label: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// Who made it (the audit name of the key).
    pub created_by: String,
    /// When it stops opening the page.
    pub expires_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

impl ScoreboardShare {
    /// Whether the link opens `term`'s scoreboard at `now`: the page says why not, never
    /// anything of the data.
    pub fn admits(&self, term: &TermName, now: Timestamp) -> Result<(), Error> {
        if &self.name.term != term {
            return Err(Error::Unauthenticated(crate::words!("link-other-board")));
        }
        if self.revoked_at.is_some() {
            return Err(Error::Unauthenticated(crate::words!("link-revoked")));
        }
        if self.expires_at <= now {
            return Err(Error::Unauthenticated(crate::words!("link-expired")));
        }
        Ok(())
    }
}

/// When a link asked for at `now`, valid for `seconds`, expires; refused outside a minute to
/// 31 days.
pub fn expiry(seconds: i64, now: Timestamp) -> Result<Timestamp, FieldViolation> {
    if !(MIN_VALID_SECONDS..=MAX_VALID_SECONDS).contains(&seconds) {
        return Err(FieldViolation::new(
            "valid_seconds",
            crate::words!(
                "link-validity-range",
                min = MIN_VALID_SECONDS,
                days = MAX_VALID_SECONDS / 86_400,
                asked = seconds
            ),
        ));
    }
    Ok(Timestamp(now.0 + seconds * 1_000_000))
}

/// Checks a share token's shape before it is looked up.
pub fn check_share_token(token: &str) -> Result<(), Error> {
    let well_formed = token.strip_prefix(SHARE_TOKEN_PREFIX).is_some_and(|s| {
        s.len() == TOKEN_SECRET_CHARS
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if well_formed {
        Ok(())
    } else {
        Err(Error::Unauthenticated(crate::words!("link-malformed")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(expires: i64, revoked: Option<i64>) -> ScoreboardShare {
        ScoreboardShare {
            name: ShareName {
                term: TermName::new("cum-1", 2022),
                id: "a1".into(),
            },
            label: "Hội nghị tổng kết năm 2022".into(),
            created_at: Timestamp(0),
            created_by: "keys/k".into(),
            expires_at: Timestamp(expires),
            revoked_at: revoked.map(Timestamp),
        }
    }

    #[test]
    fn a_link_opens_its_own_scoreboard_until_it_expires_or_is_revoked() {
        let term = TermName::new("cum-1", 2022);
        assert!(share(10, None).admits(&term, Timestamp(9)).is_ok());
        assert!(share(10, None).admits(&term, Timestamp(10)).is_err());
        assert!(share(10, Some(5)).admits(&term, Timestamp(9)).is_err());
        let other_year = TermName::new("cum-1", 2023);
        assert!(share(10, None).admits(&other_year, Timestamp(9)).is_err());
    }

    #[test]
    fn validity_is_a_minute_to_a_month() {
        let now = Timestamp(1_000_000);
        assert_eq!(
            expiry(86_400, now),
            Ok(Timestamp(1_000_000 + 86_400_000_000))
        );
        assert!(expiry(59, now).is_err());
        assert!(expiry(MAX_VALID_SECONDS + 1, now).is_err());
    }

    #[test]
    fn names_and_tokens_are_read_strictly() {
        let name = ShareName::parse("name", "clusters/cum-1/terms/2022/shares/a1");
        assert_eq!(
            name.as_ref().map(ToString::to_string).ok().as_deref(),
            Some("clusters/cum-1/terms/2022/shares/a1")
        );
        assert!(ShareName::parse("name", "clusters/cum-1/terms/2022/shares/").is_err());
        assert!(ShareName::parse("name", "clusters/cum-1/shares/a1").is_err());
        assert!(check_share_token(&format!("ths_{}", "A".repeat(43))).is_ok());
        assert!(check_share_token(&format!("thd_{}", "A".repeat(43))).is_err());
        assert!(check_share_token("ths_short").is_err());
    }
}
