//! The live scoreboard page (bảng xếp hạng trực tiếp) a cluster projects at its year-end
//! meeting: `GET /clusters/{cluster}/terms/{year}/scoreboard?share={token}`.
//!
//! The page is a static shell embedded in the binary (HTML, CSS, a little plain JavaScript: no
//! framework, no build step); its data come from `…/scoreboard/events`, a stream of
//! server-sent events carrying the board as the JSON API writes it (`GetScoreboardResponse`),
//! sent again after every committed change to the term ([`crate::service::board_watch`]:
//! this process's writes at once, other processes' through PostgreSQL). The share link is
//! checked before the shell is served and again before every board is sent: a page without a
//! valid link shows a Vietnamese message and nothing of the data, and a revoked link stops the
//! stream at its next board.

use std::{convert::Infallible, time::Duration};

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body_util::{Full, StreamBody};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use prost::Message;
use thidua_domain::{Error, names::TermName};
use thidua_storage::Store;
use tokio_stream::StreamExt;
use tonic::body::Body;

use crate::service::board_watch::{self, Viewer};

const SHELL: &str = include_str!("assets/scoreboard.html");
const STYLE: &str = include_str!("assets/scoreboard.css");
const SCRIPT: &str = include_str!("assets/scoreboard.js");

/// What a path segment escapes: all but RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// How often an idle event stream sends a comment, so proxies and the browser keep it open.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// A path this module serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The page of a term's scoreboard.
    Page(TermName),
    /// Its event stream.
    Events(TermName),
    /// An embedded asset.
    Asset(&'static str, &'static str),
}

impl Route {
    /// The route of `path`, if it is one of this module's.
    pub fn of(path: &str) -> Option<Self> {
        match path {
            "/assets/scoreboard.css" => {
                return Some(Route::Asset("text/css; charset=utf-8", STYLE));
            }
            "/assets/scoreboard.js" => {
                return Some(Route::Asset("text/javascript; charset=utf-8", SCRIPT));
            }
            _ => {}
        }
        let rest = path.strip_prefix("/clusters/")?;
        let (cluster, rest) = rest.split_once("/terms/")?;
        let (year, tail) = rest.split_once('/')?;
        let cluster = percent_decode_str(cluster).decode_utf8().ok()?;
        if cluster.is_empty() || cluster.contains('/') {
            return None;
        }
        let term = TermName::new(&cluster, year.parse().ok()?);
        match tail {
            "scoreboard" => Some(Route::Page(term)),
            "scoreboard/events" => Some(Route::Events(term)),
            _ => None,
        }
    }
}

/// The page's path with its share token, as `thidua scoreboard share` prints it.
pub fn share_path(term: &TermName, token: &str) -> String {
    format!(
        "/clusters/{}/terms/{}/scoreboard?share={token}",
        utf8_percent_encode(&term.cluster_id, SEGMENT),
        term.year
    )
}

/// Serves `route`.
pub async fn serve(
    store: &Store,
    hub: &crate::service::board_hub::BoardHub,
    stopping: &tokio::sync::watch::Receiver<bool>,
    route: Route,
    request: Request<Body>,
) -> Response<Body> {
    let token = share_token(request.uri().query().unwrap_or_default());
    match route {
        Route::Asset(content_type, text) => {
            super::bytes(content_type, Bytes::from_static(text.as_bytes()))
        }
        Route::Page(term) if token.is_empty() => key_prompt(&term),
        Route::Page(term) => match admitted(store, &token, &term).await {
            Ok(cluster) => page(&term, &cluster),
            Err(e) => refused(&e),
        },
        // The stream's watcher checks the link before its first board and each one after.
        Route::Events(term) => events(store, hub, stopping, term, token).await,
    }
}

/// `/` without `--demo`: what this server is.
pub fn index() -> Response<Body> {
    html(
        StatusCode::OK,
        &notice(
            "thidua",
            "Máy chủ thi đua, khen thưởng. Bảng xếp hạng trực tiếp được mở bằng đường dẫn chia sẻ \
             do ban tổ chức cụm tạo (thidua scoreboard share). Tài liệu API: /openapi.json.",
        ),
    )
}

/// The `share` parameter of a query string.
fn share_token(query: &str) -> String {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "share")
        .and_then(|(_, v)| percent_decode_str(v).decode_utf8().ok())
        .map(|v| v.into_owned())
        .unwrap_or_default()
}

/// The cluster's name when `token` opens `term`'s scoreboard; why not otherwise.
async fn admitted(store: &Store, token: &str, term: &TermName) -> Result<String, Error> {
    let (store, token, term) = (store.clone(), token.to_owned(), term.clone());
    crate::service::on_db(move || {
        if token.is_empty() {
            return Err(Error::Unauthenticated(thidua_domain::words!(
                "link-missing"
            )));
        }
        crate::app::shares::admit(&store, &token, &term)
    })
    .await?
}

/// The page of a refused link: why, in Vietnamese, and nothing of the data.
fn refused(error: &Error) -> Response<Body> {
    let (status, text) = match error {
        Error::Unauthenticated(_) => (
            StatusCode::UNAUTHORIZED,
            "Đường dẫn này không hợp lệ, đã hết hạn hoặc đã bị thu hồi. Đề nghị liên hệ ban tổ \
             chức cụm thi đua để được cấp đường dẫn mới.",
        ),
        Error::NotFound { .. } => (
            StatusCode::NOT_FOUND,
            "Không tìm thấy bảng xếp hạng của cụm thi đua và năm này.",
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Máy chủ tạm thời không đọc được dữ liệu. Đề nghị thử lại sau ít phút.",
        ),
    };
    html(status, &notice("Không mở được bảng xếp hạng", text))
}

