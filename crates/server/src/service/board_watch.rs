//! The WatchScoreboard stream: the board now, then again after every committed change to its
//! term that changes it, as the store announces them ([`Store::changes`]: this process's writes
//! at once, other server processes' through PostgreSQL). A key (or share link) revoked while
//! watching ends the stream at the next change; so does the client going away.

use thidua_domain::{names::TermName, results::Layer};
use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tokio::sync::broadcast::error::RecvError;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::blocking;
use crate::{app, convert};

/// The stream a watcher reads.
pub type BoardStream = ReceiverStream<Result<pb::WatchScoreboardResponse, Status>>;

/// Boards sent but not yet read by the client; a slower client gets the latest board when it
/// reads again, not every one in between.
const QUEUED_BOARDS: usize = 4;

/// Who watches: checked again before every board is sent.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// A gRPC or JSON caller, by its key's id.
    Key(String),
    /// The scoreboard page, by its share link's token.
    Share(String),
}

impl Viewer {
    fn check(&self, store: &Store, term: &TermName) -> Result<(), thidua_domain::Error> {
        match self {
            Viewer::Key(key_id) => app::keys::check_key(store, key_id),
            Viewer::Share(token) => app::shares::admit(store, token, term).map(|_| ()),
        }
    }
}

/// Starts watching `term` up to layer `up_to` for `viewer`, until the client goes or
/// `stopping` turns true (then the stream ends UNAVAILABLE, telling the client to reconnect);
/// the first board is read before this returns, so a watch on a missing term fails as a call.
pub async fn watch(
    store: Store,
    term: TermName,
    up_to: Option<Layer>,
    viewer: Viewer,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<BoardStream, Status> {
    // Subscribe before reading, so no change between the first board and the loop is lost.
    let mut changes = store.changes();
    let board = {
        let term = term.clone();
        move || {
            let (store, term, viewer) = (store.clone(), term.clone(), viewer.clone());
            async move {
                blocking(move || {
                    viewer.check(&store, &term)?;
                    app::scoring::scoreboard(&store, &term, up_to)
                })
                .await
                .map(|b| convert::board_out(b, up_to))
            }
        }
    };
    let first = board().await?;
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUED_BOARDS);
    let _ = tx
        .send(Ok(pb::WatchScoreboardResponse {
            scoreboard: Some(first.clone()),
        }))
        .await;
    tokio::spawn(async move {
        let mut last = first;
        let stopped = async move {
            // Without a sender nobody will ever stop the watch: it ends with its client.
            if stopping.wait_for(|s| *s).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                () = tx.closed() => break,
                // The server is shutting down: end the stream now, telling the client to come
                // back, instead of holding the shutdown for its whole drain time.
                () = &mut stopped => {
                    let _ = tx.send(Err(crate::status::shutting_down())).await;
                    break;
                }
                change = changes.recv() => match change {
                    Ok(changed) if changed == term => {}
                    Ok(_) => continue,
                    // Missed some: the board is read afresh anyway.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                },
            }
            match board().await {
                Ok(b) if b == last => {}
                Ok(b) => {
                    let message = pb::WatchScoreboardResponse {
                        scoreboard: Some(b.clone()),
                    };
                    if tx.send(Ok(message)).await.is_err() {
                        break;
                    }
                    last = b;
                }
                Err(status) => {
                    let _ = tx.send(Err(status)).await;
                    break;
                }
            }
        }
    });
    Ok(ReceiverStream::new(rx))
}
