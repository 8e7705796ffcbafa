//! Batched writes: a connection's responses leave in one write per turn of its task, not one
//! per response.
//!
//! HTTP/2 (`h2`) copies small frames into its own buffer and writes them together, but a DATA
//! frame of 256 bytes or more is written on its own, followed by a flush: a socket write per
//! response, which costs the server more than building a scoreboard (on loopback each write
//! also delivers the packet and wakes the reader). [`BatchedWrites`] keeps what the
//! connection writes and sends it when the connection has nothing more to add: a flush
//! with new bytes since the last flush is put off once and the connection's task woken, so
//! it runs again after the calls already queued, whose responses join the batch; a flush
//! with nothing new, or a batch past [`BATCH_BYTES`], goes to the socket.
//!
//! No byte is held without the task being woken to send it, so a lone response is delayed by
//! one turn of the task, not by a timer. That relies on h2 flushing at the end of every turn
//! of its connection task (`Connection::poll` ends in `poll_complete`, which flushes), and
//! `poll_shutdown` sends what is held. A TLS handshake flushes once and then waits for the
//! client, which would wait for the held bytes: under TLS the socket is written through
//! ([`BatchedWrites::through`]).

use std::{
    io,
    pin::Pin,
    task::{Context, Poll, ready},
};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::server::Connected;

/// Bytes kept before a write goes to the socket without waiting for the flush: about three
/// scoreboards, and h2's own buffer size.
pub const BATCH_BYTES: usize = 16 * 1024;

/// A connection's socket whose writes are gathered until the connection flushes with nothing
/// new to add.
#[derive(Debug)]
pub struct BatchedWrites<S> {
    inner: S,
    /// Bytes accepted and not yet written, from `sent` on.
    batch: Vec<u8>,
    sent: usize,
    /// Whether bytes arrived since the last flush.
    grown: bool,
    /// Whether writes are gathered at all.
    batching: bool,
}

impl<S> BatchedWrites<S> {
    /// Gathers the writes to `inner`, which h2 writes directly. The batch grows on first use,
    /// so an idle connection holds no buffer.
    pub fn new(inner: S) -> Self {
        Self {
            batching: true,
            ..Self::through(inner)
        }
    }

    /// Writes straight to `inner` (under TLS, whose handshake expects a flush to send).
    pub fn through(inner: S) -> Self {
        Self {
            inner,
            batch: Vec::new(),
            sent: 0,
            grown: false,
            batching: false,
        }
    }

    fn waiting(&self) -> usize {
        self.batch.len() - self.sent
    }
}

impl<S: AsyncWrite + Unpin> BatchedWrites<S> {
    /// Writes the whole batch to the socket.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.batch.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.batch[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.batch.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }

