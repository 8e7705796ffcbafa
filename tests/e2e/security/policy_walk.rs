//! The policy walked over the wire: every RPC of the contract, called by every role from every
//! scope relation with a raw request built from the contract's descriptors, answered as the
//! expectation table says, and every refusal audited.

use anyhow::{Context, ensure};
use prost::Message;
use thidua_domain::{
    award::{Award, AwardKind, AwardState, Dossier},
    time::Timestamp,
    unit::{Scheme, UnitRef},
};
use thidua_proto::v1 as pb;
use tonic::{Code, codec::Codec};

use super::{create_key, policy_cases::*};
use crate::{
    env::{Env, shared_data},
    support::{bac_kan_members, create_cluster, create_term, import, import_bac_kan, legacy},
};

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
pub(super) struct Contract {
    files: prost_types::FileDescriptorSet,
}

impl Contract {
    pub(super) fn load() -> anyhow::Result<Self> {
        Ok(Self {
            files: prost_types::FileDescriptorSet::decode(thidua_proto::FILE_DESCRIPTOR_SET)?,
        })
    }

    /// Every `Service/Method` with its input type's full name.
    pub(super) fn methods(&self) -> Vec<(String, String)> {
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
    pub(super) fn encode(
        &self,
        full_name: &str,
        fields: &[(&str, Value<'_>)],
    ) -> anyhow::Result<Vec<u8>> {
        let message = self.message(full_name)?;
        let mut out = Vec::new();
        let mut nested: Vec<(String, Vec<(String, Value<'_>)>)> = Vec::new();
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
            let inner: Vec<(&str, Value<'_>)> =
                inner.iter().map(|(p, v)| (p.as_str(), *v)).collect();
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
pub(super) async fn call_raw(
    env: &Env,
    token: &str,
    method: &str,
    body: Vec<u8>,
) -> anyhow::Result<Code> {
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
                entry: "CTD_TINH".into(),
                state: AwardState::Proposed,
                dossier: Dossier::default(),
                override_reason: String::new(),
                ballot: None,
                revocation: None,
                decision: None,
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
        super::transfer_walk::after_transfer(env, &contract).await
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
