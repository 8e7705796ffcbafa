//! Server streams over HTTP: Connect's streaming form (`application/connect+json` envelopes),
//! and server-sent events for a stream asked for as plain JSON (`application/json`), which any
//! HTTP client reads line by line.

use std::convert::Infallible;

use bytes::{BufMut, Bytes, BytesMut};
use http::{Response, StatusCode, header};
use http_body_util::{BodyExt, Full, StreamBody};
use prost_reflect::MessageDescriptor;
use thidua_domain::FieldViolation;
use tonic::{Code, Status, body::Body};

use super::{
    connect::{Codec, encode, grpc_frames, status_of},
    errors::{error_json, error_response},
};

/// Envelope flag: the message is compressed (not supported: no `connect-content-encoding` is
/// offered).
pub(super) const COMPRESSED: u8 = 0x01;
/// Envelope flag: the stream's last envelope, with the outcome.
pub(super) const END_STREAM: u8 = 0x02;

/// The messages of a Connect stream body, or what is wrong with its framing.
pub(super) fn envelopes(mut body: &[u8]) -> Result<Vec<Bytes>, FieldViolation> {
    let mut found = Vec::new();
    while !body.is_empty() {
        let at = || format!("messages[{}]", found.len());
        if body.len() < 5 {
            return Err(FieldViolation::new(
                at(),
                "a Connect envelope needs 5 bytes of prefix",
            ));
        }
        let flags = body[0];
        let length = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        if flags & COMPRESSED != 0 {
            return Err(FieldViolation::new(
                at(),
                thidua_domain::words!("compressed-refused"),
            ));
        }
        let Some(message) = body.get(5..5 + length) else {
            return Err(FieldViolation::new(
                at(),
                thidua_domain::words!("envelope-short", length = length),
            ));
        };
        found.push(Bytes::copy_from_slice(message));
        body = &body[5 + length..];
    }
    Ok(found)
}

/// How a relayed stream writes what it carries.
#[derive(Debug, Clone, Copy)]
enum Writing {
    /// Connect envelopes, messages in `codec`.
    Envelopes(Codec),
    /// Server-sent events, messages as JSON.
    Events,
}

impl Writing {
    fn content_type(self) -> &'static str {
        match self {
            Writing::Envelopes(Codec::Json) => "application/connect+json",
            Writing::Envelopes(Codec::Proto) => "application/connect+proto",
            Writing::Events => "text/event-stream; charset=utf-8",
        }
    }

    fn codec(self) -> Codec {
        match self {
            Writing::Envelopes(codec) => codec,
            Writing::Events => Codec::Json,
        }
    }

    fn message(self, message: &[u8]) -> Bytes {
        match self {
            Writing::Envelopes(_) => envelope(0, message),
            Writing::Events => event("message", message),
        }
    }

    fn end(self, status: &Status) -> Bytes {
        match self {
            Writing::Envelopes(_) => end_of_stream(status),
            Writing::Events if status.code() == Code::Ok => event("end", b"{}"),
            Writing::Events => event("error", error_json(status).to_string().as_bytes()),
        }
    }
}

/// One server-sent event; JSON holds no raw line break, so `data` is one line.
fn event(kind: &str, data: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(data.len() + kind.len() + 16);
    out.put_slice(b"event: ");
    out.put_slice(kind.as_bytes());
    out.put_slice(b"\ndata: ");
    out.put_slice(data);
    out.put_slice(b"\n\n");
    out.freeze()
}

/// A Connect stream answer from the gRPC one: each message as it arrives, then the outcome.
pub(super) fn connect_stream(
    output: MessageDescriptor,
    codec: Codec,
    response: Response<Body>,
) -> Response<Body> {
    relay(output, Writing::Envelopes(codec), response)
}

/// A stream asked for as plain JSON, answered as server-sent events: `event: message` with
/// each message, then `event: end` (`{}`) or `event: error` (a Connect error). A stream that
/// fails before its first message is answered as a unary call's failure, with its HTTP status.
pub(super) fn event_stream(output: MessageDescriptor, response: Response<Body>) -> Response<Body> {
    if let Some(status) = Status::from_header_map(response.headers())
        && status.code() != Code::Ok
    {
        return error_response(&status);
    }
    relay(output, Writing::Events, response)
}

/// Reads the gRPC answer's messages as they arrive and writes each, then the outcome.
fn relay(output: MessageDescriptor, writing: Writing, response: Response<Body>) -> Response<Body> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<http_body::Frame<Bytes>, Infallible>>(4);
    let (parts, mut body) = response.into_parts();
    tokio::spawn(async move {
        let mut buffer = BytesMut::new();
        let mut trailers = None;
        let mut failed = None;
        'read: while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                failed = Some(crate::status::to_status(thidua_domain::Error::Unavailable(
                    "the stream was interrupted".into(),
                )));
                break;
            };
            match frame.into_data() {
                Ok(data) => {
                    buffer.extend_from_slice(&data);
                    for message in grpc_frames(&mut buffer) {
                        let written = match encode(&output, writing.codec(), &message) {
                            Ok(m) => writing.message(&m),
                            Err(status) => {
                                failed = Some(status);
                                break 'read;
                            }
                        };
                        if tx.send(Ok(http_body::Frame::data(written))).await.is_err() {
                            return;
                        }
                    }
                }
                Err(frame) => trailers = frame.into_trailers().ok(),
            }
        }
        let status = failed.unwrap_or_else(|| status_of(&parts.headers, trailers.as_ref()));
        let _ = tx
            .send(Ok(http_body::Frame::data(writing.end(&status))))
            .await;
    });
    let body = StreamBody::new(tokio_stream::wrappers::ReceiverStream::new(rx));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, writing.content_type())
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::new(body))
        .unwrap_or_default()
}

/// A Connect stream that fails before any message: one end-of-stream envelope.
pub(super) fn stream_failure(status: &Status) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/connect+json")
        .body(Body::new(Full::new(end_of_stream(status))))
        .unwrap_or_default()
}

fn envelope(flags: u8, message: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(5 + message.len());
    out.put_u8(flags);
    out.put_u32(message.len() as u32);
    out.put_slice(message);
    out.freeze()
}

/// The last envelope of a stream: `{}` when it ended well, else `{"error": …}`.
fn end_of_stream(status: &Status) -> Bytes {
    let end = if status.code() == Code::Ok {
        serde_json::json!({})
    } else {
        serde_json::json!({ "error": error_json(status) })
    };
    envelope(END_STREAM, end.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_split_and_refuse_bad_framing() {
        let mut body = envelope(0, b"{}").to_vec();
        body.extend_from_slice(&envelope(0, b"{\"a\":1}"));
        let found = envelopes(&body).map(|v| v.len());
        assert_eq!(found, Ok(2));
        assert!(envelopes(&body[..body.len() - 1]).is_err());
        assert!(envelopes(&envelope(COMPRESSED, b"{}")).is_err());
    }
}
