//! Security as an attacker tries it: authentication, the policy walked over the wire for
//! every RPC × role × scope, the audit chain and its tampering, limits.

use anyhow::{Context, bail, ensure};
use prost::Message;
use thidua_domain::{
    award::{Award, AwardKind, AwardState, Dossier},
    time::Timestamp,
    unit::{Scheme, UnitRef},
};
use thidua_proto::v1 as pb;
use tonic::{Code, codec::Codec};

use crate::{
    env::{Env, shared_data},
    support::{
        bac_kan_members, create_cluster, create_term, expect_error, import, import_bac_kan, legacy,
    },
};

/// The award id the walk's fixture stores for the Bắc Kạn city term.
const AWARD_ID: &str = "0190a000000070008000000000000001";

/// Where a principal's scope unit stands relative to the resource a call touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Own,
    Sibling,
    Parent,
    Foreign,
}

const RELATIONS: [Relation; 4] = [
    Relation::Own,
    Relation::Sibling,
    Relation::Parent,
    Relation::Foreign,
];

/// Scope units per role and relation, for resources of the Bắc Kạn city cluster (organised by
/// the city, 058, in Bắc Kạn province, 06) and its member Phùng Chí Kiên (01843, the leader).
fn scope_unit(role: &str, relation: Relation) -> &'static str {
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
const PUBLIC: &str = "++++ ++++ ++++ ++++";
const ADMIN: &str = "++++ ---- ---- ----";
const AUTHOR: &str = "++++ ++++ ---- ----";
const MANAGE: &str = "++++ +--- ---- ----";
const READ_CLUSTER: &str = "++++ +--- ---- +-+-";
const READ_TERM: &str = "++++ +--- ++-- +-+-";
const FOR_MEMBER: &str = "++++ +--- +--- ----";
const REVIEW_OTHER: &str = "++++ +--- +--- ----";
const ADJUST: &str = "++++ +--- ---- ----";

const TERM: &str = "clusters/bac-kan-city/terms/2022";
const CLUSTER: &str = "clusters/bac-kan-city";
const COVENANT: &str = "clusters/bac-kan-city/terms/2022/covenant";

/// One call of the walk: the method, the request's fields (dotted paths, strings or enum
/// numbers) and the expectation.
struct Case {
    method: &'static str,
    fields: &'static [(&'static str, Value)],
    expect: &'static str,
}

#[derive(Clone, Copy)]
enum Value {
    Str(&'static str),
    Enum(i32),
}

use Value::{Enum, Str};

const KIEN: Value = Str("units/qd124-2004~01843");
const DUONG_QUANG: Value = Str("units/qd124-2004~01849");

const CASES: &[Case] = &[
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
        method: "UnitService/ListLineageLinks",
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
];

/// Raw protobuf bytes in and out, so one client can call any method.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

#[derive(Debug, Clone, Copy, Default)]
struct RawEncoder;

#[derive(Debug, Clone, Copy, Default)]
struct RawDecoder;

impl tonic::codec::Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(
        &mut self,
        item: Vec<u8>,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        use bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        use bytes::Buf;
        let n = src.remaining();
        Ok(Some(src.copy_to_bytes(n).to_vec()))
    }
}

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

/// The thidua.v1 methods and message types, from the descriptor set the server registers.
struct Contract {
    files: prost_types::FileDescriptorSet,
}

impl Contract {
    fn load() -> anyhow::Result<Self> {
        Ok(Self {
            files: prost_types::FileDescriptorSet::decode(thidua_proto::FILE_DESCRIPTOR_SET)?,
        })
    }

    /// Every `Service/Method` with its input type's full name.
    fn methods(&self) -> Vec<(String, String)> {
        self.files
            .file
            .iter()
            .filter(|f| f.package() == "thidua.v1")
            .flat_map(|f| f.service.iter())
            .flat_map(|s| {
                s.method.iter().map(move |m| {
                    (
                        format!("{}/{}", s.name(), m.name()),
                        m.input_type().trim_start_matches('.').to_owned(),
                    )
                })
            })
            .collect()
    }

