//! The OpenAPI 3.1 document of the JSON API, made from the descriptor set compiled into the
//! binary (so it cannot drift from the contract): one operation per RPC, its proto comment as
//! the description, the role it needs from the policy table, its request and response
//! schemas in proto3's canonical JSON mapping, and Connect's error object with every
//! `ErrorInfo.reason` the server sends.

use std::sync::LazyLock;

use bytes::Bytes;
use http::Response;
use prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor,
};
use serde_json::{Map, Value, json};
use thidua_domain::access::{Effect, POLICY};
use tonic::body::Body;

use super::connect::CONTRACT;

/// The document, built once.
static DOCUMENT: LazyLock<Bytes> =
    LazyLock::new(|| Bytes::from(serde_json::to_vec_pretty(&document()).unwrap_or_default()));

/// `GET /openapi.json`.
pub fn response() -> Response<Body> {
    super::bytes("application/json", DOCUMENT.clone())
}

/// The document as JSON.
pub fn document() -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let services = CONTRACT
        .services()
        .filter(|s| s.package_name() == "thidua.v1");
    let mut tags = Vec::new();
    for service in services {
        tags.push(json!({
            "name": service.name(),
            "description": comment(&service.parent_file(), service.path()),
        }));
        for method in service.methods() {
            let path = format!("/{}/{}", service.full_name(), method.name());
            paths.insert(path, json!({ "post": operation(&method, &mut schemas) }));
        }
    }
    schemas.insert("ConnectError".into(), connect_error());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "thidua",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Vietnamese emulation clusters (cụm, khối thi đua) over JSON: every \
                RPC of the gRPC contract `thidua.v1`, called with the Connect protocol — `POST` \
                the request message as JSON (proto3's canonical JSON mapping: lowerCamelCase \
                names, 64-bit integers as strings, enums by name, timestamps in RFC 3339) with \
                `Content-Type: application/json` and `Authorization: Bearer <API key>`. Errors \
                are Connect error objects carrying the same details as the gRPC errors. \
                WatchScoreboard is a stream (`application/connect+json` envelopes); the imports \
                take their whole upload as one message.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "apiKey": [] }],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key (`thd_…`) made with `thidua key create`.",
                },
            },
            "schemas": schemas,
            "responses": {
                "Error": {
                    "description": "The call failed: a Connect error with the HTTP status of \
                        its code (400 invalid_argument and failed_precondition, 401 \
                        unauthenticated, 403 permission_denied, 404 not_found, 409 \
                        already_exists and aborted, 429 resource_exhausted, 503 unavailable).",
                    "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/ConnectError" },
                    } },
                },
            },
        },
    })
}

/// The operation of one RPC.
fn operation(method: &MethodDescriptor, schemas: &mut Map<String, Value>) -> Value {
    let policy = POLICY
        .iter()
        .find(|(m, _, _)| format!("{}/{}", method.parent_service().name(), method.name()) == *m);
    let (need, writes) = policy.map_or(("nobody".to_owned(), false), |(_, need, effect)| {
        (format!("{need:?}").to_lowercase(), *effect == Effect::Write)
    });
    let mut description = comment(&method.parent_file(), method.path());
    description.push_str(&format!(
        "\n\nWho may call it: **{need}** (see the README's roles).{}",
        if writes {
            " Changes state; audited."
        } else {
            ""
        }
    ));
    let input = schema_ref(&method.input(), schemas);
    let output = schema_ref(&method.output(), schemas);
    let request = json!({ "application/json": { "schema": input } });
    let answer = if method.is_server_streaming() {
        description.push_str(
            "\n\nA stream: the answer is a stream of server-sent events (`text/event-stream`): \
             `event: message` with each message as JSON, then `event: end` (`{}`) or `event: \
             error` (a Connect error). Connect clients may also call it in Connect's streaming \
             form (`application/connect+json` envelopes).",
        );
        json!({ "text/event-stream": { "schema": server_sent_event(&output) } })
    } else {
        if method.is_client_streaming() {
            description.push_str(
                "\n\nOver gRPC a client stream; here one message carries the whole upload.",
            );
        }
        json!({ "application/json": { "schema": output } })
    };
    json!({
        "operationId": format!("{}_{}", method.parent_service().name(), method.name()),
        "tags": [method.parent_service().name()],
        "summary": description.lines().next().unwrap_or_default(),
        "description": description,
        "x-thidua-access": need,
        "requestBody": { "required": true, "content": request },
        "responses": {
            "200": { "description": "The call succeeded.", "content": answer },
            "default": { "$ref": "#/components/responses/Error" },
        },
    })
}

