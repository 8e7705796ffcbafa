//! A plain HTTP client (hyper) for the JSON API, gRPC-Web and the scoreboard page: one fresh
//! connection per request, HTTP/1.1 or HTTP/2 (prior knowledge, as on a plain port).

use anyhow::Context;
use bytes::Bytes;
use http::{Request, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// An answer read whole.
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| format!("not JSON ({}): {}", self.status, self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends `request` to `base` (`http://127.0.0.1:PORT`) over `version`; the answer's body is
/// left to the caller (a stream).
pub async fn open(
    base: &str,
    version: Version,
    mut request: Request<Full<Bytes>>,
) -> anyhow::Result<http::Response<Incoming>> {
    let authority = base.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&authority).await?;
    let io = TokioIo::new(stream);
    let path = request.uri().clone();
    *request.uri_mut() = format!("{base}{path}").parse()?;
    if version == Version::HTTP_2 {
        let (mut sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), io).await?;
        tokio::spawn(connection);
        Ok(sender.send_request(request).await?)
    } else {
        request
            .headers_mut()
            .insert(http::header::HOST, authority.parse()?);
        *request.uri_mut() = path;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
        tokio::spawn(connection);
        Ok(sender.send_request(request).await?)
    }
}

/// Sends `request` and reads the whole answer.
pub async fn send(
    base: &str,
    version: Version,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<Answer> {
    let response = open(base, version, request).await?;
    let (parts, body) = response.into_parts();
    Ok(Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: body.collect().await?.to_bytes(),
    })
}

/// `POST path` with a JSON body, as a portal would, over HTTP/1.1.
pub async fn post_json(
    base: &str,
    path: &str,
    token: Option<&str>,
    body: impl Into<Bytes>,
) -> anyhow::Result<Answer> {
    post(
        base,
        Version::HTTP_11,
        path,
        "application/json",
        token,
        body,
    )
    .await
}

/// `POST path` with `content_type`.
pub async fn post(
    base: &str,
    version: Version,
    path: &str,
    content_type: &str,
    token: Option<&str>,
    body: impl Into<Bytes>,
) -> anyhow::Result<Answer> {
    send(
        base,
        version,
        request("POST", path, content_type, token, body)?,
    )
    .await
}

/// A request of `method` to `path`.
pub fn request(
    method: &str,
    path: &str,
    content_type: &str,
    token: Option<&str>,
    body: impl Into<Bytes>,
) -> anyhow::Result<Request<Full<Bytes>>> {
    let mut builder = Request::builder().method(method).uri(path);
    if !content_type.is_empty() {
        builder = builder.header(http::header::CONTENT_TYPE, content_type);
    }
    if let Some(token) = token {
        builder = builder.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    Ok(builder.body(Full::new(body.into()))?)
}

/// `GET path` over HTTP/1.1.
pub async fn get(base: &str, path: &str) -> anyhow::Result<Answer> {
    send(
        base,
        Version::HTTP_11,
        request("GET", path, "", None, Bytes::new())?,
    )
    .await
}

/// The data of the first server-sent event of `kind` in `body` (within 30 s).
pub async fn first_event(body: &mut Incoming, kind: &str) -> anyhow::Result<String> {
    let mut read = Vec::new();
    let marker = format!("event: {kind}\ndata: ");
    read_until(body, &mut read, |r| {
        String::from_utf8_lossy(r)
            .split_once(&marker)
            .is_some_and(|(_, rest)| rest.contains("\n\n"))
    })
    .await?;
    let text = String::from_utf8_lossy(&read).into_owned();
    let (_, rest) = text.split_once(&marker).context("no event")?;
    Ok(rest.split("\n\n").next().unwrap_or_default().to_owned())
}

/// Reads `body` until `done` says what was read so far is enough (or 30 s pass).
pub async fn read_until(
    body: &mut Incoming,
    read: &mut Vec<u8>,
    done: impl Fn(&[u8]) -> bool,
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done(read) {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .context("nothing more within 30 s")?
            .context("the stream ended")??;
        if let Ok(data) = frame.into_data() {
            read.extend_from_slice(&data);
        }
    }
    Ok(())
}