    fn message(&self, full_name: &str) -> anyhow::Result<&prost_types::DescriptorProto> {
        let name = full_name
            .trim_start_matches('.')
            .strip_prefix("thidua.v1.")
            .with_context(|| format!("{full_name} is not a thidua.v1 message"))?;
        self.files
            .file
            .iter()
            .filter(|f| f.package() == "thidua.v1")
            .flat_map(|f| f.message_type.iter())
            .find(|m| m.name() == name)
            .with_context(|| format!("no message {full_name}"))
    }

    /// Encodes `fields` (dotted paths) as a message of type `full_name`.
    fn encode(&self, full_name: &str, fields: &[(&str, Value)]) -> anyhow::Result<Vec<u8>> {
        let message = self.message(full_name)?;
        let mut out = Vec::new();
        let mut nested: Vec<(String, Vec<(String, Value)>)> = Vec::new();
        for (path, value) in fields {
            match path.split_once('.') {
                Some((head, rest)) => match nested.iter_mut().find(|(h, _)| h == head) {
                    Some((_, v)) => v.push((rest.to_owned(), *value)),
                    None => nested.push((head.to_owned(), vec![(rest.to_owned(), *value)])),
                },
                None => {
                    let field = field(message, path)?;
                    match value {
                        Str(s) => put_bytes(&mut out, field.number(), s.as_bytes()),
                        Enum(n) => {
                            put_varint(&mut out, u64::from(field.number().unsigned_abs()) << 3);
                            put_varint(&mut out, u64::from(n.unsigned_abs()));
                        }
                    }
                }
            }
        }
        for (head, inner) in nested {
            let field = field(message, &head)?;
            let inner: Vec<(&str, Value)> = inner.iter().map(|(p, v)| (p.as_str(), *v)).collect();
            let bytes = self.encode(field.type_name(), &inner)?;
            put_bytes(&mut out, field.number(), &bytes);
        }
        Ok(out)
    }
}

fn field<'a>(
    message: &'a prost_types::DescriptorProto,
    name: &str,
) -> anyhow::Result<&'a prost_types::FieldDescriptorProto> {
    message
        .field
        .iter()
        .find(|f| f.name() == name)
        .with_context(|| format!("{} has no field {name}", message.name()))
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(u8::try_from(v & 0x7f).unwrap_or(0) | 0x80);
        v >>= 7;
    }
    out.push(u8::try_from(v).unwrap_or(0));
}

