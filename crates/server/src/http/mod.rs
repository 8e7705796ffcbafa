//! HTTP beside gRPC, on the same port: the first service every request reaches.
//!
//! - gRPC (`application/grpc…`) passes through untouched, gRPC-Web through its translation
//!   (`tonic-web`);
//! - `POST /thidua.v1.Service/Method` in Connect's forms ([`connect`]) becomes a gRPC call
//!   through the same stack;
//! - `GET /healthz` (the process answers) and `GET /readyz` (the database answers and the
//!   server is not shutting down), for load balancers and orchestrators;
//! - `GET /openapi.json`, the document of the JSON API ([`openapi`]);
//! - the live scoreboard page and its event stream ([`page`]).
//!
//! Anything else is answered 404 here, instead of as a gRPC call.

pub mod connect;
pub mod errors;
pub mod openapi;
pub mod page;
mod streams;

use std::{
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::Full;
use thidua_storage::Store;
use tonic::body::Body;
use tower::{Layer, Service};

/// What the HTTP routes need.
#[derive(Debug)]
struct Shared {
    store: Store,
    max_message_bytes: usize,
    stopping: tokio::sync::watch::Receiver<bool>,
    /// The page a bare `/` shows (the seed's scoreboard under `--demo`), if any.
    home: Option<String>,
    /// The boards watched, shared with the gRPC service's watches.
    hub: crate::service::board_hub::BoardHub,
}

/// The layer putting HTTP in front of the gRPC service stack.
#[derive(Debug, Clone)]
pub struct FrontLayer {
    shared: Arc<Shared>,
}

impl FrontLayer {
    /// A front over `store`; `home`, when given, is where `/` leads; the page's boards come
    /// from `hub`.
    pub fn new(
        store: Store,
        max_message_bytes: usize,
        stopping: tokio::sync::watch::Receiver<bool>,
        home: Option<String>,
        hub: crate::service::board_hub::BoardHub,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                store,
                max_message_bytes,
                stopping,
                home,
                hub,
            }),
        }
    }
}

impl<S: Clone> Layer<S> for FrontLayer {
    type Service = Front<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Front {
            web: tonic_web::GrpcWebLayer::new().layer(inner.clone()),
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service of [`FrontLayer`].
#[derive(Debug, Clone)]
pub struct Front<S> {
    inner: S,
    /// The same stack behind gRPC-Web's translation, for gRPC-Web requests only: a plain gRPC
    /// call does not pass it.
    web: tonic_web::GrpcWebService<S>,
    shared: Arc<Shared>,
}

type BoxFuture<T> = Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// What the front answers: a gRPC call's own body, untouched, or a body the front made.
pub type FrontBody<B> = http_body_util::Either<B, Body>;

impl<S, B> Service<Request<Body>> for Front<S>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + std::fmt::Display,
{
    type Response = Response<FrontBody<B>>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if content_type.starts_with("application/grpc-web") {
            let clone = self.web.clone();
            let mut web = std::mem::replace(&mut self.web, clone);
            let answer = web.call(request);
            return Box::pin(async move { Ok(answer.await?.map(FrontBody::Right)) });
        }
        if content_type.starts_with("application/grpc") {
            let answer = inner.call(request);
            return Box::pin(async move { Ok(answer.await?.map(FrontBody::Left)) });
        }
        let shared = self.shared.clone();
        let path = request.uri().path().to_owned();
        if let Some(method) = connect::method_at(&path) {
            let max = shared.max_message_bytes;
            return Box::pin(async move {
                Ok(connect::call(inner, method, request, max)
                    .await?
                    .map(FrontBody::Right))
            });
        }
        Box::pin(async move { Ok(route(&shared, &path, request).await.map(FrontBody::Right)) })
    }
}

/// The HTTP routes that are not calls.
async fn route(shared: &Shared, path: &str, request: Request<Body>) -> Response<Body> {
    let get = matches!(*request.method(), http::Method::GET | http::Method::HEAD);
    match path {
        _ if !get && !path.starts_with("/thidua.") => {
            let mut refused = errors::plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "Only GET is served here; calls are POST /thidua.v1.Service/Method.",
            );
            refused
                .headers_mut()
                .insert(header::ALLOW, http::HeaderValue::from_static("GET, HEAD"));
            refused
        }
        "/healthz" => errors::plain(StatusCode::OK, "ok\n"),
        "/readyz" => ready(shared).await,
        "/openapi.json" => openapi::response(),
        "/" => match &shared.home {
            Some(home) => Response::builder()
                .status(StatusCode::SEE_OTHER)
                .header(header::LOCATION, home.as_str())
                .body(Body::empty())
                .unwrap_or_default(),
            None => page::index(),
        },
        _ => match page::Route::of(path) {
            Some(route) => {
                page::serve(&shared.store, &shared.hub, &shared.stopping, route, request).await
            }
            None if path.starts_with("/thidua.") => {
                errors::error_response(&crate::status::to_status(thidua_domain::Error::NotFound {
                    resource: path.to_owned(),
                }))
            }
            None => errors::plain(StatusCode::NOT_FOUND, "Không có trang này.\n"),
        },
    }
}

/// 200 when the database answers and the server is not shutting down; 503 otherwise.
async fn ready(shared: &Shared) -> Response<Body> {
    if *shared.stopping.borrow() {
        return errors::plain(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n");
    }
    let store = shared.store.clone();
    let answered = crate::service::on_db(move || store.read(|_| Ok(()))).await;
    match answered {
        Ok(Ok(())) => errors::plain(StatusCode::OK, "ready\n"),
        _ => errors::plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer\n",
        ),
    }
}

/// A body of `bytes` with `content_type`.
fn bytes(content_type: &'static str, bytes: impl Into<Bytes>) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::new(Full::new(bytes.into())))
        .unwrap_or_default()
}
