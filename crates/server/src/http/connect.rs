//! Every RPC of the contract as JSON over HTTP, following the Connect protocol
//! (<https://connectrpc.com/docs/protocol>): unary calls as `POST /thidua.v1.Service/Method`
//! with `application/json` (or `application/proto`), streams as `application/connect+json`
//! (or `+proto`) envelopes.
//!
//! Nothing here knows an RPC: the request is decoded with the contract's descriptor set
//! (`prost-reflect`, proto3's canonical JSON mapping), framed as a gRPC call and handed to the
//! same service stack a gRPC client reaches — the front door's authentication, rates and
//! policy, the handlers' authorization and audit, the request log — and the gRPC answer is
//! turned back into Connect's form: the message as JSON, or a Connect error carrying the same
//! `ErrorInfo`, `BadRequest`, `PreconditionFailure` and `LocalizedMessage` details. A new RPC
//! in the contract is served here with no code change.
//!
//! A client-streaming RPC (the imports) also takes a unary request: its body is the stream's
//! one message, carrying every row, the same content a file upload would.

use std::sync::LazyLock;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor};
use thidua_domain::{Error, FieldViolation};
use tonic::{Code, Status, body::Body};
use tower::{Service, ServiceExt};

use super::{errors::error_response, streams};
use crate::locale::speaking_now;

/// The contract's descriptors and those of the error details (`google.rpc`), which the
/// errors' `debug` rendering needs.
pub static CONTRACT: LazyLock<DescriptorPool> = LazyLock::new(|| {
    let mut pool = DescriptorPool::global();
    let sets = [
        thidua_proto::FILE_DESCRIPTOR_SET,
        tonic_types::pb::FILE_DESCRIPTOR_SET,
    ];
    for set in sets {
        // Both sets are compiled into the binary; a failure here is a build defect that every
        // test of this module shows.
        if let Err(e) = pool.decode_file_descriptor_set(set) {
            tracing::error!(error = %e, "the compiled-in descriptor set does not decode");
        }
    }
    pool
});

/// The contract's method at `path` (`/thidua.v1.ClusterService/GetTerm`), if there is one.
pub fn method_at(path: &str) -> Option<MethodDescriptor> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    if !service.starts_with("thidua.") {
        return None;
    }
    CONTRACT
        .get_service_by_name(service)?
        .methods()
        .find(|m| m.name() == method)
}

/// How a message is written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Codec {
    Json,
    Proto,
}

/// Connect's two forms of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One message each way, errors as HTTP statuses with a JSON body.
    Unary(Codec),
    /// Enveloped messages each way, the outcome in a last envelope.
    Stream(Codec),
}

impl Form {
    /// The form a `content-type` asks for.
    fn of(content_type: &str) -> Option<Self> {
        let media = content_type.split(';').next()?.trim().to_ascii_lowercase();
        match media.as_str() {
            "application/json" => Some(Form::Unary(Codec::Json)),
            "application/proto" => Some(Form::Unary(Codec::Proto)),
            "application/connect+json" => Some(Form::Stream(Codec::Json)),
            "application/connect+proto" => Some(Form::Stream(Codec::Proto)),
            _ => None,
        }
    }
}

/// Serves one Connect call of `method` through `inner`, the gRPC service stack.
pub async fn call<S, B>(
    inner: S,
    method: MethodDescriptor,
    request: Request<Body>,
    max_bytes: usize,
) -> Result<Response<Body>, S::Error>
where
    S: Service<Request<Body>, Response = Response<B>> + Send,
    S::Future: Send,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<tonic::codegen::StdError>,
{
    let language = crate::locale::language_of(request.headers());
    let refused = |form: Form, error: Error| {
        let status = speaking_now(language, || crate::status::to_status(error));
        Ok(match form {
            Form::Stream(_) => streams::stream_failure(&status),
            Form::Unary(_) => error_response(&status),
        })
    };
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Not a call at all: Connect's HTTP statuses, the error still a Connect error.
    let not_a_call = |http: StatusCode, field: &str, description: &str| {
        let error = Error::Invalid(vec![FieldViolation::new(field, description)]);
        let mut response =
            error_response(&speaking_now(language, || crate::status::to_status(error)));
        *response.status_mut() = http;
        Ok(response)
    };
    let Some(form) = Form::of(content_type) else {
        return not_a_call(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            "send `application/json` (a call), `application/connect+json` (a stream), or gRPC",
        );
    };
    if request.method() != http::Method::POST {
        let mut refused = not_a_call(
            StatusCode::METHOD_NOT_ALLOWED,
            "method",
            "a call is a POST request",
        );
        if let Ok(r) = &mut refused {
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        return refused;
    }
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, max_bytes).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return refused(
                form,
                Error::Invalid(vec![FieldViolation::new(
                    "body",
                    thidua_domain::words!("body-too-large", max = max_bytes),
                )]),
            );
        }
    };
    let messages = match form {
        Form::Unary(codec) => to_grpc_message(&method.input(), codec, "", &body).map(|m| vec![m]),
        Form::Stream(codec) => streams::envelopes(&body).and_then(|found| {
            found
                .iter()
                .enumerate()
                .map(|(i, m)| to_grpc_message(&method.input(), codec, &format!("messages[{i}]"), m))
                .collect()
        }),
    };
    let messages = match messages {
        Ok(m) if m.len() == 1 || method.is_client_streaming() => m,
        Ok(m) => {
            return refused(
                form,
                Error::Invalid(vec![FieldViolation::new(
                    "body",
                    thidua_domain::words!("one-message", method = method.name(), sent = m.len()),
                )]),
            );
        }
        Err(violation) => return refused(form, Error::Invalid(vec![violation])),
    };
    let grpc = grpc_request(&parts, messages);
    let response = inner.oneshot(grpc).await?.map(Body::new);
    Ok(match form {
        Form::Unary(_) if method.is_server_streaming() => {
            streams::event_stream(method.output(), response)
        }
        Form::Unary(codec) => unary_response(&method.output(), codec, response).await,
        Form::Stream(codec) => streams::connect_stream(method.output(), codec, response),
    })
}