fn put_bytes(out: &mut Vec<u8>, number: i32, bytes: &[u8]) {
    put_varint(out, (u64::from(number.unsigned_abs()) << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Calls `method` with `body` as `token`; the status code (OK when the first message or the
/// end of the stream arrives without error).
async fn call_raw(env: &Env, token: &str, method: &str, body: Vec<u8>) -> anyhow::Result<Code> {
    let channel = env.channel_as(Some(token)).await?;
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let path: http::uri::PathAndQuery = format!("/thidua.v1.{method}").parse()?;
    let request = tonic::Request::new(tokio_stream::iter(vec![body]));
    match grpc.streaming(request, path, RawCodec).await {
        Err(status) => Ok(status.code()),
        Ok(response) => match response.into_inner().message().await {
            Ok(_) => Ok(Code::Ok),
            Err(status) => Ok(status.code()),
        },
    }
}

/// Creates a key as administrator; returns its secret.
async fn create_key(env: &Env, label: &str, role: pb::Role, scope: &str) -> anyhow::Result<String> {
    let created = env
        .access()
        .await?
        .create_api_key(pb::CreateApiKeyRequest {
            api_key: Some(pb::ApiKey {
                display_name: label.into(),
                role: role.into(),
                scope: if scope.is_empty() {
                    String::new()
                } else {
                    legacy(scope)
                },
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    ensure!(
        created.secret.starts_with("thd_"),
        "secret {}",
        created.secret
    );
    Ok(created.secret)
}

/// Units beyond the Bắc Kạn city seed: a sibling district (Pác Nặm), and Cao Bằng province
/// with its city and ward Sông Hiến, from the national list.
async fn import_neighbours(env: &Env) -> anyhow::Result<()> {
    let path = shared_data("units-legacy.csv")?;
    let mut reader = csv::Reader::from_path(&path)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record?;
        if ["060", "04", "040", "01267", "01270"].contains(&&r[0]) {
            rows.push(pb::UnitRow {
                code: r[0].to_owned(),
                name: r[1].to_owned(),
                kind: r[2].to_owned(),
                parent_code: r[3].to_owned(),
                line: 0,
            });
        }
    }
    ensure!(rows.len() == 5, "found {} neighbour rows", rows.len());
    let created = import(env, "qd124-2004", rows, "", None, None).await?;
    ensure!(created.units_created == 5, "{created:?}");
    Ok(())
}

/// The walk's world: the seed cluster and term led by Phùng Chí Kiên, a foreign cluster in
/// Cao Bằng, a stored award proposal, and a criteria table the city's organiser created (so it
/// belongs to the city).
async fn fixture(env: &Env) -> anyhow::Result<()> {
    import_bac_kan(env).await?;
    import_neighbours(env).await?;
    let city = create_key(
        env,
        "Ban tổ chức thành phố Bắc Kạn",
        pb::Role::Organiser,
        "058",
    )
    .await?;
    pb::target_service_client::TargetServiceClient::new(env.channel_as(Some(&city)).await?)
        .create_criteria_table(pb::CreateCriteriaTableRequest {
            table: Some(pb::CriteriaTable {
                title: "Bảng tiêu chí thi đua cụm xã, phường năm 2022".into(),
                legal_act: "Quyết định 01/QĐ-HĐTĐKT".into(),
                scale: Some(pb::Decimal {
                    value: "100".into(),
                }),
                rounding_step: Some(pb::Decimal {
                    value: "0.5".into(),
                }),
                ..Default::default()
            }),
            table_id: "bang-2022".into(),
            request_id: String::new(),
        })
        .await?;
    create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
    let term = create_term(env, "bac-kan-city", 2022, &bac_kan_members()).await?;
    env.clusters()
        .await?
        .set_term_leadership(pb::SetTermLeadershipRequest {
            term: TERM.into(),
            leadership: Some(pb::Leadership {
                leader: legacy("01843"),
                method: pb::LeadershipMethod::Elected.into(),
                deciding_act: "Biên bản hội nghị tổng kết năm 2021".into(),
                ..Default::default()
            }),
            etag: term.etag,
        })
        .await?;
    env.clusters()
        .await?
        .create_cluster(pb::CreateClusterRequest {
            cluster: Some(pb::Cluster {
                display_name: "Cụm thi đua các phường thành phố Cao Bằng".into(),
                kind: pb::ClusterKind::Territorial.into(),
                organiser: legacy("040"),
                ..Default::default()
            }),
            cluster_id: "cao-bang-city".into(),
            request_id: String::new(),
        })
        .await?;
    create_term(
        env,
        "cao-bang-city",
        2022,
        &[legacy("01267"), legacy("01270")],
    )
    .await?;
    let store = env.store.clone();
    tokio::task::spawn_blocking(move || {
        store.write(|tx| {
            tx.insert_award(&Award {
                id: AWARD_ID.into(),
                cluster_id: "bac-kan-city".into(),
                year: 2022,
                unit: UnitRef::new(Scheme::Qd124_2004, "01843"),
                kind: AwardKind::ProvincialFlag,
                state: AwardState::Proposed,
                dossier: Dossier::default(),
                override_reason: String::new(),
                ballot: None,
                revocation: None,
                created_at: Timestamp(0),
                updated_at: Timestamp(0),
            })
        })
    })
    .await??;
    Ok(())
}

/// Every RPC of the contract, called by every role from own, sibling, parent and foreign
/// scope, against an expectation written from the issue: admitted calls must never be
/// refused, refused ones must get PERMISSION_DENIED, and each refusal is in the audit log.
pub fn policy_walk(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        fixture(env).await?;
        let contract = Contract::load()?;
        let methods = contract.methods();
        for (method, _) in &methods {
            ensure!(
                CASES.iter().any(|c| c.method == method),
                "{method} has no row in the walk: say who may call it"
            );
        }
        ensure!(methods.len() >= 63, "only {} methods", methods.len());
        let mut principals: Vec<(usize, Relation, String)> = Vec::new();
        for relation in RELATIONS {
            principals.push((0, relation, env.admin_token.clone()));
        }
        for (i, (role, pb_role)) in [
            ("organiser", pb::Role::Organiser),
            ("reporter", pb::Role::Reporter),
            ("observer", pb::Role::Observer),
        ]
        .into_iter()
        .enumerate()
        {
            for relation in RELATIONS {
                let unit = scope_unit(role, relation);
                let token =
                    create_key(env, &format!("{role} {relation:?} {unit}"), pb_role, unit).await?;
                principals.push((i + 1, relation, token));
            }
        }
        let mut mismatches = Vec::new();
        let mut denied = 0;
        for case in CASES {
            let input = &methods
                .iter()
                .find(|(m, _)| m == case.method)
                .with_context(|| format!("{} is not in the contract", case.method))?
                .1;
            let body = contract.encode(input, case.fields)?;
            let roles: Vec<&str> = case.expect.split(' ').collect();
            for (role, relation, token) in &principals {
                let column = RELATIONS.iter().position(|r| r == relation).unwrap_or(0);
                let admitted = roles[*role].as_bytes()[column] == b'+';
                let code = call_raw(env, token, case.method, body.clone()).await?;
                let refused = code == Code::PermissionDenied;
                if refused {
                    denied += 1;
                }
                if code == Code::Unauthenticated || admitted == refused {
                    mismatches.push(format!(
                        "{} {:?} as {} {relation:?}: expected {}, got {code:?}",
                        case.method,
                        case.fields.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
                        ["admin", "organiser", "reporter", "observer"][*role],
                        if admitted {
                            "admitted"
                        } else {
                            "PERMISSION_DENIED"
                        },
                    ));
                }
            }
        }
        ensure!(
            mismatches.is_empty(),
            "{} mismatches:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
        let refusals = count_refusals(env).await?;
        ensure!(
            refusals == denied,
            "{denied} refusals answered, {refusals} audited"
        );
        Ok(())
    })
}

async fn count_refusals(env: &Env) -> anyhow::Result<usize> {
    let mut audit = env.audit().await?;
    let mut token = String::new();
    let mut n = 0;
    loop {
        let page = audit
            .list_audit_events(pb::ListAuditEventsRequest {
                page_size: 1000,
                page_token: token,
                outcome: pb::AuditOutcome::PermissionDenied.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        n += page.audit_events.len();
        if page.next_page_token.is_empty() {
            return Ok(n);
        }
        token = page.next_page_token;
    }
}

/// Missing, malformed, unknown, expired and revoked keys are all UNAUTHENTICATED; the health
/// check needs none; a revocation takes effect on the next call.
pub fn authentication(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        let get = || pb::GetUnitRequest {
            name: legacy("01843"),
        };
        for token in [
            None,
            Some("not-a-key"),
            Some("thd_short"),
            Some("thd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ] {
            let channel = env.channel_as(token).await?;
            let result = pb::unit_service_client::UnitServiceClient::new(channel)
                .get_unit(get())
                .await;
            expect_error(result, Code::Unauthenticated, None)?;
        }
        let reporter = create_key(
            env,
            "UBND phường Phùng Chí Kiên",
            pb::Role::Reporter,
            "01843",
        )
        .await?;
        let mut as_reporter =
            pb::unit_service_client::UnitServiceClient::new(env.channel_as(Some(&reporter)).await?);
        // Admitted once, the read is kept in memory (on SQLite); the revocation below must
        // still hold from the very next call.
        as_reporter.get_unit(get()).await?;
        as_reporter.get_unit(get()).await?;
        let caller = pb::access_service_client::AccessServiceClient::new(
            env.channel_as(Some(&reporter)).await?,
        )
        .get_caller(pb::GetCallerRequest {})
        .await?
        .into_inner()
        .api_key
        .context("no key")?;
        ensure!(caller.scope == legacy("01843") && caller.role == i32::from(pb::Role::Reporter));
        ensure!(reporter.starts_with(&caller.display_prefix) && caller.display_prefix.len() == 12);
        // The secret is nowhere in the listing.
        let listed = env
            .access()
            .await?
            .list_api_keys(pb::ListApiKeysRequest::default())
            .await?
            .into_inner();
        ensure!(!format!("{listed:?}").contains(&reporter));
        env.access()
            .await?
            .revoke_api_key(pb::RevokeApiKeyRequest {
                name: caller.name.clone(),
            })
            .await?;
        expect_error(
            as_reporter.get_unit(get()).await,
            Code::Unauthenticated,
            None,
        )?;
        // A key that expired: stored with a past expiry, refused.
        let expiring = env
            .access()
            .await?
            .create_api_key(pb::CreateApiKeyRequest {
                api_key: Some(pb::ApiKey {
                    display_name: "Hết hạn".into(),
                    role: pb::Role::Observer.into(),
                    scope: legacy("06"),
                    expire_time: Some(prost_types::Timestamp {
                        seconds: 1,
                        nanos: 0,
                    }),
                    ..Default::default()
                }),
            })
            .await;
        expect_error(expiring, Code::InvalidArgument, None)?;
        let mut health = tonic_health::pb::health_client::HealthClient::new(env.channel().await?);
        let served = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await?
            .into_inner();
        ensure!(
            served.status
                == i32::from(tonic_health::pb::health_check_response::ServingStatus::Serving)
        );
        // Scoped roles need a scope; admin keys must not have one.
        let bad = env
            .access()
            .await?
            .create_api_key(pb::CreateApiKeyRequest {
                api_key: Some(pb::ApiKey {
                    display_name: "Không phạm vi".into(),
                    role: pb::Role::Organiser.into(),
                    ..Default::default()
                }),
            })
            .await;
        expect_error(bad, Code::InvalidArgument, None)?;
        Ok(())
    })
}

/// Every change is audited in its own transaction with who, what and where; the chain
/// verifies; a row edited directly in the database is named by verify; the application
/// cannot update or delete audit rows.
pub fn audit_chain(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        let observer =
            create_key(env, "Cổng tích hợp tỉnh Bắc Kạn", pb::Role::Observer, "06").await?;
        let denied = pb::cluster_service_client::ClusterServiceClient::new(
            env.channel_as(Some(&observer)).await?,
        )
        .delete_cluster(pb::DeleteClusterRequest {
            name: CLUSTER.into(),
            etag: String::new(),
        })
        .await;
        expect_error(denied, Code::PermissionDenied, None)?;
        let events = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest::default())
            .await?
            .into_inner()
            .audit_events;
        let created = events
            .iter()
            .find(|e| e.method == "ClusterService/CreateCluster")
            .context("no event for CreateCluster")?;
        ensure!(
            created.outcome() == pb::AuditOutcome::Ok
                && created.principal.starts_with("keys/")
                && created.digest.len() == 64
        );
        let refusal = events
            .iter()
            .find(|e| e.method == "ClusterService/DeleteCluster")
            .context("no event for the refused DeleteCluster")?;
        ensure!(
            refusal.outcome() == pb::AuditOutcome::PermissionDenied && refusal.resource == CLUSTER,
            "{refusal:?}"
        );
        // A client filters on the outcome the contract names, and finds the refusal only.
        let refusals = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest {
                outcome: pb::AuditOutcome::PermissionDenied.into(),
                ..Default::default()
            })
            .await?
            .into_inner()
            .audit_events;
        ensure!(
            refusals.len() == 1 && refusals[0].sequence == refusal.sequence,
            "{refusals:?}"
        );
        let intact = verify(env).await?;
        ensure!(intact.intact && intact.events_checked >= 4, "{intact:?}");

        // The application's own connection cannot change history.
        let url = env.database_url.clone();
        let refused = tokio::task::spawn_blocking(move || tamper(&url, 2, false)).await?;
        ensure!(refused.is_err(), "the audit table accepted an UPDATE");
        let url = env.database_url.clone();
        let refused = tokio::task::spawn_blocking(move || {
            attack(&url, &["DELETE FROM audit_events WHERE seq = 1"])
        })
        .await?;
        ensure!(refused.is_err(), "the audit table accepted a DELETE");

        // An attacker with the database owner's rights disables the guard and edits a row.
        let target = refusal.sequence;
        let url = env.database_url.clone();
        tokio::task::spawn_blocking(move || tamper(&url, target, true)).await??;
        let broken = verify(env).await?;
        ensure!(
            !broken.intact && broken.broken_sequence == target,
            "{broken:?}"
        );
        let out = env.cli(&["audit", "verify", "-o", "json"])?;
        ensure!(out.status.code() == Some(6), "exit {:?}", out.status.code());
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(stderr.contains(&format!("event {target}")), "{stderr}");
        Ok(())
    })
}

/// Fails unless `status` is RESOURCE_EXHAUSTED.
fn exhausted<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> anyhow::Result<()> {
    match result {
        Err(s) if s.code() == Code::ResourceExhausted => Ok(()),
        other => bail!("expected RESOURCE_EXHAUSTED, got {other:?}"),
    }
}

/// A message over the limit is refused RESOURCE_EXHAUSTED and the connection stays usable;
/// a key over its rate is refused quickly while other keys go on.
pub fn limits(env: &Env) -> anyhow::Result<()> {
    let small = Env::start_with(
        None,
        thidua_server::ServeOptions {
            max_message_bytes: 64 * 1024,
            limits: thidua_server::auth::Limits {
                max_in_flight: 64,
                rate_per_key: 0.001,
                burst_per_key: 5.0,
            },
            ..thidua_server::ServeOptions::default()
        },
    )?;
    let _ = env;
    small.block_on(async {
        let channel = small.channel_as(Some(&small.admin_token)).await?;
        let mut units = pb::unit_service_client::UnitServiceClient::new(channel.clone());
        let huge = pb::GetUnitRequest {
            name: format!("units/qd124-2004~{}", "9".repeat(100 * 1024)),
        };
        exhausted(units.get_unit(huge).await)?;
        // Same connection, next call: served (NOT_FOUND: the unit does not exist).
        expect_error(
            units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await,
            Code::NotFound,
            None,
        )?;
        // The burst of 5 is used up (2 calls above, 3 more here); the 6th is refused.
        for _ in 0..3 {
            let _ = units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await;
        }
        exhausted(
            units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await,
        )?;
        Ok(())
    })
}

/// Runs `statements` on a connection of its own, as someone with direct database access.
fn attack(url: &str, statements: &[&str]) -> anyhow::Result<()> {
    use diesel::{Connection, RunQueryDsl};
    if url.starts_with("postgres") {
        let mut c = diesel::PgConnection::establish(url)?;
        for s in statements {
            diesel::sql_query(*s).execute(&mut c)?;
        }
    } else {
        let mut c = diesel::SqliteConnection::establish(url)?;
        for s in statements {
            diesel::sql_query(*s).execute(&mut c)?;
        }
    }
    Ok(())
}

/// Rewrites event `seq` as a success; with `disable_guard`, first removes the append-only
/// trigger as only the database owner can.
fn tamper(url: &str, seq: i64, disable_guard: bool) -> anyhow::Result<()> {
    let update = format!("UPDATE audit_events SET outcome = 'OK' WHERE seq = {seq}");
    let guard = if url.starts_with("postgres") {
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only_rows"
    } else {
        "DROP TRIGGER audit_events_append_only_update"
    };
    if disable_guard {
        attack(url, &[guard, &update])
    } else {
        attack(url, &[&update])
    }
}

async fn verify(env: &Env) -> anyhow::Result<pb::VerifyAuditChainResponse> {
    Ok(env
        .audit()
        .await?
        .verify_audit_chain(pb::VerifyAuditChainRequest {})
        .await?
        .into_inner())
}

/// A test PKI: a CA, a server certificate for localhost, a client certificate from the CA and
/// one from a rogue CA.
struct Pki {
    ca: String,
    server_cert: String,
    server_key: String,
    client_cert: String,
    client_key: String,
    rogue_cert: String,
    rogue_key: String,
}

fn pki() -> anyhow::Result<Pki> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_params = |name: &str| -> anyhow::Result<CertificateParams> {
        let mut p = CertificateParams::new(Vec::<String>::new())?;
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        Ok(p)
    };
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params("Sở Nội vụ tỉnh Bắc Kạn — CA thử nghiệm")?.self_signed(&ca_key)?;
    let ca = Issuer::new(ca_params("Sở Nội vụ tỉnh Bắc Kạn — CA thử nghiệm")?, ca_key);
    let rogue_key = KeyPair::generate()?;
    let rogue = Issuer::new(ca_params("CA giả mạo")?, rogue_key);
    let leaf = |names: Vec<String>,
                cn: &str,
                issuer: &Issuer<'_, KeyPair>|
     -> anyhow::Result<(String, String)> {
        let key = KeyPair::generate()?;
        let mut p = CertificateParams::new(names)?;
        p.distinguished_name.push(DnType::CommonName, cn);
        Ok((p.signed_by(&key, issuer)?.pem(), key.serialize_pem()))
    };
    let (server_cert, server_key) = leaf(
        vec!["localhost".into(), "127.0.0.1".into()],
        "thidua.backan.gov.vn",
        &ca,
    )?;
    let (client_cert, client_key) = leaf(vec![], "Cổng tích hợp tỉnh Bắc Kạn", &ca)?;
    let (rogue_cert, rogue_key) = leaf(vec![], "Kẻ tấn công", &rogue)?;
    Ok(Pki {
        ca: ca_cert.pem(),
        server_cert,
        server_key,
        client_cert,
        client_key,
        rogue_cert,
        rogue_key,
    })
}

/// Mutual TLS: a client with a certificate from the configured CA is served; one without a
/// certificate, with a rogue CA's, or in clear text fails the handshake. The CLI connects
/// with its TLS flags.
pub fn mutual_tls(_env: &Env) -> anyhow::Result<()> {
    let pki = pki()?;
    let env = Env::start_with(
        None,
        thidua_server::ServeOptions {
            tls: Some(thidua_server::Tls {
                cert: pki.server_cert.clone().into_bytes(),
                key: pki.server_key.clone().into_bytes(),
                client_ca: Some(pki.ca.clone().into_bytes()),
            }),
            ..thidua_server::ServeOptions::default()
        },
    )?;
    let port = env.url.rsplit(':').next().context("no port")?.to_owned();
    let https = format!("https://localhost:{port}");
    let token = env.admin_token.clone();
    env.block_on(async {
        use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
        let caller = |tls: Option<ClientTlsConfig>, url: String| {
            let token = token.clone();
            async move {
                let mut endpoint = Channel::from_shared(url)?;
                if let Some(tls) = tls {
                    endpoint = endpoint.tls_config(tls)?;
                }
                let channel = endpoint.connect().await?;
                let bearer =
                    thidua_proto::auth::Bearer::new(Some(&token)).map_err(anyhow::Error::msg)?;
                let key = pb::access_service_client::AccessServiceClient::with_interceptor(
                    channel, bearer,
                )
                .get_caller(pb::GetCallerRequest {})
                .await?
                .into_inner();
                anyhow::Ok(key)
            }
        };
        let trust = || {
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&pki.ca))
                .domain_name("localhost")
        };
        let good = trust().identity(Identity::from_pem(&pki.client_cert, &pki.client_key));
        caller(Some(good), https.clone())
            .await
            .context("a client with a certificate from the CA")?;
        ensure!(
            caller(Some(trust()), https.clone()).await.is_err(),
            "served a client without a certificate"
        );
        let rogue = trust().identity(Identity::from_pem(&pki.rogue_cert, &pki.rogue_key));
        ensure!(
            caller(Some(rogue), https.clone()).await.is_err(),
            "served a rogue CA's client"
        );
        ensure!(
            caller(None, env.url.clone()).await.is_err(),
            "served clear text"
        );
        anyhow::Ok(())
    })?;
    let dir = tempfile::tempdir()?;
    let write = |name: &str, pem: &str| -> anyhow::Result<String> {
        let path = dir.path().join(name);
        std::fs::write(&path, pem)?;
        Ok(path.display().to_string())
    };
    let (ca, cert, key) = (
        write("ca.pem", &pki.ca)?,
        write("client.pem", &pki.client_cert)?,
        write("client.key", &pki.client_key)?,
    );
    let out = std::process::Command::new(crate::env::cli_binary()?)
        .args([
            "--server",
            &https,
            "--ca-cert",
            &ca,
            "--client-cert",
            &cert,
            "--client-key",
            &key,
            "whoami",
            "-o",
            "json",
        ])
        .env("THIDUA_TOKEN", &env.admin_token)
        .output()?;
    ensure!(
        out.status.success(),
        "CLI over mutual TLS: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(String::from_utf8_lossy(&out.stdout).contains("admin"));
    Ok(())
}
