//! Who may do what (phân quyền): roles, scopes and the one policy table, deny by default.
//!
//! A principal is an API key's holder: an administrator, or a role scoped to one unit. The
//! server loads the facts of the resource a call touches (its cluster's organiser and that
//! unit's ancestors, the term's members and leader, the unit written for) and asks
//! [`decide`]. Nothing here reads a database: the decision is a pure function, so every cell of
//! the policy can be tested.

use std::fmt;

use sha2::{Digest, Sha256};

pub mod share;
mod table;

pub use table::{POLICY, rule};

use crate::{Error, FieldViolation, results::Layer, time::Timestamp};

/// A principal's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the installation: units, keys, audit; may do everything.
    Admin,
    /// Ban tổ chức: an organiser unit's officers, over the clusters that unit organises.
    Organiser,
    /// A member unit (xã, phường, sở): its own results and self-scores, read access to its own
    /// terms; as the term's leader unit (cụm trưởng), review scores of the other members.
    Reporter,
    /// Read-only, over the clusters organised within a unit's subtree (e.g. a province's
    /// integration).
    Observer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Organiser, Role::Reporter, Role::Observer];

    /// The stored and displayed form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organiser => "organiser",
            Role::Reporter => "reporter",
            Role::Observer => "observer",
        }
    }

    /// Parses the stored form.
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldViolation> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| FieldViolation::new(field, crate::words!("not-a-role", role = s)))
    }

    /// Whether keys of this role need a scope unit (every role but admin).
    pub fn is_scoped(self) -> bool {
        self != Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder of a valid API key, as the server resolved it for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The key's id (`keys/{id}` without the prefix); recorded in the audit log.
    pub key_id: String,
    /// The key's label, e.g. `UBND phường Phùng Chí Kiên — tích hợp`.
    pub label: String,
    /// The role.
    pub role: Role,
    /// The scope unit's key (`scheme~code`); `None` for administrators.
    pub scope: Option<String>,
}

impl Principal {
    /// How the audit log names the principal: `keys/{id}`.
    pub fn audit_name(&self) -> String {
        format!("keys/{}", self.key_id)
    }
}

/// An API key as stored: never the secret, only its digest (kept by storage) and its first
/// characters for recognition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Identity, a UUIDv7 (time-ordered).
    pub id: String,
    /// What the key is for, e.g. `Cổng tích hợp tỉnh Bắc Kạn`.
    pub label: String,
    /// The role.
    pub role: Role,
    /// The scope unit's key; `None` for administrators.
    pub scope: Option<String>,
    /// The first characters of the token, e.g. `thd_Zx81kQ2a`.
    pub display_prefix: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it: `keys/{id}` or `bootstrap`.
    pub created_by: String,
    /// After this instant the key is refused.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked; refused from then on.
    pub revoked_at: Option<Timestamp>,
}

impl ApiKey {
    /// Whether the key authenticates at `now`, or why not.
    pub fn check_usable(&self, now: Timestamp) -> Result<(), Error> {
        if self.revoked_at.is_some() {
            return Err(Error::Unauthenticated(crate::words!("key-revoked")));
        }
        if self.expires_at.is_some_and(|t| t <= now) {
            return Err(Error::Unauthenticated(crate::words!("key-expired")));
        }
        if self.role.is_scoped() && self.scope.is_none() {
            return Err(Error::Unauthenticated(crate::words!("key-without-scope")));
        }
        Ok(())
    }

    /// The principal the key stands for.
    pub fn principal(&self) -> Principal {
        Principal {
            key_id: self.id.clone(),
            label: self.label.clone(),
            role: self.role,
            scope: self.scope.clone(),
        }
    }
}

