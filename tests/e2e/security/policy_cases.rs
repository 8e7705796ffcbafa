//! The policy walk's expectations: for every RPC, a request and who may make it, per role and
//! scope, written from the roles independently of the server's policy table.

/// The award id the walk's fixture stores for the Bắc Kạn city term.
pub(super) const AWARD_ID: &str = "0190a000000070008000000000000001";

/// Where a principal's scope unit stands relative to the resource a call touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    Own,
    Sibling,
    Parent,
    Foreign,
}

pub(super) const RELATIONS: [Relation; 4] = [
    Relation::Own,
    Relation::Sibling,
    Relation::Parent,
    Relation::Foreign,
];

/// Scope units per role and relation, for resources of the Bắc Kạn city cluster (organised by
/// the city, 058, in Bắc Kạn province, 06) and its member Phùng Chí Kiên (01843, the leader).
pub(super) fn scope_unit(role: &str, relation: Relation) -> &'static str {
    match (role, relation) {
        ("organiser" | "observer", Relation::Own) => "058",
        ("organiser" | "observer", Relation::Sibling) => "060",
        ("organiser" | "observer", Relation::Parent) => "06",
        ("organiser", Relation::Foreign) => "040",
        ("observer", Relation::Foreign) => "04",
        ("reporter", Relation::Own) => "01843",
        ("reporter", Relation::Sibling) => "01849",
        ("reporter", Relation::Parent) => "058",
        (_, _) => "01267",
    }
}

/// Expected outcome per role (admin, organiser, reporter, observer), each over own, sibling,
/// parent and foreign scope: `+` admitted, `-` PERMISSION_DENIED. Written from the issue's
/// roles, independently of the server's policy table.
pub(super) const PUBLIC: &str = "++++ ++++ ++++ ++++";
pub(super) const ADMIN: &str = "++++ ---- ---- ----";
pub(super) const AUTHOR: &str = "++++ ++++ ---- ----";
pub(super) const MANAGE: &str = "++++ +--- ---- ----";
pub(super) const READ_CLUSTER: &str = "++++ +--- ---- +-+-";
pub(super) const READ_TERM: &str = "++++ +--- ++-- +-+-";
pub(super) const FOR_MEMBER: &str = "++++ +--- +--- ----";
pub(super) const REVIEW_OTHER: &str = "++++ +--- +--- ----";
pub(super) const ADJUST: &str = "++++ +--- ---- ----";

pub(super) const TERM: &str = "clusters/bac-kan-city/terms/2022";
pub(super) const CLUSTER: &str = "clusters/bac-kan-city";
pub(super) const COVENANT: &str = "clusters/bac-kan-city/terms/2022/covenant";

/// One call of the walk: the method, the request's fields (dotted paths, strings or enum
/// numbers) and the expectation.
pub(super) struct Case {
    pub(super) method: &'static str,
    pub(super) fields: &'static [(&'static str, Value<'static>)],
    pub(super) expect: &'static str,
}

#[derive(Clone, Copy)]
pub(super) enum Value<'a> {
    Str(&'a str),
    Enum(i32),
}

pub(super) use Value::{Enum, Str};

pub(super) const KIEN: Value<'static> = Str("units/qd124-2004~01843");
pub(super) const DUONG_QUANG: Value<'static> = Str("units/qd124-2004~01849");