/// What the page shell shows: every text escaped here.
#[derive(Default)]
struct Shell<'a> {
    title: &'a str,
    heading: &'a str,
    year: &'a str,
    notice: &'a str,
    /// The event stream of a share link's page.
    events: &'a str,
    /// The term, for the API key form.
    term: &'a str,
    key_form: bool,
}

impl Shell<'_> {
    fn render(&self) -> String {
        SHELL
            .replace("{{title}}", &escape(self.title))
            .replace("{{cluster}}", &escape(self.heading))
            .replace("{{year}}", &escape(self.year))
            .replace("{{notice}}", &escape(self.notice))
            .replace("{{events}}", &escape(self.events))
            .replace("{{term}}", &escape(self.term))
            .replace("{{keyform}}", if self.key_form { "" } else { "hidden" })
    }
}

fn notice(title: &str, text: &str) -> String {
    Shell {
        title,
        heading: title,
        notice: text,
        ..Shell::default()
    }
    .render()
}

/// A page opened without a share link: it says how to open it, and offers to read the board
/// with an API key whose role may read the term (the key goes with each call from the
/// browser, as any client's would; the server decides as for any call).
fn key_prompt(term: &TermName) -> Response<Body> {
    let term = term.to_string();
    let body = Shell {
        title: "Bảng xếp hạng thi đua",
        heading: "Bảng xếp hạng thi đua",
        notice: "Trang này mở bằng đường dẫn chia sẻ do ban tổ chức cụm cấp, hoặc bằng khóa truy \
                 cập có quyền xem cụm thi đua.",
        term: &term,
        key_form: true,
        ..Shell::default()
    };
    html(StatusCode::UNAUTHORIZED, &body.render())
}

fn page(term: &TermName, cluster: &str) -> Response<Body> {
    let events = format!(
        "/clusters/{}/terms/{}/scoreboard/events",
        utf8_percent_encode(&term.cluster_id, SEGMENT),
        term.year
    );
    let title = format!("Bảng xếp hạng — {cluster} — năm {}", term.year);
    let body = Shell {
        title: &title,
        heading: cluster,
        year: &format!("Năm {}", term.year),
        notice: "Đang tải bảng xếp hạng…",
        events: &events,
        ..Shell::default()
    };
    html(StatusCode::OK, &body.render())
}

fn html(status: StatusCode, body: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header("referrer-policy", "no-referrer")
        .header(
            "content-security-policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
        .body(Body::new(Full::new(Bytes::from(body.to_owned()))))
        .unwrap_or_default()
}

/// HTML-escaped text, for text and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The event stream: `event: board` with the board's JSON, again after each change; `event:
/// refused` with a Vietnamese sentence when the link stops opening it.
async fn events(
    store: &Store,
    hub: &crate::service::board_hub::BoardHub,
    stopping: &tokio::sync::watch::Receiver<bool>,
    term: TermName,
    token: String,
) -> Response<Body> {
    let watched = board_watch::watch(
        store.clone(),
        hub,
        term,
        // The final board: every layer, adjustments included (as GetScoreboard by default).
        Some(thidua_domain::results::Layer::Adjustment),
        Viewer::Share(token),
        stopping.clone(),
    )
    .await;
    let boards = match watched {
        Ok(b) => b,
        Err(status) => {
            return refused(&match status.code() {
                tonic::Code::NotFound => Error::NotFound {
                    resource: String::new(),
                },
                tonic::Code::Unauthenticated => Error::Unauthenticated(String::new().into()),
                _ => Error::Unavailable(String::new()),
            });
        }
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<http_body::Frame<Bytes>, Infallible>>(4);
    tokio::spawn(async move {
        let mut boards = boards;
        let mut keepalive =
            tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
        loop {
            let text = tokio::select! {
                item = boards.next() => match item {
                    Some(item) => event(item),
                    None => break,
                },
                _ = keepalive.tick() => ": \n\n".to_owned(),
            };
            if tx
                .send(Ok(http_body::Frame::data(Bytes::from(text))))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::new(StreamBody::new(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
        .unwrap_or_default()
}

/// One server-sent event of the stream.
fn event(item: Result<thidua_proto::v1::WatchScoreboardResponse, tonic::Status>) -> String {
    match item {
        Ok(board) => {
            let bytes = board.scoreboard.unwrap_or_default().encode_to_vec();
            let json = super::connect::CONTRACT
                .get_message_by_name("thidua.v1.GetScoreboardResponse")
                .and_then(|d| prost_reflect::DynamicMessage::decode(d, bytes.as_slice()).ok())
                .and_then(|m| serde_json::to_string(&m).ok())
                .unwrap_or_default();
            format!("event: board\ndata: {json}\n\n")
        }
        Err(status) if status.code() == tonic::Code::Unauthenticated => {
            "event: refused\ndata: Đường dẫn đã hết hạn hoặc đã bị thu hồi.\n\n".to_owned()
        }
        // The server is stopping: the browser reconnects by itself (to this or another server).
        Err(_) => {
            "event: closing\ndata: Máy chủ đang dừng; trang sẽ tự kết nối lại.\n\n".to_owned()
        }
    }
}