/// One event of a stream: a message, the end, or the error that ended it.
fn server_sent_event(message: &Value) -> Value {
    let data = |schema: Value| json!({ "type": "string", "contentMediaType": "application/json", "contentSchema": schema });
    json!({
        "oneOf": [
            {
                "type": "object",
                "required": ["event", "data"],
                "properties": { "event": { "const": "message" }, "data": data(message.clone()) },
            },
            {
                "type": "object",
                "required": ["event", "data"],
                "properties": { "event": { "const": "end" }, "data": data(json!({ "type": "object" })) },
            },
            {
                "type": "object",
                "required": ["event", "data"],
                "properties": {
                    "event": { "const": "error" },
                    "data": data(json!({ "$ref": "#/components/schemas/ConnectError" })),
                },
            },
        ],
    })
}

/// A `$ref` to the schema of `message`, adding it (and what it uses) to `schemas`.
fn schema_ref(message: &MessageDescriptor, schemas: &mut Map<String, Value>) -> Value {
    if let Some(wkt) = well_known(message.full_name()) {
        return wkt;
    }
    let name = message.full_name().to_owned();
    if !schemas.contains_key(&name) {
        // Placed first, so a message that contains itself refers to it instead of recursing.
        schemas.insert(name.clone(), Value::Null);
        let mut properties = Map::new();
        for field in message.fields() {
            let mut schema = nullable(field_schema(&field, schemas));
            let text = comment(&field.parent_file(), field.path());
            if !text.is_empty() && schema.get("anyOf").is_none() {
                schema["description"] = text.into();
            }
            properties.insert(field.json_name().to_owned(), schema);
        }
        let schema = json!({
            "type": "object",
            "description": comment(&message.parent_file(), message.path()),
            "properties": properties,
            "additionalProperties": false,
        });
        schemas.insert(name.clone(), schema);
    }
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// `schema`, or `null`: proto3's JSON mapping reads a field's `null` as its default value.
fn nullable(mut schema: Value) -> Value {
    match schema.get("type").cloned() {
        Some(Value::String(kind)) if schema.get("oneOf").is_none() => {
            schema["type"] = json!([kind, "null"]);
            if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
                values.push(Value::Null);
            }
            schema
        }
        _ => json!({ "anyOf": [schema, { "type": "null" }] }),
    }
}

/// The schema of one field: its kind, in a list or a map when it is one.
fn field_schema(field: &FieldDescriptor, schemas: &mut Map<String, Value>) -> Value {
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return json!({ "type": "object" });
        };
        let value = entry.map_entry_value_field();
        return json!({ "type": "object", "additionalProperties": kind_schema(&value.kind(), schemas) });
    }
    let one = kind_schema(&field.kind(), schemas);
    if field.cardinality() == Cardinality::Repeated {
        json!({ "type": "array", "items": one })
    } else {
        one
    }
}

/// A kind's schema as proto3's JSON mapping reads it: numbers also as strings (64-bit integers
/// are written as strings), enums by name or number (written by name).
fn kind_schema(kind: &Kind, schemas: &mut Map<String, Value>) -> Value {
    let integer = |format: &str, minimum: Value, maximum: Value, digits: &str| {
        json!({
            "oneOf": [
                { "type": "integer", "format": format, "minimum": minimum, "maximum": maximum },
                { "type": "string", "pattern": format!("^{digits}$") },
            ],
        })
    };
    match kind {
        Kind::Double | Kind::Float => json!({
            "oneOf": [
                { "type": "number" },
                { "type": "string", "pattern": "^(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|-?Infinity)$" },
            ],
        }),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            integer("int32", json!(i32::MIN), json!(i32::MAX), "-?[0-9]{1,9}")
        }
        Kind::Uint32 | Kind::Fixed32 => integer("int32", json!(0), json!(u32::MAX), "[0-9]{1,9}"),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            integer("int64", json!(i64::MIN), json!(i64::MAX), "-?[0-9]{1,18}")
        }
        Kind::Uint64 | Kind::Fixed64 => integer("int64", json!(0), json!(u64::MAX), "[0-9]{1,19}"),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::String => json!({ "type": "string" }),
        Kind::Bytes => json!({ "type": "string", "contentEncoding": "base64" }),
        Kind::Message(m) => schema_ref(m, schemas),
        Kind::Enum(e) => enum_schema(e),
    }
}

