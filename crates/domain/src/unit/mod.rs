//! Units (đơn vị): administrative units of an official coding scheme, and the non-territorial
//! units (departments, mass organisations) that are first-class cluster members.

use std::{fmt, str::FromStr};

use crate::{
    Error,
    error::{FieldViolation, Violations},
    text,
    time::{Date, Timestamp, Validity},
    words,
};

mod kind;

pub use kind::{Level, UnitKind};

/// Longest unit name accepted.
pub const MAX_NAME_CHARS: usize = 200;

/// A coding scheme (bảng mã). The same code can name different units in different schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// QĐ 124/2004/QĐ-TTg: province (2 digits) → district (3) → commune (5).
    Qd124_2004,
    /// QĐ 19/2025/QĐ-TTg, from 1 July 2025: province (2 digits) → commune (5).
    Qd19_2025,
    /// Codes given by the organiser to non-territorial units.
    Local,
}

impl Scheme {
    /// Every scheme, for error messages.
    pub const ALL: [Scheme; 3] = [Scheme::Qd124_2004, Scheme::Qd19_2025, Scheme::Local];

    /// The scheme's identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Qd124_2004 => "qd124-2004",
            Scheme::Qd19_2025 => "qd19-2025",
            Scheme::Local => "local",
        }
    }

    /// Parses a scheme, naming `field` and the known schemes on failure.
    pub fn parse_field(field: &str, s: &str) -> Result<Self, FieldViolation> {
        s.parse().map_err(|_| {
            let known: Vec<_> = Scheme::ALL.iter().map(|s| s.as_str()).collect();
            FieldViolation::new(
                field,
                words!("unknown-scheme", scheme = s, known = known.join(", ")),
            )
        })
    }

    /// Width of a code at `level` in this scheme, or `None` when the scheme has no such level.
    fn code_width(self, level: Level) -> Option<usize> {
        match (self, level) {
            (Scheme::Qd124_2004 | Scheme::Qd19_2025, Level::Province) => Some(2),
            (Scheme::Qd124_2004, Level::District) => Some(3),
            (Scheme::Qd124_2004 | Scheme::Qd19_2025, Level::Commune) => Some(5),
            _ => None,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Scheme::ALL.into_iter().find(|x| x.as_str() == s).ok_or(())
    }
}

/// A unit's identity: its scheme and its code in that scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitRef {
    /// The coding scheme.
    pub scheme: Scheme,
    /// The code.
    pub code: String,
}

impl UnitRef {
    /// A reference.
    pub fn new(scheme: Scheme, code: impl Into<String>) -> Self {
        Self {
            scheme,
            code: code.into(),
        }
    }

    /// The storage and resource key, `{scheme}~{code}`.
    pub fn key(&self) -> String {
        format!("{}~{}", self.scheme, self.code)
    }

    /// Parses a key `{scheme}~{code}`.
    pub fn parse_key(field: &str, key: &str) -> Result<Self, FieldViolation> {
        let (scheme, code) = key
            .split_once('~')
            .ok_or_else(|| FieldViolation::new(field, words!("unit-key-form", key = key)))?;
        let scheme = Scheme::parse_field(field, scheme)?;
        if code.is_empty() {
            return Err(FieldViolation::new(field, words!("code-empty")));
        }
        Ok(Self::new(scheme, code))
    }
}

impl fmt::Display for UnitRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "units/{}", self.key())
    }
}

/// A unit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Identity.
    pub id: UnitRef,
    /// NFC name without kind prefix.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Parent unit, if any.
    pub parent: Option<UnitRef>,
    /// When it existed.
    pub validity: Validity,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change time.
    pub updated_at: Timestamp,
    /// Version, the etag.
    pub version: i64,
}

impl Unit {
    /// The unit's content as a draft, to change and save again.
    pub fn to_draft(&self) -> UnitDraft {
        UnitDraft {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self.kind,
            parent: self.parent.clone(),
            validity: self.validity,
        }
    }
}

/// The fields of a unit an update changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct UnitPatch {
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<UnitKind>,
    /// New parent (or none).
    pub parent: Option<Option<UnitRef>>,
    /// New validity start.
    pub valid_from: Option<Option<Date>>,
    /// New validity end.
    pub valid_to: Option<Option<Date>>,
}

