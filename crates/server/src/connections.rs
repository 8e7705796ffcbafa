//! Which connections the server keeps: at most so many in all and per peer address, each
//! closed when it does not finish its handshake in time or goes quiet.
//!
//! A socket that opens TCP and never speaks would otherwise hold a descriptor and its
//! connection task for ever; a few thousand of them exhaust the descriptor limit, and then the
//! health check and every call time out. So:
//! - an accepted connection over either cap is closed at once, before any TLS or HTTP/2 work,
//!   and a warning is logged (at most once a second, with the count refused since);
//! - a connection must send its first [`HANDSHAKE_BYTES`] (the HTTP/2 connection preface; a
//!   TLS ClientHello is longer) within the handshake timeout;
//! - after that, a connection from which nothing has been read for the idle timeout is
//!   closed. HTTP/2 keepalive pings (set on the server) are answered by every live client, so
//!   only a peer that went away or stopped answering is idle that long.
//!
//! The per-peer counts are a map of the open connections' addresses, so it is bounded by the
//! total cap and an address leaves it with its last connection. This is the server's own
//! admission policy over its own accept loop, small enough not to need a library.

use std::{
    collections::HashMap,
    future::Future,
    io,
    net::IpAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll, ready},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    time::{Instant, Sleep},
};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// Bytes a client sends before its connection counts as open: the HTTP/2 connection preface
/// (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`).
pub const HANDSHAKE_BYTES: usize = 24;

/// The caps and timeouts of [`Gate`].
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections in all.
    pub max_total: usize,
    /// Open connections from one peer address.
    pub max_per_peer: usize,
    /// How long a new connection has to send its first [`HANDSHAKE_BYTES`].
    pub handshake_timeout: Duration,
    /// How long an open connection may send nothing.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_total: 1024,
            max_per_peer: 256,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
        }
    }
}

/// Counts the open connections and admits new ones within the caps.
#[derive(Debug)]
pub struct Gate {
    limits: ConnectionLimits,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_peer: HashMap<IpAddr, usize>,
    /// Refusals not yet logged, and when the last warning was.
    refused: u64,
    warned_at: Option<Instant>,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds `max_total` connections.
    Total,
    /// The peer holds `max_per_peer`.
    Peer,
}

impl Gate {
    /// A gate with `limits`.
    pub fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            open: Mutex::default(),
        })
    }

    /// The limits it applies.
    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// Admits a connection from `peer`, or says which cap refuses it.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Ticket, Refusal> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let refusal = if open.total >= self.limits.max_total {
            Some(Refusal::Total)
        } else if open.by_peer.get(&peer).copied().unwrap_or(0) >= self.limits.max_per_peer {
            Some(Refusal::Peer)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            open.refused += 1;
            let now = Instant::now();
            if open
                .warned_at
                .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1))
            {
                let (cap, limit) = match refusal {
                    Refusal::Total => ("total", self.limits.max_total),
                    Refusal::Peer => ("per peer", self.limits.max_per_peer),
                };
                tracing::warn!(
                    peer = %peer,
                    cap,
                    limit,
                    refused = open.refused,
                    "connection cap reached: new connections refused"
                );
                open.refused = 0;
                open.warned_at = Some(now);
            }
            return Err(refusal);
        }
        open.total += 1;
        *open.by_peer.entry(peer).or_default() += 1;
        Ok(Ticket {
            gate: self.clone(),
            peer,
        })
    }

    /// Open connections: in all, and from `peer`.
    pub fn open(&self, peer: IpAddr) -> (usize, usize) {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        (open.total, open.by_peer.get(&peer).copied().unwrap_or(0))
    }

    fn release(&self, peer: IpAddr) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_peer.get_mut(&peer) {
            *n -= 1;
            if *n == 0 {
                open.by_peer.remove(&peer);
            }
        }
    }
}

/// One admitted connection's place; given back when the connection is dropped.
#[derive(Debug)]
pub struct Ticket {
    gate: Arc<Gate>,
    peer: IpAddr,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.gate.release(self.peer);
    }
}

/// An admitted connection: holds its [`Ticket`] and fails its reads when the client is late
/// with its handshake or has been quiet too long.
#[derive(Debug)]
pub struct Guarded<S> {
    inner: S,
    _ticket: Ticket,
    peer: Option<std::net::SocketAddr>,
    local: Option<std::net::SocketAddr>,
    /// Bytes read so far, up to [`HANDSHAKE_BYTES`].
    greeted: usize,
    last_read: Instant,
    deadline: Pin<Box<Sleep>>,
    limits: ConnectionLimits,
}

impl Guarded<TcpStream> {
    /// Guards `stream` from `peer`, admitted with `ticket`.
    pub fn new(stream: TcpStream, peer: std::net::SocketAddr, ticket: Ticket) -> Self {
        let limits = ticket.gate.limits;
        let now = Instant::now();
        Self {
            peer: Some(peer),
            local: stream.local_addr().ok(),
            inner: stream,
            _ticket: ticket,
            greeted: 0,
            last_read: now,
            deadline: Box::pin(tokio::time::sleep_until(now + limits.handshake_timeout)),
            limits,
        }
    }
}

impl<S> Guarded<S> {
    /// Whether the connection is past its deadline; re-arms the timer when reads moved it.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        loop {
            if self.deadline.as_mut().poll(cx).is_pending() {
                return None;
            }
            if self.greeted < HANDSHAKE_BYTES {
                return Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client did not finish its handshake in time",
                ));
            }
            let due = self.last_read + self.limits.idle_timeout;
            if due <= Instant::now() {
                return Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection was idle too long",
                ));
            }
            self.deadline.as_mut().reset(due);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = buf.filled().len() - before;
                if read > 0 {
                    self.last_read = Instant::now();
                    if self.greeted < HANDSHAKE_BYTES {
                        self.greeted = (self.greeted + read).min(HANDSHAKE_BYTES);
                        if self.greeted == HANDSHAKE_BYTES {
                            let due = self.last_read + self.limits.idle_timeout;
                            self.deadline.as_mut().reset(due);
                        }
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.expired(cx) {
                Some(e) => {
                    tracing::debug!(peer = ?self.peer, reason = %e, "closing a connection");
                    Poll::Ready(Err(e))
                }
                None => Poll::Pending,
            },
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.inner).poll_shutdown(cx))?;
        Poll::Ready(Ok(()))
    }
}

impl<S> Connected for Guarded<S> {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        TcpConnectInfo {
            local_addr: self.local,
            remote_addr: self.peer,
        }
    }
}

/// The peer address of a call, from the connection it came on (plain or TLS).
pub fn peer_of<B>(request: &http::Request<B>) -> Option<IpAddr> {
    let extensions = request.extensions();
    extensions
        .get::<TcpConnectInfo>()
        .and_then(|c| c.remote_addr)
        .map(|a| a.ip())
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn caps_count_open_connections_in_all_and_per_peer() {
        let gate = Gate::new(ConnectionLimits {
            max_total: 3,
            max_per_peer: 2,
            ..ConnectionLimits::default()
        });
        let (a, b) = (
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        );
        let first = gate.admit(a);
        let second = gate.admit(a);
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(gate.admit(a).err(), Some(Refusal::Peer));
        let third = gate.admit(b);
        assert!(third.is_ok());
        assert_eq!(gate.admit(b).err(), Some(Refusal::Total));
        drop(first);
        assert_eq!(
            gate.open(a),
            (2, 1),
            "a closed connection gives its place back"
        );
        assert!(gate.admit(a).is_ok());
        drop((second, third));
        assert_eq!(gate.open(b), (0, 0));
    }
}
