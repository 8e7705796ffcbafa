//! One log line per call, when the call is over: method, request id, principal, gRPC status
//! and latency; and the same facts as metrics ([`crate::metrics`]).
//!
//! A call is over when its status is known: at once for a unary call refused "trailers-only"
//! (the status is in the headers); when its body ends with the trailers otherwise (a stream's
//! real final status, not the OK of its first headers); or when the client goes away, which
//! drops the call (logged `Cancelled`). Each call carries a request id: the client's
//! `x-request-id` when it sends a usable one, else a new one; it is returned in the response's
//! `x-request-id` and recorded in the call's audit event.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
    time::Instant,
};

use http_body::{Body, Frame};
use tower::{Layer, Service};
use tracing::Instrument;

/// The header that carries a call's request id, both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest request id taken from a client; a longer or unprintable one is replaced.
const MAX_REQUEST_ID_CHARS: usize = 128;

/// The request id of a call, in its request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The client's request id when it is usable, else a new one.
fn request_id_of(headers: &http::HeaderMap) -> String {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_REQUEST_ID_CHARS
                && v.bytes().all(|b| b.is_ascii_graphic())
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// Wraps every request in a span and logs its outcome once it is known.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLogLayer;

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestLog { inner }
    }
}

/// The service of [`RequestLogLayer`].
#[derive(Debug, Clone)]
pub struct RequestLog<S> {
    inner: S,
}

/// A call not yet over: logs it as cancelled if dropped before [`Pending::finish`].
struct Pending {
    method: String,
    started: Instant,
    span: tracing::Span,
    done: bool,
}

impl Pending {
    fn finish(&mut self, code: tonic::Code) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let latency = self.started.elapsed();
        let latency_ms = latency.as_secs_f64() * 1000.0;
        let method = self.method.as_str();
        crate::metrics::call_ended(method, code, latency);
        self.span.in_scope(|| match code {
            tonic::Code::Ok => tracing::info!(method, status = ?code, latency_ms, "request"),
            tonic::Code::Internal | tonic::Code::Unknown | tonic::Code::DataLoss => {
                tracing::error!(method, status = ?code, latency_ms, "request")
            }
            _ => tracing::warn!(method, status = ?code, latency_ms, "request"),
        });
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Dropped unfinished: the client went away (or its deadline passed) mid-call.
        self.finish(tonic::Code::Cancelled);
    }
}

fn status_in(headers: &http::HeaderMap) -> Option<tonic::Code> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map(tonic::Code::from)
}

impl<S, B, R> Service<http::Request<B>> for RequestLog<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
    R: Body + Send + 'static,
{
    type Response = http::Response<LoggedBody<R>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let request_id = request_id_of(request.headers());
        request
            .extensions_mut()
            .insert(RequestId(request_id.clone()));
        // The authentication layer inside records the principal in this span.
        let span = tracing::info_span!(
            "call",
            request_id = %request_id,
            principal = tracing::field::Empty
        );
        crate::metrics::call_started();
        let mut pending = Pending {
            method,
            started: Instant::now(),
            span: span.clone(),
            done: false,
        };
        let future = span.in_scope(|| self.inner.call(request));
        Box::pin(
            async move {
                match future.await {
                    Ok(response) => {
                        let (mut parts, body) = response.into_parts();
                        if let Ok(value) = http::HeaderValue::from_str(&request_id) {
                            parts.headers.insert(REQUEST_ID_HEADER, value);
                        }
                        // Trailers-only: the status is already known.
                        let pending = match status_in(&parts.headers) {
                            Some(code) => {
                                pending.finish(code);
                                None
                            }
                            None => Some(pending),
                        };
                        Ok(http::Response::from_parts(
                            parts,
                            LoggedBody {
                                inner: body,
                                pending,
                            },
                        ))
                    }
                    Err(e) => {
                        tracing::warn!(method = %pending.method, error = %e, "request failed");
                        pending.finish(tonic::Code::Unknown);
                        Err(e)
                    }
                }
            }
            .instrument(span),
        )
    }
}

pin_project_lite::pin_project! {
    /// A response body that logs its call when the trailers carry its status (or when it ends
    /// without them, or is dropped unfinished).
    pub struct LoggedBody<B> {
        #[pin]
        inner: B,
        pending: Option<Pending>,
    }
}

impl<B: Body> Body for LoggedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(pending) = this.pending {
            match &frame {
                Some(Ok(f)) => {
                    if let Some(code) = f.trailers_ref().and_then(status_in) {
                        pending.finish(code);
                    }
                }
                Some(Err(_)) => pending.finish(tonic::Code::Unknown),
                None => pending.finish(tonic::Code::Ok),
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl<B: Default> Default for LoggedBody<B> {
    fn default() -> Self {
        Self {
            inner: B::default(),
            pending: None,
        }
    }
}
