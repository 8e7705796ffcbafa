//! The covenant (giao ước thi đua) a term's members sign, with witnesses.

use crate::{time::Date, time::Timestamp, unit::UnitRef};

/// Longest covenant text accepted.
pub const MAX_TEXT_CHARS: usize = 100_000;

/// Status of a covenant, derived from its signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovenantStatus {
    /// Nobody has signed.
    Draft,
    /// Some members have signed.
    PartlySigned,
    /// Every member has signed.
    Signed,
}

impl CovenantStatus {
    /// The status of a covenant with `signed` signatures among `members` members.
    pub fn of(members: usize, signed: usize) -> Self {
        if signed == 0 {
            CovenantStatus::Draft
        } else if signed < members {
            CovenantStatus::PartlySigned
        } else {
            CovenantStatus::Signed
        }
    }

    /// Stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            CovenantStatus::Draft => "draft",
            CovenantStatus::PartlySigned => "partly_signed",
            CovenantStatus::Signed => "signed",
        }
    }
}

/// A member's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signing unit.
    pub unit: UnitRef,
    /// The person.
    pub signatory_name: String,
    /// The person's title.
    pub signatory_title: String,
    /// When.
    pub signed_at: Timestamp,
}

/// A witness of the signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// The person.
    pub person_name: String,
    /// The person's title.
    pub title: String,
    /// The person's unit, if recorded.
    pub unit: Option<UnitRef>,
}

/// The editable text of a covenant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CovenantText {
    /// Theme.
    pub theme: String,
    /// Body.
    pub text: String,
    /// Commitments in order.
    pub commitments: Vec<String>,
    /// Place of signing.
    pub place: String,
    /// Date of signing.
    pub signing_date: Option<Date>,
}

/// A covenant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covenant {
    /// The term's cluster.
    pub cluster_id: String,
    /// The term's year.
    pub year: i32,
    /// The text.
    pub text: CovenantText,
    /// Derived status.
    pub status: CovenantStatus,
    /// Signatures in signing order.
    pub signatures: Vec<Signature>,
    /// Witnesses in recording order.
    pub witnesses: Vec<Witness>,
    /// Last change.
    pub updated_at: Timestamp,
    /// Version, the etag.
    pub version: i64,
}

impl Covenant {
    /// The resource name.
    pub fn resource(&self) -> String {
        format!(
            "{}/covenant",
            crate::names::TermName::new(&self.cluster_id, self.year)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_signatures() {
        assert_eq!(CovenantStatus::of(8, 0), CovenantStatus::Draft);
        assert_eq!(CovenantStatus::of(8, 1), CovenantStatus::PartlySigned);
        assert_eq!(CovenantStatus::of(8, 7), CovenantStatus::PartlySigned);
        assert_eq!(CovenantStatus::of(8, 8), CovenantStatus::Signed);
    }
}
