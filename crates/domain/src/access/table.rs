//! The policy table: what each RPC needs of its caller, and whether it writes.

use super::{Effect, Need};

/// The policy table: every RPC of `thidua.v1`, what it needs, and whether it writes. A method
/// missing here is refused (deny by default).
pub const POLICY: &[(&str, Need, Effect)] = &[
    ("UnitService/CreateUnit", Need::Admin, Effect::Write),
    ("UnitService/GetUnit", Need::Public, Effect::Read),
    ("UnitService/ListUnits", Need::Public, Effect::Read),
    ("UnitService/UpdateUnit", Need::Admin, Effect::Write),
    ("UnitService/ImportUnits", Need::Admin, Effect::Write),
    ("UnitService/CreateLineageLink", Need::Admin, Effect::Write),
    ("UnitService/ImportLineage", Need::Admin, Effect::Write),
    ("UnitService/ListLineageLinks", Need::Public, Effect::Read),
    // Public at the door; each term of the history is then decided as a read of it.
    ("UnitService/GetUnitHistory", Need::Public, Effect::Read),
    ("ClusterService/CreateCluster", Need::Manage, Effect::Write),
    ("ClusterService/GetCluster", Need::Read, Effect::Read),
    ("ClusterService/ListClusters", Need::Read, Effect::Read),
    ("ClusterService/UpdateCluster", Need::Manage, Effect::Write),
    ("ClusterService/DeleteCluster", Need::Manage, Effect::Write),
    (
        "ClusterService/TransferCluster",
        Need::Manage,
        Effect::Write,
    ),
    ("ClusterService/CreateTerm", Need::Manage, Effect::Write),
    ("ClusterService/GetTerm", Need::Read, Effect::Read),
    ("ClusterService/ListTerms", Need::Read, Effect::Read),
    ("ClusterService/AddTermMember", Need::Manage, Effect::Write),
    (
        "ClusterService/RemoveTermMember",
        Need::Manage,
        Effect::Write,
    ),
    (
        "ClusterService/SetTermLeadership",
        Need::Manage,
        Effect::Write,
    ),
    (
        "ClusterService/CarryForwardTerm",
        Need::Manage,
        Effect::Write,
    ),
    ("ClusterService/GetCovenant", Need::Read, Effect::Read),
    ("ClusterService/ExportCovenant", Need::Read, Effect::Read),
    ("ClusterService/UpdateCovenant", Need::Manage, Effect::Write),
    ("ClusterService/SignCovenant", Need::Report, Effect::Write),
    (
        "ClusterService/AddCovenantWitness",
        Need::Manage,
        Effect::Write,
    ),
    (
        "TargetService/CreateCriteriaTable",
        Need::Author,
        Effect::Write,
    ),
    ("TargetService/GetCriteriaTable", Need::Public, Effect::Read),
    (
        "TargetService/ListCriteriaTables",
        Need::Public,
        Effect::Read,
    ),
    (
        "TargetService/EditCriteriaTable",
        Need::Author,
        Effect::Write,
    ),
    (
        "TargetService/ImportCriteriaTable",
        Need::Author,
        Effect::Write,
    ),
    (
        "TargetService/ExportCriteriaTable",
        Need::Public,
        Effect::Read,
    ),
    (
        "TargetService/PublishTableVersion",
        Need::Author,
        Effect::Write,
    ),
    ("TargetService/GetTableVersion", Need::Public, Effect::Read),
    (
        "TargetService/ListTableVersions",
        Need::Public,
        Effect::Read,
    ),
    (
        "TargetService/ApplyCriteriaTable",
        Need::Manage,
        Effect::Write,
    ),
    ("TargetService/SetTargets", Need::Manage, Effect::Write),
    ("TargetService/ListTargets", Need::Read, Effect::Read),
    ("TargetService/ImportTargets", Need::Manage, Effect::Write),
    ("TargetService/ExportTargets", Need::Read, Effect::Read),
    ("ScoringService/AdvanceTerm", Need::Manage, Effect::Write),
    ("ScoringService/GetScoringPolicy", Need::Read, Effect::Read),
    (
        "ScoringService/SetScoringPolicy",
        Need::Manage,
        Effect::Write,
    ),
    (
        "ScoringService/SetStageDeadlines",
        Need::Manage,
        Effect::Write,
    ),
    ("ScoringService/ReopenTerm", Need::Manage, Effect::Write),
    ("ScoringService/SubmitResult", Need::Report, Effect::Write),
    ("ScoringService/ListResults", Need::Read, Effect::Read),
    ("ScoringService/ListScores", Need::Read, Effect::Read),
    ("ScoringService/RecordScore", Need::Score, Effect::Write),
    ("ScoringService/GetScoreboard", Need::Read, Effect::Read),
    ("ScoringService/WatchScoreboard", Need::Read, Effect::Read),
    ("ScoringService/ExplainScore", Need::Read, Effect::Read),
    ("ScoringService/ExportScoreboard", Need::Read, Effect::Read),
    (
        "ScoringService/CreateScoreboardShare",
        Need::Manage,
        Effect::Write,
    ),
    (
        "ScoringService/ListScoreboardShares",
        Need::Manage,
        Effect::Read,
    ),
    (
        "ScoringService/RevokeScoreboardShare",
        Need::Manage,
        Effect::Write,
    ),
    (
        "ScoringService/ExportBallotMinutes",
        Need::Read,
        Effect::Read,
    ),
    (
        "ScoringService/ExportAwardSubmission",
        Need::Read,
        Effect::Read,
    ),
    ("ScoringService/ImportResults", Need::Report, Effect::Write),
    (
        "ScoringService/RecordTieDecision",
        Need::Manage,
        Effect::Write,
    ),
    ("ScoringService/ProposeAward", Need::Manage, Effect::Write),
    ("ScoringService/RecordBallot", Need::Manage, Effect::Write),
    ("ScoringService/SubmitAward", Need::Manage, Effect::Write),
    ("ScoringService/RevokeAward", Need::Manage, Effect::Write),
    ("ScoringService/ListAwards", Need::Read, Effect::Read),
    // A decision is recorded by the issuing authority's officers (or an administrator).
    ("ScoringService/RecordDecision", Need::Manage, Effect::Write),
    ("ScoringService/ListRegister", Need::Public, Effect::Read),
    ("ScoringService/ExportRegister", Need::Public, Effect::Read),
    (
        "ScoringService/ListOrganiserAwards",
        Need::Read,
        Effect::Read,
    ),
    ("ScoringService/ImportDecisions", Need::Admin, Effect::Write),
    (
        "ScoringService/ListAwardEntries",
        Need::Public,
        Effect::Read,
    ),
    (
        "ScoringService/PutAwardCatalogue",
        Need::Admin,
        Effect::Write,
    ),
    ("AccessService/CreateApiKey", Need::Admin, Effect::Write),
    ("AccessService/ListApiKeys", Need::Admin, Effect::Read),
    ("AccessService/RevokeApiKey", Need::Admin, Effect::Write),
    ("AccessService/GetCaller", Need::Public, Effect::Read),
    ("AuditService/ListAuditEvents", Need::Admin, Effect::Read),
    ("AuditService/VerifyAuditChain", Need::Admin, Effect::Read),
    (
        "AuditService/CreateAuditCheckpoint",
        Need::Admin,
        Effect::Read,
    ),
];

/// The policy row of `method` (`Service/Method`), if any.
pub fn rule(method: &str) -> Option<(Need, Effect)> {
    POLICY
        .iter()
        .find(|(m, _, _)| *m == method)
        .map(|(_, need, effect)| (*need, *effect))
}