/// What a call needs of the caller. One per RPC, in [`POLICY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// Any authenticated caller: reference data (units, lineage, published criteria tables).
    Public,
    /// Administrators only: units, keys, the audit log.
    Admin,
    /// Any organiser: creating a criteria table, which then belongs to the organiser's unit.
    Author,
    /// The organiser of the cluster (or the owner of the criteria table) concerned.
    Manage,
    /// Read a cluster or term: its organiser, an observer above the organiser, or (for a
    /// term) a reporter of one of its members.
    Read,
    /// Write for one member: the member's reporter, or the organiser.
    Report,
    /// Record a score layer: self-scores as [`Need::Report`]; review scores by the term's
    /// leader unit for the other members, or the organiser; adjustments by the organiser.
    Score,
}

/// Whether a call changes anything. Changes are audited in their own transaction; so are
/// refusals of any call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads only.
    Read,
    /// Changes state.
    Write,
}

/// The facts of the resource a call touches, loaded by the server in the call's transaction.
/// Unit keys are `scheme~code`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The organiser unit of the cluster concerned, then its ancestors, nearest first; empty
    /// when the call concerns no cluster or the cluster does not exist.
    pub organiser_line: Vec<String>,
    /// For a term organised by another unit than the cluster's organiser today (before a
    /// transfer to a successor): that unit, then its ancestors. It may read the years it
    /// organised, and nothing more.
    pub former_organiser_line: Vec<String>,
    /// The term's members; empty when the call concerns no term.
    pub members: Vec<String>,
    /// The term's current leader unit.
    pub leader: Option<String>,
    /// The member a write is for (a result, a score, a signature).
    pub unit: Option<String>,
    /// The score layer written, for [`Need::Score`].
    pub layer: Option<Layer>,
}

/// Whether `principal` may make a call needing `need` on a resource with `facts`.
pub fn decide(principal: &Principal, need: Need, facts: &Facts) -> bool {
    if principal.role == Role::Admin {
        return true;
    }
    let Some(scope) = principal.scope.as_deref() else {
        return false;
    };
    let organises = principal.role == Role::Organiser
        && facts.organiser_line.first().map(String::as_str) == Some(scope);
    let is_member = |unit: &str| facts.members.iter().any(|m| m == unit);
    let reports_for_itself = principal.role == Role::Reporter
        && facts.unit.as_deref() == Some(scope)
        && is_member(scope);
    match need {
        Need::Public => true,
        Need::Admin => false,
        Need::Author => principal.role == Role::Organiser,
        Need::Manage => organises,
        Need::Read => {
            let organised = principal.role == Role::Organiser
                && facts.former_organiser_line.first().map(String::as_str) == Some(scope);
            let observes = principal.role == Role::Observer
                && facts
                    .organiser_line
                    .iter()
                    .chain(&facts.former_organiser_line)
                    .any(|u| u == scope);
            organises
                || organised
                || observes
                || (principal.role == Role::Reporter && is_member(scope))
        }
        Need::Report => organises || reports_for_itself,
        Need::Score => match facts.layer {
            Some(Layer::SelfScore) => organises || reports_for_itself,
            Some(Layer::Review) => {
                // The leader unit cross-checks the other members, never itself.
                let leads = principal.role == Role::Reporter
                    && facts.leader.as_deref() == Some(scope)
                    && is_member(scope);
                let other_member = facts
                    .unit
                    .as_deref()
                    .is_some_and(|u| u != scope && is_member(u));
                organises || (leads && other_member)
            }
            Some(Layer::Adjustment) => organises,
            None => false,
        },
    }
}

/// Prefix of every API key; lets secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "thd_";
/// Characters of an API key after the prefix: 32 random bytes, base64url without padding.
pub const TOKEN_SECRET_CHARS: usize = 43;
/// Characters of a key shown in listings (prefix and the first secret characters).
pub const DISPLAY_PREFIX_CHARS: usize = 12;

/// Checks the shape of a bearer token, so garbage never reaches the database.
pub fn check_token(token: &str) -> Result<(), Error> {
    let secret = token
        .strip_prefix(TOKEN_PREFIX)
        .ok_or_else(|| Error::Unauthenticated(crate::words!("key-malformed")))?;
    if secret.len() != TOKEN_SECRET_CHARS
        || !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::Unauthenticated(crate::words!("key-malformed")));
    }
    Ok(())
}

