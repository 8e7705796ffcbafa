//! Typed errors shared by every layer. The server maps them to gRPC statuses in one place.

use std::fmt;

use crate::words::Words;

/// One invalid input field: a path such as `rows[17].parent_code` and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// Path of the field in the request, AIP-style (`term.members[2].unit`).
    pub field: String,
    /// What is wrong, in a sentence a user can act on.
    pub description: Words,
}

impl FieldViolation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, description: impl Into<Words>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

impl fmt::Display for FieldViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.description)
    }
}

/// Machine-readable reasons, sent to clients as `ErrorInfo.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Input failed validation.
    InvalidArgument,
    /// The resource does not exist.
    NotFound,
    /// The resource already exists.
    AlreadyExists,
    /// The covenant has a signature: membership and text are frozen.
    CovenantSigned,
    /// The member has already signed the covenant.
    AlreadySigned,
    /// The cluster still has terms.
    ClusterHasTerms,
    /// The unit is in another term of the same kind, year and organiser.
    UnitInAnotherTerm,
    /// The unit did not exist during the term.
    UnitNotValidInTerm,
    /// The unit is not a member of the term.
    NotAMember,
    /// The member leads or deputises the term.
    MemberHasOffice,
    /// The etag sent is not the current one.
    StaleEtag,
    /// A request_id was reused with a different request.
    RequestIdReused,
    /// The term of the next year already exists.
    TermExists,
    /// A published table version cannot change.
    VersionPublished,
    /// Only a published table version can be applied.
    VersionNotPublished,
    /// The version cannot be published as it stands.
    VersionIncomplete,
    /// The term has no criteria table.
    NoTable,
    /// Members lack targets.
    TargetsMissing,
    /// The term is not in the stage the call needs.
    WrongStage,
    /// A tie no rule breaks blocks adoption.
    UnresolvedTie,
    /// The unit may not receive the award.
    NotEligible,
    /// The award kind's quota is used up.
    QuotaExceeded,
    /// A provincial flag goes to the top scorer unless an override is recorded.
    NotTopScorer,
    /// The proposal's dossier lacks documents.
    DossierIncomplete,
    /// The award is not in a state that allows the call.
    AwardState,
    /// The caller's credentials are missing, malformed, expired or revoked.
    Unauthenticated,
    /// The caller may not make this call on this resource.
    PermissionDenied,
    /// A limit was reached: message size, concurrency or the key's rate.
    ResourceExhausted,
    /// The caller gave up (cancelled or past its deadline); nothing was committed.
    Cancelled,
    /// The storage is unreachable.
    StorageUnavailable,
    /// An unexpected failure.
    Internal,
    /// The database's disk is full.
    StorageFull,
    /// The cluster's organiser did not exist in the term's year.
    OrganiserNotValid,
    /// The leader ceased to exist: a new one must be named.
    LeaderCeased,
    /// The unit does not meet a prerequisite of the title or form proposed.
    PrerequisiteMissing,
    /// The last place of a quota is tied: the proposal must say why this unit.
    QuotaTie,
}

impl Reason {
    /// Every reason, in the contract's order (`ErrorReason` in `common.proto`).
    pub const ALL: [Reason; 36] = [
        Reason::InvalidArgument,
        Reason::NotFound,
        Reason::AlreadyExists,
        Reason::CovenantSigned,
        Reason::AlreadySigned,
        Reason::ClusterHasTerms,
        Reason::UnitInAnotherTerm,
        Reason::UnitNotValidInTerm,
        Reason::NotAMember,
        Reason::MemberHasOffice,
        Reason::StaleEtag,
        Reason::RequestIdReused,
        Reason::TermExists,
        Reason::VersionPublished,
        Reason::VersionNotPublished,
        Reason::VersionIncomplete,
        Reason::NoTable,
        Reason::TargetsMissing,
        Reason::WrongStage,
        Reason::UnresolvedTie,
        Reason::NotEligible,
        Reason::QuotaExceeded,
        Reason::NotTopScorer,
        Reason::DossierIncomplete,
        Reason::AwardState,
        Reason::Unauthenticated,
        Reason::PermissionDenied,
        Reason::ResourceExhausted,
        Reason::Cancelled,
        Reason::StorageUnavailable,
        Reason::Internal,
        Reason::StorageFull,
        Reason::OrganiserNotValid,
        Reason::LeaderCeased,
        Reason::PrerequisiteMissing,
        Reason::QuotaTie,
    ];