pub(super) const CASES: &[Case] = &[
    Case {
        method: "UnitService/CreateUnit",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "UnitService/GetUnit",
        fields: &[("name", KIEN)],
        expect: PUBLIC,
    },
    Case {
        method: "UnitService/ListUnits",
        fields: &[],
        expect: PUBLIC,
    },
    Case {
        method: "UnitService/UpdateUnit",
        fields: &[("unit.name", KIEN)],
        expect: ADMIN,
    },
    Case {
        method: "UnitService/ImportUnits",
        fields: &[("scheme", Str("qd124-2004"))],
        expect: ADMIN,
    },
    Case {
        method: "UnitService/CreateLineageLink",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "UnitService/ImportLineage",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "UnitService/ListLineageLinks",
        fields: &[("unit", KIEN)],
        expect: PUBLIC,
    },
    Case {
        method: "UnitService/GetUnitHistory",
        fields: &[("unit", KIEN)],
        expect: PUBLIC,
    },
    Case {
        method: "ClusterService/CreateCluster",
        fields: &[("cluster.organiser", Str("units/qd124-2004~058"))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/GetCluster",
        fields: &[("name", Str(CLUSTER))],
        expect: READ_CLUSTER,
    },
    Case {
        method: "ClusterService/ListClusters",
        fields: &[("organiser", Str("units/qd124-2004~058"))],
        expect: READ_CLUSTER,
    },
    Case {
        method: "ClusterService/ListClusters",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "ClusterService/UpdateCluster",
        fields: &[("cluster.name", Str(CLUSTER))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/TransferCluster",
        fields: &[("cluster", Str(CLUSTER))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/DeleteCluster",
        fields: &[("name", Str(CLUSTER))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/CreateTerm",
        fields: &[("parent", Str(CLUSTER))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/GetTerm",
        fields: &[("name", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ClusterService/ListTerms",
        fields: &[("parent", Str(CLUSTER))],
        expect: READ_CLUSTER,
    },
    Case {
        method: "ClusterService/AddTermMember",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/RemoveTermMember",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/SetTermLeadership",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/CarryForwardTerm",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/GetCovenant",
        fields: &[("name", Str(COVENANT))],
        expect: READ_TERM,
    },
    Case {
        method: "ClusterService/ExportCovenant",
        fields: &[("name", Str(COVENANT))],
        expect: READ_TERM,
    },
    Case {
        method: "ClusterService/UpdateCovenant",
        fields: &[("covenant.name", Str(COVENANT))],
        expect: MANAGE,
    },
    Case {
        method: "ClusterService/SignCovenant",
        fields: &[("covenant", Str(COVENANT)), ("signature.unit", KIEN)],
        expect: FOR_MEMBER,
    },
    Case {
        method: "ClusterService/AddCovenantWitness",
        fields: &[("covenant", Str(COVENANT))],
        expect: MANAGE,
    },
    Case {
        method: "TargetService/CreateCriteriaTable",
        fields: &[],
        expect: AUTHOR,
    },
    Case {
        method: "TargetService/GetCriteriaTable",
        fields: &[("name", Str("criteriaTables/bang-2022"))],
        expect: PUBLIC,
    },
    Case {
        method: "TargetService/ListCriteriaTables",
        fields: &[],
        expect: PUBLIC,
    },
    Case {
        method: "TargetService/EditCriteriaTable",
        fields: &[("table", Str("criteriaTables/bang-2022"))],
        expect: AUTHOR,
    },
    Case {
        method: "TargetService/ImportCriteriaTable",
        fields: &[("table", Str("criteriaTables/bang-2022"))],
        expect: AUTHOR,
    },
    Case {
        method: "TargetService/ExportCriteriaTable",
        fields: &[("name", Str("criteriaTables/bang-2022/versions/1"))],
        expect: PUBLIC,
    },
    Case {
        method: "TargetService/PublishTableVersion",
        fields: &[("name", Str("criteriaTables/bang-2022/versions/1"))],
        expect: AUTHOR,
    },
    Case {
        method: "TargetService/GetTableVersion",
        fields: &[("name", Str("criteriaTables/bang-2022/versions/1"))],
        expect: PUBLIC,
    },
    Case {
        method: "TargetService/ListTableVersions",
        fields: &[("parent", Str("criteriaTables/bang-2022"))],
        expect: PUBLIC,
    },
    Case {
        method: "TargetService/ApplyCriteriaTable",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "TargetService/SetTargets",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "TargetService/ListTargets",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "TargetService/ImportTargets",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "TargetService/ExportTargets",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/AdvanceTerm",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/GetScoringPolicy",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/SetScoringPolicy",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/SetStageDeadlines",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/ReopenTerm",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/SubmitResult",
        fields: &[("term", Str(TERM)), ("result.unit", KIEN)],
        expect: FOR_MEMBER,
    },
    Case {
        method: "ScoringService/ListResults",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/ListScores",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/RecordScore",
        fields: &[("term", Str(TERM)), ("unit", KIEN), ("layer", Enum(2))],
        expect: FOR_MEMBER,
    },
    Case {
        method: "ScoringService/RecordScore",
        fields: &[
            ("term", Str(TERM)),
            ("unit", DUONG_QUANG),
            ("layer", Enum(3)),
        ],
        expect: REVIEW_OTHER,
    },
    Case {
        method: "ScoringService/RecordScore",
        fields: &[("term", Str(TERM)), ("unit", KIEN), ("layer", Enum(4))],
        expect: ADJUST,
    },
    Case {
        method: "ScoringService/GetScoreboard",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/WatchScoreboard",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/ExplainScore",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/ExportScoreboard",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/CreateScoreboardShare",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/ListScoreboardShares",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/RevokeScoreboardShare",
        fields: &[(
            "name",
            Str("clusters/bac-kan-city/terms/2022/shares/0190a0000000"),
        )],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/ExportBallotMinutes",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/ExportAwardSubmission",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/ImportResults",
        fields: &[("term", Str(TERM)), ("rows.unit", KIEN)],
        expect: FOR_MEMBER,
    },
    Case {
        method: "ScoringService/RecordTieDecision",
        fields: &[("term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/ProposeAward",
        fields: &[("award.term", Str(TERM))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/RecordBallot",
        fields: &[("award", Str("awards/0190a000000070008000000000000001"))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/SubmitAward",
        fields: &[("award", Str("awards/0190a000000070008000000000000001"))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/RevokeAward",
        fields: &[("award", Str("awards/0190a000000070008000000000000001"))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/ListAwards",
        fields: &[("term", Str(TERM))],
        expect: READ_TERM,
    },
    Case {
        method: "ScoringService/RecordDecision",
        fields: &[("decision.authority", Str("units/qd124-2004~058"))],
        expect: MANAGE,
    },
    Case {
        method: "ScoringService/ListRegister",
        fields: &[],
        expect: PUBLIC,
    },
    Case {
        method: "ScoringService/ListOrganiserAwards",
        fields: &[("organiser", Str("units/qd124-2004~058"))],
        expect: READ_CLUSTER,
    },
    Case {
        method: "ScoringService/ExportRegister",
        fields: &[],
        expect: PUBLIC,
    },
    Case {
        method: "ScoringService/ImportDecisions",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "ScoringService/ListAwardEntries",
        fields: &[],
        expect: PUBLIC,
    },
    Case {
        method: "ScoringService/PutAwardCatalogue",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "AccessService/CreateApiKey",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "AccessService/ListApiKeys",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "AccessService/RevokeApiKey",
        fields: &[("name", Str("keys/0190a0000000700080000000000000ff"))],
        expect: ADMIN,
    },
    Case {
        method: "AccessService/GetCaller",
        fields: &[],
        expect: PUBLIC,
    },
    Case {
        method: "AuditService/ListAuditEvents",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "AuditService/VerifyAuditChain",
        fields: &[],
        expect: ADMIN,
    },
    Case {
        method: "AuditService/CreateAuditCheckpoint",
        fields: &[],
        expect: ADMIN,
    },
];