/// What is stored of a key: the SHA-256 of the whole token, hex. The secret has 256 bits of
/// entropy, so a fast hash is enough: there is nothing to brute-force.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The part of a key shown in listings.
pub fn display_prefix(token: &str) -> String {
    token.chars().take(DISPLAY_PREFIX_CHARS).collect()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    // A table instead of a formatter call per byte: every call hashes its key and request.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Checks a key request: every role but admin needs a scope unit, admin takes none, and an
/// expiry lies in the future of `now`. Every problem is reported.
pub fn check_key_request(
    role: Role,
    scope: Option<&crate::unit::UnitRef>,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), crate::Error> {
    let mut v = crate::error::Violations::default();
    match (scope, role.is_scoped()) {
        (None, true) => v.add(
            "api_key.scope",
            crate::words!("role-needs-scope", role = role),
        ),
        (Some(_), false) => v.add("api_key.scope", crate::words!("admin-without-scope")),
        _ => {}
    }
    if expires_at.is_some_and(|t| t <= now) {
        v.add("api_key.expire_time", crate::words!("expiry-in-past"));
    }
    v.finish(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored digests are lowercase hex of SHA-256: keys created before must still be found.
    #[test]
    fn digests_are_lowercase_hex_sha256() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(
            token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    fn who(role: Role, scope: &str) -> Principal {
        Principal {
            key_id: "k".into(),
            label: "test".into(),
            role,
            scope: Some(scope.into()),
        }
    }

    /// Term of the Bắc Kạn city cluster: organised by the city (06~058, in province 06~06),
    /// members Phùng Chí Kiên (leader) and Nông Thượng.
    fn term(unit: &str, layer: Option<Layer>) -> Facts {
        Facts {
            organiser_line: vec!["qd124-2004~058".into(), "qd124-2004~06".into()],
            members: vec!["qd124-2004~01843".into(), "qd124-2004~01849".into()],
            leader: Some("qd124-2004~01843".into()),
            unit: Some(unit.into()),
            layer,
            ..Facts::default()
        }
    }

    #[test]
    fn after_the_transfer_the_successor_manages_and_the_city_only_reads_its_years() {
        let thai_nguyen = who(Role::Organiser, "qd19-2025~19");
        let city = who(Role::Organiser, "qd124-2004~058");
        let old_province = who(Role::Observer, "qd124-2004~06");
        let now = vec!["qd19-2025~19".to_owned()];
        let term_2022 = Facts {
            organiser_line: now.clone(),
            former_organiser_line: vec!["qd124-2004~058".into(), "qd124-2004~06".into()],
            ..Facts::default()
        };
        let term_2026 = Facts {
            organiser_line: now.clone(),
            ..Facts::default()
        };
        let cluster = Facts {
            organiser_line: now,
            ..Facts::default()
        };
        for need in [Need::Read, Need::Manage, Need::Report] {
            assert!(decide(&thai_nguyen, need, &term_2022), "{need:?} 2022");
            assert!(decide(&thai_nguyen, need, &term_2026), "{need:?} 2026");
        }
        assert!(decide(&city, Need::Read, &term_2022));
        assert!(decide(&old_province, Need::Read, &term_2022));
        for need in [Need::Manage, Need::Report] {
            assert!(!decide(&city, need, &term_2022), "{need:?} 2022");
        }
        for facts in [&term_2026, &cluster] {
            assert!(!decide(&city, Need::Read, facts));
            assert!(!decide(&city, Need::Manage, facts));
            assert!(!decide(&old_province, Need::Read, facts));
        }
    }

    #[test]
    fn a_commune_cannot_raise_its_own_score_beyond_self_assessment() {
        let kien = who(Role::Reporter, "qd124-2004~01843");
        let own = term("qd124-2004~01843", Some(Layer::SelfScore));
        assert!(decide(&kien, Need::Score, &own));
        let own_review = term("qd124-2004~01843", Some(Layer::Review));
        assert!(
            !decide(&kien, Need::Score, &own_review),
            "leader reviews itself"
        );
        let own_adjust = term("qd124-2004~01843", Some(Layer::Adjustment));
        assert!(!decide(&kien, Need::Score, &own_adjust));
        let sibling_review = term("qd124-2004~01849", Some(Layer::Review));
        assert!(
            decide(&kien, Need::Score, &sibling_review),
            "leader reviews members"
        );
        let thuong = who(Role::Reporter, "qd124-2004~01849");
        let kien_review = term("qd124-2004~01843", Some(Layer::Review));
        assert!(
            !decide(&thuong, Need::Score, &kien_review),
            "not the leader"
        );
        assert!(!decide(
            &thuong,
            Need::Report,
            &term("qd124-2004~01843", None)
        ));
        assert!(decide(
            &thuong,
            Need::Report,
            &term("qd124-2004~01849", None)
        ));
    }

    #[test]
    fn organisers_manage_only_their_own_clusters_and_observers_only_read_below_them() {
        let city = who(Role::Organiser, "qd124-2004~058");
        let province = who(Role::Organiser, "qd124-2004~06");
        let watcher = who(Role::Observer, "qd124-2004~06");
        let facts = term("qd124-2004~01843", None);
        assert!(decide(&city, Need::Manage, &facts));
        assert!(
            !decide(&province, Need::Manage, &facts),
            "not the organiser"
        );
        assert!(decide(&watcher, Need::Read, &facts));
        assert!(!decide(&watcher, Need::Manage, &facts));
        assert!(!decide(&watcher, Need::Report, &facts));
        assert!(!decide(&city, Need::Admin, &facts));
        assert!(
            !decide(&city, Need::Manage, &Facts::default()),
            "unknown cluster"
        );
    }

    #[test]
    fn a_scoped_role_without_a_scope_is_refused_everything_but_public_reads() {
        let broken = Principal {
            key_id: "k".into(),
            label: "broken".into(),
            role: Role::Organiser,
            scope: None,
        };
        assert!(!decide(&broken, Need::Public, &Facts::default()));
        assert!(!decide(&broken, Need::Manage, &term("x", None)));
    }

    #[test]
    fn every_method_appears_once_in_the_policy() {
        let mut seen = std::collections::HashSet::new();
        for (method, _, _) in POLICY {
            assert!(seen.insert(*method), "{method} twice");
        }
        assert_eq!(rule("UnitService/Nope"), None);
    }

    #[test]
    fn tokens_are_checked_before_lookup() {
        let good = format!("{TOKEN_PREFIX}{}", "A".repeat(TOKEN_SECRET_CHARS));
        assert!(check_token(&good).is_ok());
        assert!(check_token("Bearer x").is_err());
        assert!(check_token(&format!("{TOKEN_PREFIX}short")).is_err());
        let bad_char = format!("{TOKEN_PREFIX}{}ạ", "A".repeat(TOKEN_SECRET_CHARS - 1));
        assert!(check_token(&bad_char).is_err());
        assert_eq!(display_prefix(&good), "thd_AAAAAAAA");
        assert_eq!(token_digest(&good).len(), 64);
    }

    #[test]
    fn a_key_request_matches_scope_to_role_and_expires_later() {
        let now = Timestamp(1_000);
        let bac_kan = crate::unit::UnitRef::new(crate::unit::Scheme::Qd124_2004, "06");
        assert!(
            check_key_request(Role::Observer, Some(&bac_kan), Some(Timestamp(2_000)), now).is_ok()
        );
        assert!(check_key_request(Role::Admin, None, None, now).is_ok());
        let Err(crate::Error::Invalid(v)) =
            check_key_request(Role::Reporter, None, Some(Timestamp(1_000)), now)
        else {
            panic!("a scoped role without a scope must be refused");
        };
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["api_key.scope", "api_key.expire_time"]);
        assert!(check_key_request(Role::Admin, Some(&bac_kan), None, now).is_err());
    }
}