    /// Makes room for more: a full batch goes to the socket first.
    fn poll_room(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.waiting() >= BATCH_BYTES {
            ready!(self.poll_send(cx))?;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BatchedWrites<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !self.batching {
            return Pin::new(&mut self.inner).poll_write(cx, buf);
        }
        ready!(self.poll_room(cx))?;
        self.batch.extend_from_slice(buf);
        self.grown |= !buf.is_empty();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if !self.batching {
            return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        }
        ready!(self.poll_room(cx))?;
        let mut n = 0;
        for buf in bufs {
            self.batch.extend_from_slice(buf);
            n += buf.len();
        }
        self.grown |= n > 0;
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.batching || self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.waiting() > 0 {
            if std::mem::take(&mut self.grown) {
                // Put off once: the task runs again after the calls already queued, and
                // flushes again then, with their responses or with nothing new.
                cx.waker().wake_by_ref();
                return Poll::Ready(Ok(()));
            }
            ready!(self.poll_send(cx))?;
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_send(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BatchedWrites<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: Connected> Connected for BatchedWrites<S> {
    type ConnectInfo = S::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}

#[cfg(test)]
mod tests {
    use std::{
        sync::{
            Arc,
            atomic::{AtomicUsize, Ordering},
        },
        task::{Wake, Waker},
    };

    use super::*;

    /// A socket that records each write it is given, takes at most `per_write` bytes of one,
    /// and refuses every write while `blocked`.
    #[derive(Default)]
    struct Socket {
        writes: Vec<Vec<u8>>,
        per_write: Option<usize>,
        blocked: bool,
        flushed: usize,
        shut: bool,
    }

    impl Socket {
        fn bytes(&self) -> Vec<u8> {
            self.writes.concat()
        }
    }

    impl AsyncWrite for Socket {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            if self.blocked {
                return Poll::Pending;
            }
            let n = self.per_write.map_or(buf.len(), |m| m.min(buf.len()));
            self.writes.push(buf[..n].to_vec());
            Poll::Ready(Ok(n))
        }

        fn poll_flush(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.flushed += 1;
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.shut = true;
            Poll::Ready(Ok(()))
        }
    }

    /// Counts the wakes of the connection's task.
    #[derive(Default)]
    struct Wakes(AtomicUsize);

    impl Wake for Wakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    struct Task {
        wakes: Arc<Wakes>,
        waker: Waker,
    }

    impl Task {
        fn new() -> Self {
            let wakes = Arc::new(Wakes::default());
            Self {
                waker: Waker::from(wakes.clone()),
                wakes,
            }
        }

        fn woken(&self) -> usize {
            self.wakes.0.load(Ordering::SeqCst)
        }

        fn write(&self, to: &mut BatchedWrites<Socket>, bytes: &[u8]) -> Poll<io::Result<usize>> {
            Pin::new(to).poll_write(&mut Context::from_waker(&self.waker), bytes)
        }

        fn write_vectored(
            &self,
            to: &mut BatchedWrites<Socket>,
            parts: &[&[u8]],
        ) -> Poll<io::Result<usize>> {
            let slices: Vec<_> = parts.iter().map(|p| io::IoSlice::new(p)).collect();
            Pin::new(to).poll_write_vectored(&mut Context::from_waker(&self.waker), &slices)
        }

        fn flush(&self, to: &mut BatchedWrites<Socket>) -> Poll<io::Result<()>> {
            Pin::new(to).poll_flush(&mut Context::from_waker(&self.waker))
        }

        fn shutdown(&self, to: &mut BatchedWrites<Socket>) -> Poll<io::Result<()>> {
            Pin::new(to).poll_shutdown(&mut Context::from_waker(&self.waker))
        }
    }

    fn done<T>(poll: Poll<io::Result<T>>) -> io::Result<T> {
        match poll {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::Error::other("pending")),
        }
    }

    #[test]
    fn responses_flushed_in_one_turn_leave_in_one_write_after_the_task_runs_again() -> io::Result<()>
    {
        let task = Task::new();
        let mut conn = BatchedWrites::new(Socket::default());
        // Two responses, each a DATA frame chained behind h2's buffer and flushed.
        let (first, second) = (
            "bảng điểm Nông Thượng".as_bytes(),
            "bảng điểm Đức Xuân".as_bytes(),
        );
        done(task.write_vectored(&mut conn, &[b"HEADERS+", first]))?;
        done(task.flush(&mut conn))?;
        done(task.write_vectored(&mut conn, &[b"HEADERS+", second]))?;
        done(task.flush(&mut conn))?;
        assert!(
            conn.inner.writes.is_empty(),
            "held while the connection adds"
        );
        assert_eq!(task.woken(), 2, "the task is woken to flush again");
        // The task runs again with nothing new: one write of both, in order, then the flush.
        done(task.flush(&mut conn))?;
        assert_eq!(conn.inner.writes.len(), 1);
        assert_eq!(
            conn.inner.bytes(),
            [b"HEADERS+", first, b"HEADERS+", second].concat()
        );
        assert_eq!(conn.inner.flushed, 1);
        assert_eq!(task.woken(), 2, "nothing held, nothing to wake for");
        // An idle flush reaches the socket without a write.
        done(task.flush(&mut conn))?;
        assert_eq!((conn.inner.writes.len(), conn.inner.flushed), (1, 2));
        Ok(())
    }

    #[test]
    fn a_full_batch_goes_to_the_socket_without_waiting_for_a_flush() -> io::Result<()> {
        let task = Task::new();
        let mut conn = BatchedWrites::new(Socket::default());
        let frame = vec![7u8; BATCH_BYTES / 2];
        done(task.write(&mut conn, &frame))?;
        done(task.write(&mut conn, &frame))?;
        assert!(conn.inner.writes.is_empty());
        let name = "Phùng Chí Kiên".as_bytes();
        done(task.write(&mut conn, name))?;
        assert_eq!(
            conn.inner.bytes().len(),
            BATCH_BYTES,
            "the full batch, written first"
        );
        done(task.flush(&mut conn))?;
        done(task.flush(&mut conn))?;
        assert_eq!(conn.inner.bytes(), [&frame, &frame, name].concat());
        Ok(())
    }

    #[test]
    fn a_socket_taking_part_of_a_write_or_none_loses_nothing() -> io::Result<()> {
        let task = Task::new();
        let mut conn = BatchedWrites::new(Socket {
            per_write: Some(5),
            blocked: true,
            ..Socket::default()
        });
        let sent: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        done(task.write(&mut conn, &sent))?;
        done(task.flush(&mut conn))?;
        assert!(task.flush(&mut conn).is_pending(), "the socket is full");
        conn.inner.blocked = false;
        done(task.flush(&mut conn))?;
        assert_eq!(conn.inner.bytes(), sent);
        assert_eq!(conn.inner.writes.len(), 200);
        Ok(())
    }

    #[test]
    fn shutdown_sends_what_is_held_first() -> io::Result<()> {
        let task = Task::new();
        let mut conn = BatchedWrites::new(Socket::default());
        done(task.write(&mut conn, b"GOAWAY"))?;
        done(task.flush(&mut conn))?;
        assert!(conn.inner.writes.is_empty());
        done(task.shutdown(&mut conn))?;
        assert_eq!(conn.inner.bytes(), b"GOAWAY".to_vec());
        assert!(conn.inner.shut);
        Ok(())
    }

    #[test]
    fn through_tls_every_write_reaches_the_socket_at_once() -> io::Result<()> {
        let task = Task::new();
        let mut conn = BatchedWrites::through(Socket::default());
        let hello = "ServerHello cho Phùng Chí Kiên".as_bytes();
        done(task.write(&mut conn, hello))?;
        assert_eq!(conn.inner.bytes(), hello.to_vec(), "not held for a flush");
        done(task.flush(&mut conn))?;
        assert_eq!((conn.inner.flushed, task.woken()), (1, 0));
        Ok(())
    }
}