impl Unit {
    /// The unit as `patch` leaves it, when `etag` (if given) is its version: the code still
    /// fits the kind, the validity is a period, and the unit is not its own parent. Whether the
    /// parent exists and may hold it is the caller's to check against the store.
    pub fn patched(&self, etag: Option<i64>, patch: UnitPatch) -> Result<UnitDraft, Error> {
        if etag.is_some_and(|e| e != self.version) {
            return Err(Error::Aborted {
                resource: self.id.to_string(),
            });
        }
        let mut v = Violations::default();
        let kind = patch.kind.unwrap_or(self.kind);
        v.check(check_code("unit.kind", self.id.scheme, kind, &self.id.code));
        let validity = v.check(Validity::new(
            patch.valid_from.unwrap_or(self.validity.from),
            patch.valid_to.unwrap_or(self.validity.to),
            "unit.valid_to",
        ));
        let draft = UnitDraft {
            id: self.id.clone(),
            name: patch.name.unwrap_or_else(|| self.name.clone()),
            kind,
            parent: patch.parent.unwrap_or_else(|| self.parent.clone()),
            validity: validity.unwrap_or_default(),
        };
        if draft.parent.as_ref() == Some(&self.id) {
            v.add("unit.parent", words!("own-parent"));
        }
        v.finish(draft)
    }
}

/// The editable content of a unit, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDraft {
    /// Identity.
    pub id: UnitRef,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Parent.
    pub parent: Option<UnitRef>,
    /// Validity.
    pub validity: Validity,
}

impl UnitDraft {
    /// True when a stored unit already has exactly this content.
    pub fn same_as(&self, unit: &Unit) -> bool {
        self.id == unit.id
            && self.name == unit.name
            && self.kind == unit.kind
            && self.parent == unit.parent
            && self.validity == unit.validity
    }
}

/// The unit a request names in `field`, which must exist: `found` is what the store holds
/// under `reference`.
pub fn referenced(field: &str, reference: &UnitRef, found: Option<Unit>) -> Result<Unit, Error> {
    found.ok_or_else(|| Error::invalid(field, words!("unit-does-not-exist", unit = reference)))
}

/// Checks a code's shape for its scheme and kind (`field` names it in the violation).
pub fn check_code(
    field: &str,
    scheme: Scheme,
    kind: UnitKind,
    code: &str,
) -> Result<(), FieldViolation> {
    let level = kind.level();
    match (scheme, level) {
        (Scheme::Local, Level::Organisation) => {
            let ok = (1..=32).contains(&code.len())
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if ok {
                Ok(())
            } else {
                Err(FieldViolation::new(field, words!("local-code-form")))
            }
        }
        (Scheme::Local, _) => Err(FieldViolation::new(
            field,
            words!("territorial-needs-scheme", kind = kind.as_str()),
        )),
        (_, Level::Organisation) => Err(FieldViolation::new(
            field,
            words!("organisation-is-local", kind = kind.as_str()),
        )),
        (_, level) => match scheme.code_width(level) {
            Some(width) if code.len() == width && code.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(())
            }
            Some(width) => Err(FieldViolation::new(
                field,
                words!(
                    "code-width",
                    code = code,
                    width = width,
                    kind = kind.as_str(),
                    scheme = scheme
                ),
            )),
            None => Err(FieldViolation::new(
                field,
                words!("scheme-lacks-kind", scheme = scheme, kind = kind.as_str()),
            )),
        },
    }
}

