//! JSON over HTTP on the gRPC port: every RPC of the contract, errors as Connect errors with
//! the gRPC details, the same authentication and audit, HTTP/1.1 and HTTP/2, streams,
//! gRPC-Web, the health routes and the OpenAPI document.

use anyhow::{Context, ensure};
use bytes::{BufMut, Bytes, BytesMut};
use http::Version;
use prost::Message;
use serde_json::{Value, json};
use thidua_proto::v1 as pb;

use super::client::{self, post, post_json};
use crate::env::Env;

pub(super) const TERM: &str = "clusters/bac-kan-city/terms/2022";

/// The RPCs of the contract, as paths.
fn contract_paths() -> anyhow::Result<Vec<(String, bool)>> {
    let set = prost_types::FileDescriptorSet::decode(thidua_proto::FILE_DESCRIPTOR_SET)?;
    let mut paths = Vec::new();
    for file in set.file.iter().filter(|f| f.package() == "thidua.v1") {
        for service in &file.service {
            for method in &service.method {
                paths.push((
                    format!("/thidua.v1.{}/{}", service.name(), method.name()),
                    method.server_streaming(),
                ));
            }
        }
    }
    Ok(paths)
}

/// The reason of a Connect error's `ErrorInfo`.
pub(super) fn reason(error: &Value) -> String {
    error["details"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["type"] == "google.rpc.ErrorInfo"))
        .and_then(|d| d["debug"]["reason"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The fields a Connect error's `BadRequest` names.
fn fields(error: &Value) -> Vec<String> {
    error["details"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["type"] == "google.rpc.BadRequest"))
        .and_then(|d| d["debug"]["fieldViolations"].as_array())
        .map(|v| {
            v.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn envelope(flags: u8, message: &[u8]) -> Bytes {
    let mut out = BytesMut::new();
    out.put_u8(flags);
    out.put_u32(message.len() as u32);
    out.put_slice(message);
    out.freeze()
}

/// The envelopes complete in `read`.
fn envelopes(mut read: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut found = Vec::new();
    while read.len() >= 5 {
        let n = u32::from_be_bytes([read[1], read[2], read[3], read[4]]) as usize;
        if read.len() < 5 + n {
            break;
        }
        found.push((read[0], read[5..5 + n].to_vec()));
        read = &read[5 + n..];
    }
    found
}

pub fn json_api(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load_reported(&env.store)?;
    let base = env.url.as_str();
    let admin = Some(env.admin_token.as_str());
    env.block_on(async {
        // Health and readiness for load balancers, without a key.
        ensure!(client::get(base, "/healthz").await?.status == 200);
        ensure!(client::get(base, "/readyz").await?.status == 200);

        // One call over HTTP/1.1 and HTTP/2 alike, in proto3's JSON mapping.
        let body = json!({ "name": TERM }).to_string();
        let one = post_json(
            base,
            "/thidua.v1.ClusterService/GetTerm",
            admin,
            body.clone(),
        )
        .await?;
        ensure!(one.status == 200, "{}", one.text());
        ensure!(one.header("content-type") == "application/json");
        let two = post(
            base,
            Version::HTTP_2,
            "/thidua.v1.ClusterService/GetTerm",
            "application/json",
            admin,
            body,
        )
        .await?;
        ensure!(
            two.status == 200 && two.json()? == one.json()?,
            "{}",
            two.text()
        );
        let term = one.json()?;
        let members = term["term"]["members"].as_array().map_or(0, Vec::len);
        ensure!(members == 8, "{term}");
        ensure!(term.to_string().contains("Phùng Chí Kiên"), "{term}");
        ensure!(term["term"]["year"] == 2022, "{term}");

        // Every RPC of the contract answers over JSON, as the contract says: a message or a
        // Connect error with its gRPC details, never a server error nor "not a call".
        let paths = contract_paths()?;
        ensure!(paths.len() > 70, "{} RPCs", paths.len());
        for (path, streaming) in &paths {
            let answer = post_json(base, path, admin, "{}").await?;
            ensure!(
                answer.status < 500,
                "{path}: {} {}",
                answer.status,
                answer.text()
            );
            ensure!(
                answer.status != 415 && answer.status != 404
                    || answer.json()?["code"] == "not_found",
                "{path}: {}",
                answer.text()
            );
            let value = answer.json()?;
            if answer.status != 200 {
                ensure!(value["code"].is_string(), "{path}: {value}");
                ensure!(!reason(&value).is_empty(), "{path}: no ErrorInfo: {value}");
            }
            if *streaming {
                // Refused before its first message: a plain Connect error, not an event stream.
                ensure!(
                    answer.status == 400 && fields(&value) == ["term"],
                    "{path}: {value}"
                );
            }
        }

        // Bad input: 400 naming the field, and nothing stored.
        let clusters = || async {
            let listed =
                post_json(base, "/thidua.v1.ClusterService/ListClusters", admin, "{}").await?;
            anyhow::Ok(listed.json()?["clusters"].as_array().map_or(0, Vec::len))
        };
        let before = clusters().await?;
        let create = "/thidua.v1.ClusterService/CreateCluster";
        let cases = [
            (
                json!({ "clusterId": "cum-moi", "cluster": { "displayName": 7 } }).to_string(),
                "cluster.displayName",
            ),
            (
                json!({ "clusterId": "cum-moi", "cluster": { "dispalyName": "Cụm mới" } })
                    .to_string(),
                "cluster.dispalyName",
            ),
            ("{\"clusterId\": \"cum-moi\", ".to_owned(), "body"),
            (
                json!({ "clusterId": "cum-moi", "cluster": { "kind": "CLUSTER_KIND_NONE" } })
                    .to_string(),
                "cluster.kind",
            ),
        ];
        for (body, field) in cases {
            let answer = post_json(base, create, admin, body.clone()).await?;
            let error = answer.json()?;
            ensure!(answer.status == 400, "{body}: {}", answer.text());
            ensure!(error["code"] == "invalid_argument", "{error}");
            ensure!(fields(&error) == [field], "{body}: {error}");
        }
        let huge = format!("{{\"clusterId\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
        let answer = post_json(base, create, admin, huge).await?;
        ensure!(
            answer.status == 400 && answer.json()?["code"] == "invalid_argument",
            "{}",
            answer.status
        );
        ensure!(
            clusters().await? == before,
            "a refused call stored something"
        );

        // The same door: no key, a made-up key.
        let answer = post_json(base, "/thidua.v1.ClusterService/GetTerm", None, "{}").await?;
        ensure!(answer.status == 401 && answer.json()?["code"] == "unauthenticated");
        let made_up = format!("thd_{}", "A".repeat(43));
        let named = json!({ "name": TERM }).to_string();
        let answer = post_json(
            base,
            "/thidua.v1.ClusterService/GetTerm",
            Some(&made_up),
            named,
        )
        .await?;
        ensure!(answer.status == 401, "{}", answer.text());
        // English when the caller prefers it, Vietnamese by default.
        let localized = |v: &Value| {
            v["details"]
                .as_array()
                .and_then(|d| {
                    d.iter()
                        .find(|d| d["type"] == "google.rpc.LocalizedMessage")
                })
                .map(|d| d["debug"]["locale"].as_str().unwrap_or_default().to_owned())
                .unwrap_or_default()
        };
        ensure!(localized(&answer.json()?) == "vi-VN", "{}", answer.text());
        let mut english = client::request(
            "POST",
            "/thidua.v1.ClusterService/GetTerm",
            "application/json",
            None,
            "{}",
        )?;
        english
            .headers_mut()
            .insert("accept-language", http::HeaderValue::from_static("en"));
        let answer = client::send(base, Version::HTTP_11, english).await?;
        ensure!(
            localized(&answer.json()?).starts_with("en"),
            "{}",
            answer.text()
        );

        // A write over JSON is audited as the gRPC call is.
        let body = json!({
            "clusterId": "cum-khoi-dang",
            "cluster": {
                "displayName": "Khối các cơ quan Đảng thành phố Bắc Kạn",
                "kind": "CLUSTER_KIND_FUNCTIONAL_BLOCK",
                "organiser": "units/qd124-2004~058",
            },
        });
        let answer = post_json(base, create, admin, body.to_string()).await?;
        ensure!(answer.status == 200, "{}", answer.text());
        ensure!(answer.json()?["cluster"]["name"] == "clusters/cum-khoi-dang");
        let events = env
            .audit()
            .await?
            .list_audit_events(pb::ListAuditEventsRequest {
                page_size: 1000,
                ..Default::default()
            })
            .await?
            .into_inner()
            .audit_events;
        ensure!(
            events
                .iter()
                .any(|e| e.method.ends_with("ClusterService/CreateCluster")),
            "the JSON write is not in the audit log: {:?}",
            events
                .iter()
                .rev()
                .take(3)
                .map(|e| (&e.method, &e.resource))
                .collect::<Vec<_>>()
        );

        // gRPC-Web, for browser clients.
        let message = pb::GetTermRequest { name: TERM.into() }.encode_to_vec();
        let answer = post(
            base,
            Version::HTTP_11,
            "/thidua.v1.ClusterService/GetTerm",
            "application/grpc-web+proto",
            admin,
            envelope(0, &message),
        )
        .await?;
        ensure!(answer.status == 200, "{}", answer.status);
        let frames = envelopes(&answer.body);
        let reply = frames
            .iter()
            .find(|(flags, _)| *flags == 0)
            .context("no message")?;
        let term = pb::GetTermResponse::decode(reply.1.as_slice())?;
        ensure!(term.term.map(|t| t.members.len()) == Some(8));
        let trailer = frames
            .iter()
            .find(|(flags, _)| *flags & 0x80 != 0)
            .context("no trailer")?;
        ensure!(String::from_utf8_lossy(&trailer.1).contains("grpc-status:0"));

        // An import, a client stream over gRPC, takes its whole upload as one JSON message.
        let body = json!({
            "term": TERM,
            "requestId": "7b1c2a70-0000-4000-8000-000000000001",
            "rows": [{ "unit": "units/qd124-2004~01840", "criterionCode": "I.2", "value": "1000" }],
        });
        let answer = post_json(
            base,
            "/thidua.v1.ScoringService/ImportResults",
            admin,
            body.to_string(),
        )
        .await?;
        ensure!(answer.status == 200, "{}", answer.text());
        ensure!(answer.json()?["resultsStored"] == "1", "{}", answer.text());

        watch_as_events(base, admin).await?;
        watch_over_connect(base, admin).await
    })
}

/// WatchScoreboard asked for as plain JSON: server-sent events, each board a JSON message.
async fn watch_as_events(base: &str, admin: Option<&str>) -> anyhow::Result<()> {
    let response = client::open(
        base,
        Version::HTTP_11,
        client::request(
            "POST",
            "/thidua.v1.ScoringService/WatchScoreboard",
            "application/json",
            admin,
            json!({ "term": TERM }).to_string(),
        )?,
    )
    .await?;
    ensure!(response.status() == 200);
    let content_type = response.headers().get("content-type").cloned();
    ensure!(content_type.is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream")));
    let data = client::first_event(&mut response.into_body(), "message").await?;
    let board: Value = serde_json::from_str(&data)?;
    ensure!(
        board["scoreboard"]["rows"].as_array().map_or(0, Vec::len) == 8,
        "{board}"
    );
    Ok(())
}

/// WatchScoreboard in Connect's streaming form: the board at once, again after a change made
/// through the JSON API.
async fn watch_over_connect(base: &str, admin: Option<&str>) -> anyhow::Result<()> {
    let request = json!({ "term": TERM }).to_string();
    let response = client::open(
        base,
        Version::HTTP_11,
        client::request(
            "POST",
            "/thidua.v1.ScoringService/WatchScoreboard",
            "application/connect+json",
            admin,
            envelope(0, request.as_bytes()),
        )?,
    )
    .await?;
    ensure!(response.status() == 200);
    let mut body = response.into_body();
    let mut read = Vec::new();
    client::read_until(&mut body, &mut read, |r| !envelopes(r).is_empty()).await?;
    let first: Value = serde_json::from_slice(&envelopes(&read)[0].1)?;
    let rows = first["scoreboard"]["rows"].as_array().map_or(0, Vec::len);
    ensure!(rows == 8, "{first}");
    let kien = |board: &Value| {
        board["scoreboard"]["rows"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["displayName"] == "Phùng Chí Kiên"))
            .map(|r| r["total"]["value"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    let before = kien(&first);
    let submit = json!({
        "term": TERM,
        "result": {
            "unit": "units/qd124-2004~01843",
            "criterionCode": "I.2",
            "value": { "value": "0" },
        },
    });
    let answer = post_json(
        base,
        "/thidua.v1.ScoringService/SubmitResult",
        admin,
        submit.to_string(),
    )
    .await?;
    ensure!(answer.status == 200, "{}", answer.text());
    client::read_until(&mut body, &mut read, |r| envelopes(r).len() >= 2).await?;
    let second: Value = serde_json::from_slice(&envelopes(&read)[1].1)?;
    ensure!(kien(&second) != before, "{before} → {second}");
    Ok(())
}

pub fn openapi_document(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        let answer = client::get(&env.url, "/openapi.json").await?;
        ensure!(answer.status == 200);
        let doc = answer.json()?;
        ensure!(doc["openapi"] == "3.1.0");
        let paths = doc["paths"].as_object().context("paths")?;
        for (path, _) in contract_paths()? {
            ensure!(paths.contains_key(&path), "{path} is not in the document");
        }
        let sign = &doc["paths"]["/thidua.v1.ClusterService/SignCovenant"]["post"];
        ensure!(sign["x-thidua-access"] == "report", "{sign}");
        Ok(())
    })
}