    /// The `UPPER_SNAKE` form used in `ErrorInfo`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::InvalidArgument => "INVALID_ARGUMENT",
            Reason::NotFound => "NOT_FOUND",
            Reason::AlreadyExists => "ALREADY_EXISTS",
            Reason::CovenantSigned => "COVENANT_SIGNED",
            Reason::AlreadySigned => "ALREADY_SIGNED",
            Reason::ClusterHasTerms => "CLUSTER_HAS_TERMS",
            Reason::UnitInAnotherTerm => "UNIT_IN_ANOTHER_TERM",
            Reason::UnitNotValidInTerm => "UNIT_NOT_VALID_IN_TERM",
            Reason::NotAMember => "NOT_A_MEMBER",
            Reason::MemberHasOffice => "MEMBER_HAS_OFFICE",
            Reason::StaleEtag => "STALE_ETAG",
            Reason::RequestIdReused => "REQUEST_ID_REUSED",
            Reason::TermExists => "TERM_EXISTS",
            Reason::VersionPublished => "VERSION_PUBLISHED",
            Reason::VersionNotPublished => "VERSION_NOT_PUBLISHED",
            Reason::VersionIncomplete => "VERSION_INCOMPLETE",
            Reason::NoTable => "NO_TABLE",
            Reason::TargetsMissing => "TARGETS_MISSING",
            Reason::WrongStage => "WRONG_STAGE",
            Reason::UnresolvedTie => "UNRESOLVED_TIE",
            Reason::NotEligible => "NOT_ELIGIBLE",
            Reason::QuotaExceeded => "QUOTA_EXCEEDED",
            Reason::NotTopScorer => "NOT_TOP_SCORER",
            Reason::DossierIncomplete => "DOSSIER_INCOMPLETE",
            Reason::AwardState => "AWARD_STATE",
            Reason::Unauthenticated => "UNAUTHENTICATED",
            Reason::PermissionDenied => "PERMISSION_DENIED",
            Reason::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Reason::Cancelled => "CANCELLED",
            Reason::StorageUnavailable => "STORAGE_UNAVAILABLE",
            Reason::StorageFull => "STORAGE_FULL",
            Reason::OrganiserNotValid => "ORGANISER_NOT_VALID",
            Reason::LeaderCeased => "LEADER_CEASED",
            Reason::PrerequisiteMissing => "PREREQUISITE_MISSING",
            Reason::QuotaTie => "QUOTA_TIE",
            Reason::Internal => "INTERNAL",
        }
    }
}

/// Every failure a use case can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input; every violation found, not only the first.
    #[error("invalid argument: {}", join(.0))]
    Invalid(Vec<FieldViolation>),
    /// The named resource does not exist.
    #[error("{resource} not found")]
    NotFound {
        /// Resource name.
        resource: String,
    },
    /// The resource already exists, or the action was already done.
    #[error("{description}")]
    AlreadyExists {
        /// Resource name.
        resource: String,
        /// Why.
        reason: Reason,
        /// Sentence for the user.
        description: Words,
    },
    /// The resource is not in a state that allows the call.
    #[error("{description}")]
    FailedPrecondition {
        /// Why.
        reason: Reason,
        /// Resource whose state blocks the call.
        subject: String,
        /// Sentence for the user.
        description: Words,
    },
    /// The state blocks the call for several subjects, each named (e.g. every missing target).
    #[error("{description}")]
    Preconditions {
        /// Why.
        reason: Reason,
        /// Sentence for the user.
        description: Words,
        /// (subject, what is wrong with it).
        violations: Vec<(String, Words)>,
    },
    /// The etag sent is stale: someone changed the resource since it was read.
    #[error("{resource} was changed by someone else; read it again")]
    Aborted {
        /// Resource name.
        resource: String,
    },
    /// No valid credentials: missing, malformed, expired or revoked (the message says which,
    /// never whether a key exists).
    #[error("unauthenticated: {0}")]
    Unauthenticated(Words),
    /// The caller may not make `method` on the resource. Deliberately says nothing about
    /// whether the resource exists.
    #[error("permission denied: {method}")]
    PermissionDenied {
        /// The RPC, `Service/Method`.
        method: String,
    },
    /// A limit was reached.
    #[error("resource exhausted: {0}")]
    ResourceExhausted(Words),
    /// The caller cancelled or its deadline passed before the commit; rolled back.
    #[error("cancelled before commit")]
    Cancelled,
    /// The database cannot be reached.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The database's disk is full; nothing was saved.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// A bug or an unexpected state; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

fn join(v: &[FieldViolation]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, description: impl Into<Words>) -> Self {
        Error::Invalid(vec![FieldViolation::new(field, description)])
    }

    /// A failed precondition on `subject`.
    pub fn precondition(
        reason: Reason,
        subject: impl Into<String>,
        description: impl Into<Words>,
    ) -> Self {
        Error::FailedPrecondition {
            reason,
            subject: subject.into(),
            description: description.into(),
        }
    }

    /// The `ErrorInfo` reason for this error.
    pub fn reason(&self) -> Reason {
        match self {
            Error::Invalid(_) => Reason::InvalidArgument,
            Error::NotFound { .. } => Reason::NotFound,
            Error::AlreadyExists { reason, .. }
            | Error::FailedPrecondition { reason, .. }
            | Error::Preconditions { reason, .. } => *reason,
            Error::Aborted { .. } => Reason::StaleEtag,
            Error::Unauthenticated(_) => Reason::Unauthenticated,
            Error::PermissionDenied { .. } => Reason::PermissionDenied,
            Error::ResourceExhausted(_) => Reason::ResourceExhausted,
            Error::Cancelled => Reason::Cancelled,
            Error::Unavailable(_) => Reason::StorageUnavailable,
            Error::StorageFull(_) => Reason::StorageFull,
            Error::Internal(_) => Reason::Internal,
        }
    }
}

/// Collects field violations so a validator reports all of them at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    /// Records one violation.
    pub fn add(&mut self, field: impl Into<String>, description: impl Into<Words>) {
        self.0.push(FieldViolation::new(field, description));
    }

    /// Records the violation of a result, keeping its value when it is fine.
    pub fn check<T>(&mut self, result: Result<T, FieldViolation>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(v) => {
                self.0.push(v);
                None
            }
        }
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violations recorded.
    pub fn into_inner(self) -> Vec<FieldViolation> {
        self.0
    }

    /// `Ok(value)` when nothing was recorded, else `Error::Invalid` with every violation.
    pub fn finish<T>(self, value: T) -> Result<T, Error> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

/// Result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;