/// Checks that `parent` (of kind `parent_kind`) may be the parent of a unit of `kind` in `scheme`.
pub fn check_parent(
    field: &str,
    scheme: Scheme,
    kind: UnitKind,
    parent: Option<(&UnitRef, UnitKind)>,
) -> Result<(), FieldViolation> {
    let expected = match (kind.level(), scheme) {
        (Level::Province, _) => None,
        (Level::District, _) => Some(Level::Province),
        (Level::Commune, Scheme::Qd124_2004) => Some(Level::District),
        (Level::Commune, _) => Some(Level::Province),
        (Level::Organisation, _) => return Ok(()),
    };
    match (expected, parent) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(FieldViolation::new(field, words!("province-no-parent"))),
        (Some(level), None) => Err(FieldViolation::new(
            field,
            words!("needs-parent", kind = kind.as_str(), level => level.words()),
        )),
        (Some(level), Some((p, pk))) => {
            if p.scheme != scheme {
                Err(FieldViolation::new(
                    field,
                    words!("parent-other-scheme", parent = p),
                ))
            } else if pk.level() != level {
                Err(FieldViolation::new(
                    field,
                    words!(
                        "parent-wrong-level",
                        parent = p,
                        parent_kind = pk.as_str(),
                        kind = kind.as_str(),
                        level => level.words()
                    ),
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// Validates the content of a unit other than its parent's existence (which needs storage).
pub fn validate_name(field: &str, name: &str) -> Result<String, FieldViolation> {
    text::required_name(field, name, MAX_NAME_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duc_xuan() -> Unit {
        Unit {
            id: UnitRef::new(Scheme::Qd124_2004, "01840"),
            name: "Đức Xuân".into(),
            kind: UnitKind::Ward,
            parent: Some(UnitRef::new(Scheme::Qd124_2004, "058")),
            validity: Validity::default(),
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
            version: 3,
        }
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_name_and_refuses_a_stale_etag_or_itself_as_parent() {
        let unit = duc_xuan();
        let renamed = unit
            .patched(
                Some(3),
                UnitPatch {
                    name: Some("Phường Đức Xuân".into()),
                    ..UnitPatch::default()
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(renamed.name, "Phường Đức Xuân");
        assert_eq!((renamed.kind, &renamed.parent), (unit.kind, &unit.parent));
        assert!(matches!(
            unit.patched(Some(2), UnitPatch::default()),
            Err(Error::Aborted { .. })
        ));
        let own_parent = UnitPatch {
            parent: Some(Some(unit.id.clone())),
            ..UnitPatch::default()
        };
        assert!(
            matches!(unit.patched(None, own_parent), Err(Error::Invalid(v)) if v[0].field == "unit.parent")
        );
        let wrong_kind = UnitPatch {
            kind: Some(UnitKind::Province),
            ..UnitPatch::default()
        };
        assert!(
            matches!(unit.patched(None, wrong_kind), Err(Error::Invalid(v)) if v[0].field == "unit.kind")
        );
    }

    #[test]
    fn a_referenced_unit_must_exist() {
        let unit = duc_xuan();
        let missing = referenced("cluster.organiser", &unit.id, None);
        assert!(matches!(missing, Err(Error::Invalid(v)) if v[0].field == "cluster.organiser"));
        let found = referenced("cluster.organiser", &unit.id, Some(unit.clone()));
        assert_eq!(found.ok(), Some(unit));
    }

    #[test]
    fn codes_have_the_width_of_their_level() {
        assert!(check_code("c", Scheme::Qd124_2004, UnitKind::Ward, "01843").is_ok());
        assert!(check_code("c", Scheme::Qd124_2004, UnitKind::Ward, "1843").is_err());
        assert!(check_code("c", Scheme::Qd124_2004, UnitKind::ProvincialCity, "058").is_ok());
        assert!(check_code("c", Scheme::Qd19_2025, UnitKind::ProvincialCity, "058").is_err());
        assert!(check_code("c", Scheme::Qd124_2004, UnitKind::Province, "6").is_err());
        assert!(check_code("c", Scheme::Local, UnitKind::Department, "so-noi-vu").is_ok());
        assert!(check_code("c", Scheme::Local, UnitKind::Ward, "01843").is_err());
        assert!(check_code("c", Scheme::Qd124_2004, UnitKind::Department, "x").is_err());
    }

    #[test]
    fn parents_follow_the_hierarchy() {
        let city = UnitRef::new(Scheme::Qd124_2004, "058");
        let province = UnitRef::new(Scheme::Qd124_2004, "06");
        let s = Scheme::Qd124_2004;
        assert!(
            check_parent(
                "p",
                s,
                UnitKind::Ward,
                Some((&city, UnitKind::ProvincialCity))
            )
            .is_ok()
        );
        assert!(
            check_parent(
                "p",
                s,
                UnitKind::Ward,
                Some((&province, UnitKind::Province))
            )
            .is_err()
        );
        assert!(check_parent("p", s, UnitKind::Ward, None).is_err());
        assert!(
            check_parent(
                "p",
                s,
                UnitKind::Province,
                Some((&province, UnitKind::Province))
            )
            .is_err()
        );
        let p2025 = UnitRef::new(Scheme::Qd19_2025, "19");
        assert!(
            check_parent(
                "p",
                Scheme::Qd19_2025,
                UnitKind::Ward,
                Some((&p2025, UnitKind::Province))
            )
            .is_ok()
        );
        assert!(
            check_parent(
                "p",
                Scheme::Qd19_2025,
                UnitKind::Ward,
                Some((&province, UnitKind::Province))
            )
            .is_err()
        );
        assert!(check_parent("p", Scheme::Local, UnitKind::Department, None).is_ok());
    }

    #[test]
    fn keys_round_trip() {
        let r = UnitRef::new(Scheme::Qd124_2004, "01843");
        assert_eq!(r.key(), "qd124-2004~01843");
        assert_eq!(UnitRef::parse_key("u", &r.key()).ok(), Some(r));
        assert!(UnitRef::parse_key("u", "xx~01843").is_err());
        assert!(UnitRef::parse_key("u", "qd124-2004").is_err());
    }
}