fn enum_schema(e: &EnumDescriptor) -> Value {
    let names: Vec<String> = e.values().map(|v| v.name().to_owned()).collect();
    let numbers: Vec<i32> = e.values().map(|v| v.number()).collect();
    let mut lines = vec![comment(&e.parent_file(), e.path())];
    for value in e.values() {
        let text = comment(&value.parent_file(), value.path());
        lines.push(format!("- `{}`: {}", value.name(), text));
    }
    json!({
        "description": lines.join("\n"),
        "oneOf": [
            { "type": "string", "enum": names },
            { "type": "integer", "enum": numbers },
        ],
    })
}

/// The JSON form of the well-known types the contract uses.
fn well_known(name: &str) -> Option<Value> {
    match name {
        "google.protobuf.Timestamp" => Some(json!({ "type": "string", "format": "date-time" })),
        "google.protobuf.FieldMask" => Some(json!({
            "type": "string",
            "description": "Field paths, comma-separated, in lowerCamelCase.",
        })),
        _ => None,
    }
}

/// Connect's error object, and the reasons `ErrorInfo` may carry.
fn connect_error() -> Value {
    let reasons = CONTRACT
        .get_enum_by_name("thidua.v1.ErrorReason")
        .map(|e| enum_schema(&e))
        .unwrap_or_else(|| json!({}));
    json!({
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {
                "type": "string",
                "enum": ["canceled", "unknown", "invalid_argument", "deadline_exceeded",
                    "not_found", "already_exists", "permission_denied", "resource_exhausted",
                    "failed_precondition", "aborted", "out_of_range", "unimplemented",
                    "internal", "unavailable", "data_loss", "unauthenticated"],
            },
            "message": { "type": "string" },
            "details": {
                "type": "array",
                "description": format!(
                    "The gRPC status's details: `google.rpc.ErrorInfo` (its `reason` one of \
                     the ErrorReason names without the `ERROR_REASON_` prefix, domain \
                     `thidua.v1`), `google.rpc.BadRequest` (every invalid field), \
                     `google.rpc.PreconditionFailure`, `google.rpc.LocalizedMessage` (what the \
                     reason means, in Vietnamese unless `Accept-Language` prefers English).\n\n{}",
                    reasons["description"].as_str().unwrap_or_default()
                ),
                "items": {
                    "type": "object",
                    "required": ["type", "value"],
                    "properties": {
                        "type": { "type": "string" },
                        "value": { "type": "string", "contentEncoding": "base64" },
                        "debug": { "type": "object" },
                    },
                },
            },
        },
    })
}

/// The comment written before the element at `path` of `file`, joined into one paragraph per
/// blank line.
fn comment(file: &prost_reflect::FileDescriptor, path: &[i32]) -> String {
    let Some(info) = &file.file_descriptor_proto().source_code_info else {
        return String::new();
    };
    info.location
        .iter()
        .find(|l| l.path == path)
        .and_then(|l| l.leading_comments.as_deref())
        .map(|c| {
            c.split("\n\n")
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n\n")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_is_an_operation_with_its_comment_and_its_access() {
        let doc = document();
        let paths = doc["paths"]
            .as_object()
            .map(|p| p.len())
            .unwrap_or_default();
        let rpcs: usize = CONTRACT
            .services()
            .filter(|s| s.package_name() == "thidua.v1")
            .map(|s| s.methods().len())
            .sum();
        assert_eq!(paths, rpcs);
        let get_term = &doc["paths"]["/thidua.v1.ClusterService/GetTerm"]["post"];
        assert_eq!(get_term["x-thidua-access"], "read");
        assert!(
            get_term["description"]
                .as_str()
                .is_some_and(|d| d.starts_with("Gets a term"))
        );
        let term = &doc["components"]["schemas"]["thidua.v1.Term"];
        assert_eq!(term["type"], "object");
        let reasons =
            doc["components"]["schemas"]["ConnectError"]["properties"]["details"]["description"]
                .as_str()
                .unwrap_or_default();
        assert!(reasons.contains("ERROR_REASON_QUOTA_TIE"), "{reasons}");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (i, _) in text.match_indices("#/components/schemas/") {
            let rest = &text[i + "#/components/schemas/".len()..];
            let name = &rest[..rest.find('"').unwrap_or(rest.len())];
            assert!(schemas.get(name).is_some_and(|s| !s.is_null()), "{name}");
        }
    }
}