/// The gRPC form of one request message: decoded from `codec` against `input`, re-encoded as
/// protobuf. A violation names the JSON field at fault, under `prefix`.
fn to_grpc_message(
    input: &MessageDescriptor,
    codec: Codec,
    prefix: &str,
    bytes: &[u8],
) -> Result<Bytes, FieldViolation> {
    let at = |path: String| {
        // serde_path_to_error writes `?` where the input ended before a key was read.
        let path = match path.rsplit_once('.') {
            Some((parent, "?")) => parent.to_owned(),
            None if path == "?" => String::new(),
            _ => path,
        };
        at_path(prefix, path)
    };
    let message = match codec {
        Codec::Proto => DynamicMessage::decode(input.clone(), bytes).map_err(|e| {
            FieldViolation::new(
                at(String::new()),
                thidua_domain::words!("not-a-message", message = input.name(), cause = e),
            )
        })?,
        Codec::Json => {
            let mut json = serde_json::Deserializer::from_slice(bytes);
            let mut track = serde_path_to_error::Track::new();
            let message = DynamicMessage::deserialize(
                input.clone(),
                serde_path_to_error::Deserializer::new(&mut json, &mut track),
            )
            .map_err(|e| {
                let mut path = track.path().to_string();
                // An unknown field is reported at its object; its own name is in the message.
                if let Some(name) = unknown_field(&e.to_string()) {
                    path = if path.is_empty() || path == "." {
                        name.to_owned()
                    } else {
                        format!("{path}.{name}")
                    };
                }
                FieldViolation::new(at(path), json_error(&e))
            })?;
            json.end()
                .map_err(|e| FieldViolation::new(at(String::new()), json_error(&e)))?;
            message
        }
    };
    Ok(Bytes::from(message.encode_to_vec()))
}

/// Where a violation is: `path` under `prefix`, or the whole body.
fn at_path(prefix: &str, path: String) -> String {
    match (prefix.is_empty(), path.is_empty() || path == ".") {
        (true, true) => "body".to_owned(),
        (true, false) => path,
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// The name in prost-reflect's "unrecognized field name 'x'".
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unrecognized field name '")?;
    rest.split_once('\'').map(|(name, _)| name)
}

/// serde_json's error without its position when the path already says where.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) if e.line() > 0 => {
            format!("{} (line {}, column {})", &text[..i], e.line(), e.column())
        }
        _ => text,
    }
}

