//! The front door of every call: load shedding, authentication and the per-key rate limit,
//! before any handler runs.
//!
//! - **Load shedding.** At most `max_in_flight` calls run at once; the next one is answered
//!   `RESOURCE_EXHAUSTED` at once instead of queueing into a timeout.
//! - **Authentication.** `authorization: Bearer <API key>` on every call but the health check.
//!   The key's digest is looked up on every call, so a revocation takes effect at once, on
//!   every server sharing the database.
//! - **Rate.** Every call counts against its peer address here, before its key is looked up;
//!   once the key is known (in `authorization::Call::admit`), against the key
//!   ([`crate::rates`]): a misbehaving integration slows itself, not the others, and made-up
//!   keys cost no memory.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use thidua_domain::{
    Error,
    access::{ApiKey, POLICY, Principal, check_token, token_digest},
};
use thidua_storage::Store;
use tokio::sync::Semaphore;
use tower::{Layer, Service};

use crate::{
    admissions::Admissions,
    app,
    authorization::CalledMethod,
    connections::peer_of,
    rates::{Rate, Rates},
    status::to_status,
};

/// Paths served without a key: the health check, for load balancers and orchestrators.
const OPEN_PATH_PREFIX: &str = "/grpc.health.v1.Health/";
/// Server reflection: open to any authenticated caller (the contract is public).
const REFLECTION_PATH_PREFIX: &str = "/grpc.reflection.";
/// Prefix of the paths of thidua's own services.
const SERVICE_PATH_PREFIX: &str = "/thidua.v1.";

/// The method of `path` as the policy table names it; `None` for a path it does not name.
fn policy_method(path: &str) -> Option<&'static str> {
    let method = path.strip_prefix(SERVICE_PATH_PREFIX)?;
    POLICY.iter().map(|(m, _, _)| *m).find(|m| *m == method)
}

/// Limits of the front door.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Calls served at once, across all connections; more are shed.
    pub max_in_flight: usize,
    /// Calls per second each key may make, sustained.
    pub rate_per_key: f64,
    /// Calls a key may make in a burst above its rate.
    pub burst_per_key: f64,
    /// Calls per second from one peer address, sustained, before any key is looked up.
    pub rate_per_peer: f64,
    /// Calls a peer address may make in a burst above its rate.
    pub burst_per_peer: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_in_flight: 512,
            rate_per_key: 200.0,
            burst_per_key: 400.0,
            rate_per_peer: 2000.0,
            burst_per_peer: 4000.0,
        }
    }
}

/// The layer: authenticates every call against `store` within `limits`.
#[derive(Debug, Clone)]
pub struct AuthLayer {
    store: Store,
    in_flight: Arc<Semaphore>,
    rates: Arc<Rates>,
    admissions: Arc<Admissions>,
}

impl AuthLayer {
    /// A front door over `store`, keeping at most `admissions` decided admissions.
    pub fn new(store: Store, limits: Limits, admissions: usize) -> Self {
        Self {
            store,
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight)),
            rates: Arc::new(Rates::new(
                Rate {
                    per_second: limits.rate_per_key,
                    burst: limits.burst_per_key as u32,
                },
                Rate {
                    per_second: limits.rate_per_peer,
                    burst: limits.burst_per_peer as u32,
                },
            )),
            admissions: Arc::new(Admissions::with_capacity(admissions)),
        }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Auth {
            inner,
            door: self.clone(),
        }
    }
}

