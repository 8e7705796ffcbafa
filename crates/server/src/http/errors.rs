//! Connect's errors: the JSON object, its code's name and HTTP status, made from the gRPC
//! status the service stack answered (or the front door refused) with.

use base64::Engine;
use bytes::Bytes;
use http::{Response, StatusCode, header};
use http_body_util::Full;
use prost::Message;
use prost_reflect::DynamicMessage;
use tonic::{Code, Status, body::Body};

use super::connect::CONTRACT;

/// A unary call's failure: the HTTP status Connect gives the code, the error as JSON.
pub fn error_response(status: &Status) -> Response<Body> {
    Response::builder()
        .status(http_status(status.code()))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::new(Full::new(Bytes::from(
            error_json(status).to_string(),
        ))))
        .unwrap_or_default()
}

/// Connect's error object: its code's name, the message, and each detail of the gRPC status as
/// `{type, value (base64 protobuf), debug (its JSON)}`.
pub fn error_json(status: &Status) -> serde_json::Value {
    let details: Vec<serde_json::Value> = tonic_types::pb::Status::decode(status.details())
        .map(|s| s.details)
        .unwrap_or_default()
        .into_iter()
        .map(|any| {
            let name = any
                .type_url
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let debug = CONTRACT
                .get_message_by_name(&name)
                .and_then(|d| DynamicMessage::decode(d, any.value.as_slice()).ok())
                .and_then(|m| serde_json::to_value(&m).ok());
            let mut detail = serde_json::json!({
                "type": name,
                "value": base64::engine::general_purpose::STANDARD_NO_PAD.encode(&any.value),
            });
            if let Some(debug) = debug {
                detail["debug"] = debug;
            }
            detail
        })
        .collect();
    let mut error = serde_json::json!({ "code": code_name(status.code()) });
    if !status.message().is_empty() {
        error["message"] = status.message().into();
    }
    if !details.is_empty() {
        error["details"] = details.into();
    }
    error
}

/// Connect's name of a gRPC code.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "ok",
        Code::Cancelled => "canceled",
        Code::Unknown => "unknown",
        Code::InvalidArgument => "invalid_argument",
        Code::DeadlineExceeded => "deadline_exceeded",
        Code::NotFound => "not_found",
        Code::AlreadyExists => "already_exists",
        Code::PermissionDenied => "permission_denied",
        Code::ResourceExhausted => "resource_exhausted",
        Code::FailedPrecondition => "failed_precondition",
        Code::Aborted => "aborted",
        Code::OutOfRange => "out_of_range",
        Code::Unimplemented => "unimplemented",
        Code::Internal => "internal",
        Code::Unavailable => "unavailable",
        Code::DataLoss => "data_loss",
        Code::Unauthenticated => "unauthenticated",
    }
}

/// The HTTP status Connect gives a code.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound | Code::Unimplemented => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A short plain-text answer, for requests that are not calls at all.
pub fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::new(Full::new(Bytes::from_static(text.as_bytes()))))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_connect_names_and_statuses() {
        assert_eq!(http_status(Code::InvalidArgument), StatusCode::BAD_REQUEST);
        assert_eq!(http_status(Code::Unauthenticated), StatusCode::UNAUTHORIZED);
        assert_eq!(http_status(Code::Aborted), StatusCode::CONFLICT);
        assert_eq!(code_name(Code::Cancelled), "canceled");
    }
}