/// The in-process gRPC request of a Connect call: its headers (the bearer key, the language,
/// the caller's own) and extensions (the peer's address) kept, its messages framed.
fn grpc_request(parts: &http::request::Parts, messages: Vec<Bytes>) -> Request<Body> {
    let mut framed = BytesMut::new();
    for m in messages {
        framed.put_u8(0);
        framed.put_u32(m.len() as u32);
        framed.put(m);
    }
    let mut request = Request::new(Body::new(Full::new(framed.freeze())));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = http::Uri::from(
        http::uri::PathAndQuery::try_from(parts.uri.path())
            .unwrap_or_else(|_| http::uri::PathAndQuery::from_static("/")),
    );
    *request.version_mut() = http::Version::HTTP_2;
    *request.extensions_mut() = parts.extensions.clone();
    let headers = request.headers_mut();
    for (name, value) in &parts.headers {
        let kept = !matches!(
            name.as_str(),
            "content-type"
                | "content-length"
                | "content-encoding"
                | "accept-encoding"
                | "connection"
                | "host"
                | "te"
                | "transfer-encoding"
                | "upgrade"
                | "keep-alive"
                | "connect-protocol-version"
                | "connect-timeout-ms"
        );
        if kept {
            headers.append(name.clone(), value.clone());
        }
    }
    if let Some(ms) = parts
        .headers
        .get("connect-timeout-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && let Ok(v) = HeaderValue::try_from(format!("{}m", ms.min(99_999_999)))
    {
        headers.insert("grpc-timeout", v);
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(header::TE, HeaderValue::from_static("trailers"));
    request
}

/// Splits gRPC frames off the front of `buffer`; a partial frame stays.
pub(super) fn grpc_frames(buffer: &mut BytesMut) -> Vec<Bytes> {
    let mut frames = Vec::new();
    while buffer.len() >= 5 {
        let length = u32::from_be_bytes([buffer[1], buffer[2], buffer[3], buffer[4]]) as usize;
        if buffer.len() < 5 + length {
            break;
        }
        buffer.advance(5);
        frames.push(buffer.split_to(length).freeze());
    }
    frames
}

/// The status a gRPC answer ended with: from its trailers, or its headers when it had no body.
pub(super) fn status_of(headers: &HeaderMap, trailers: Option<&HeaderMap>) -> Status {
    trailers
        .and_then(Status::from_header_map)
        .or_else(|| Status::from_header_map(headers))
        .unwrap_or_else(|| {
            crate::status::to_status(thidua_domain::Error::Internal(
                "the call ended without a status".into(),
            ))
        })
}

/// A unary Connect answer from the gRPC one.
async fn unary_response(
    output: &MessageDescriptor,
    codec: Codec,
    response: Response<Body>,
) -> Response<Body> {
    let (parts, body) = response.into_parts();
    let collected = match body.collect().await {
        Ok(c) => c,
        Err(_) => {
            return error_response(&crate::status::to_status(
                thidua_domain::Error::Unavailable("the call was interrupted".into()),
            ));
        }
    };
    let trailers = collected.trailers().cloned();
    let mut data = BytesMut::from(&collected.to_bytes()[..]);
    let status = status_of(&parts.headers, trailers.as_ref());
    if status.code() != Code::Ok {
        return error_response(&status);
    }
    let Some(message) = grpc_frames(&mut data).into_iter().next() else {
        return error_response(&crate::status::to_status(thidua_domain::Error::Internal(
            "the call answered no message".into(),
        )));
    };
    match encode(output, codec, &message) {
        Ok(body) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, content_type(Form::Unary(codec)))
            .body(Body::new(Full::new(body)))
            .unwrap_or_default(),
        Err(status) => error_response(&status),
    }
}

/// The message in `codec`: protobuf as it came, or proto3's canonical JSON.
pub(super) fn encode(
    output: &MessageDescriptor,
    codec: Codec,
    message: &Bytes,
) -> Result<Bytes, Status> {
    match codec {
        Codec::Proto => Ok(message.clone()),
        Codec::Json => {
            let decoded =
                DynamicMessage::decode(output.clone(), message.clone()).map_err(|_| {
                    crate::status::to_status(thidua_domain::Error::Internal(
                        "the answer does not decode".into(),
                    ))
                })?;
            serde_json::to_vec(&decoded).map(Bytes::from).map_err(|_| {
                crate::status::to_status(thidua_domain::Error::Internal(
                    "the answer does not encode as JSON".into(),
                ))
            })
        }
    }
}

fn content_type(form: Form) -> &'static str {
    match form {
        Form::Unary(Codec::Json) => "application/json",
        Form::Unary(Codec::Proto) => "application/proto",
        Form::Stream(Codec::Json) => "application/connect+json",
        Form::Stream(Codec::Proto) => "application/connect+proto",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_of_the_contract_is_found_by_its_path() {
        let services = CONTRACT
            .services()
            .filter(|s| s.package_name() == "thidua.v1");
        let mut count = 0;
        for service in services {
            for method in service.methods() {
                let path = format!("/{}/{}", service.full_name(), method.name());
                assert_eq!(
                    method_at(&path).map(|m| m.full_name().to_owned()),
                    Some(method.full_name().to_owned())
                );
                count += 1;
            }
        }
        assert!(count > 70, "{count} RPCs");
        assert!(method_at("/grpc.health.v1.Health/Check").is_none());
        assert!(method_at("/thidua.v1.ClusterService/NoSuchCall").is_none());
    }

    #[test]
    fn a_json_violation_names_the_field() {
        let input = method_at("/thidua.v1.ClusterService/GetTerm").map(|m| m.input());
        let Some(input) = input else {
            panic!("GetTerm is in the contract");
        };
        let wrong = to_grpc_message(&input, Codec::Json, "", br#"{"name": 7}"#);
        assert_eq!(wrong.map_err(|v| v.field), Err("name".to_owned()));
        let unknown = to_grpc_message(&input, Codec::Json, "", br#"{"nmae": "x"}"#);
        assert_eq!(unknown.map_err(|v| v.field), Err("nmae".to_owned()));
        let bad = to_grpc_message(&input, Codec::Json, "", b"{\"name\": ");
        assert_eq!(bad.map_err(|v| v.field), Err("name".to_owned()));
        let ok = to_grpc_message(
            &input,
            Codec::Json,
            "",
            "{\"name\": \"clusters/Cụm 1/terms/2022\"}".as_bytes(),
        );
        assert!(ok.is_ok());
    }
}