/// The service of [`AuthLayer`].
#[derive(Debug, Clone)]
pub struct Auth<S> {
    inner: S,
    door: AuthLayer,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, R> Service<http::Request<B>> for Auth<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    R: Default + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The ready service is the one to call; leave a fresh clone in its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        if request.uri().path().starts_with(OPEN_PATH_PREFIX) {
            return Box::pin(inner.call(request));
        }
        if let Some(peer) = peer_of(&request)
            && let Err(e) = self.door.rates.admit_peer(peer)
        {
            return refuse(request, e);
        }
        let Ok(permit) = self.door.in_flight.clone().try_acquire_owned() else {
            return refuse(
                request,
                Error::ResourceExhausted(thidua_domain::words!("calls-in-flight")),
            );
        };
        let path = request.uri().path();
        let method = policy_method(path);
        if method.is_none() && !path.starts_with(REFLECTION_PATH_PREFIX) {
            // Deny by default: a method the policy table does not name is never served.
            let method = path.to_owned();
            return refuse(request, Error::PermissionDenied { method });
        }
        let token = bearer(request.headers());
        let door = self.door.clone();
        let language = crate::locale::language_of(request.headers());
        Box::pin(crate::locale::speaking(language, async move {
            // thidua's own calls are authenticated by `access::admit`, in the same read
            // transaction as their authorization; here the key's shape is checked and its rate
            // counted. Reflection is looked up here.
            let digest = match token.as_deref().map(check_token) {
                None => Err(Error::Unauthenticated(thidua_domain::words!("key-missing"))),
                Some(Err(e)) => Err(e),
                Some(Ok(())) => Ok(token.as_deref().map(token_digest).unwrap_or_default()),
            };
            let digest = match (digest, method) {
                (Ok(d), Some(_)) => Ok(d),
                (Ok(d), None) => authenticate(&door.store, &d).await.and_then(|p| {
                    door.rates.admit_key(&p.key_id)?;
                    request.extensions_mut().insert(p);
                    Ok(d)
                }),
                (Err(e), _) => Err(e),
            };
            let digest = match digest {
                Ok(d) => d,
                Err(e) => {
                    tracing::info!(path = %request.uri().path(), reason = %e, "refused: unauthenticated");
                    return refuse(request, e).await;
                }
            };
            if let Some(method) = method {
                request.extensions_mut().insert(CalledMethod(method));
                request.extensions_mut().insert(Credentials(digest));
                request.extensions_mut().insert(door.admissions.clone());
                request.extensions_mut().insert(door.rates.clone());
            }
            let mut response = inner.call(request).await;
            drop(permit);
            if let Ok(r) = &mut response {
                oversized_is_exhausted(r.headers_mut());
            }
            response
        }))
    }
}

/// The digest of a well-formed bearer key, for `access::admit` to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials(pub String);

/// Answers a call with `error` at once, without running it. What is left of its request is
/// read and dropped in the background: HTTP/2 counts the DATA frames a connection received
/// and nobody read against a budget, and a connection whose refused calls exhausted it would
/// be closed (`ENHANCE_YOUR_CALM`), taking the client's other calls with it.
fn refuse<B, R, E>(
    request: http::Request<B>,
    error: Error,
) -> BoxFuture<Result<http::Response<R>, E>>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    R: Default + Send + 'static,
    E: Send + 'static,
{
    let language = crate::locale::language_of(request.headers());
    tokio::spawn(drain(request.into_body()));
    let response = crate::locale::speaking_now(language, || to_status(error)).into_http();
    Box::pin(async move { Ok(response) })
}

/// Longest part of a refused request read before the rest is dropped unread.
const DRAINED_BYTES: usize = 4 * 1024 * 1024;

/// Reads `body` to its end (or [`DRAINED_BYTES`]) and drops it.
async fn drain<B: http_body::Body>(body: B) {
    use bytes::Buf;
    use http_body_util::BodyExt;
    let mut body = std::pin::pin!(body);
    let mut read = 0;
    while read < DRAINED_BYTES {
        match body.as_mut().frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, Buf::remaining),
            _ => break,
        }
    }
}

/// tonic answers a message over the size limit with OUT_OF_RANGE; the contract says
/// RESOURCE_EXHAUSTED (a limit was hit, not a value out of its range), so the status of such a
/// (trailers-only) response is rewritten here, the one place every call passes.
fn oversized_is_exhausted(headers: &mut http::HeaderMap) {
    let out_of_range = headers
        .get("grpc-status")
        .is_some_and(|v| v.as_bytes() == b"11");
    let oversized = headers
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|m| m.replace("%20", " ").contains("message length too large"));
    if out_of_range && oversized {
        headers.insert("grpc-status", http::HeaderValue::from_static("8"));
    }
}

/// The bearer token of the `authorization` header, if there is one.
fn bearer(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The principal of a key digest, for calls outside thidua's services (reflection).
async fn authenticate(store: &Store, digest: &str) -> Result<Principal, Error> {
    let store = store.clone();
    let digest = digest.to_owned();
    crate::service::on_db(move || store.read(|tx| key_in(tx, &digest)))
        .await?
        .map(|key| key.principal())
}

/// The usable key with `digest`, as `tx` sees it, or why it is refused.
pub fn key_in(tx: &mut thidua_storage::Tx<'_>, digest: &str) -> Result<ApiKey, Error> {
    let key = tx
        .key_by_digest(digest)?
        .ok_or_else(|| Error::Unauthenticated(thidua_domain::words!("key-not-valid")))?;
    key.check_usable(app::now())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_tokens_are_read() {
        let mut h = http::HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer thd_abc"),
        );
        assert_eq!(bearer(&h).as_deref(), Some("thd_abc"));
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Basic dXNlcg=="),
        );
        assert_eq!(bearer(&h), None);
    }
}
