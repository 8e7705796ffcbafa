//! The WatchScoreboard stream: the board now, then again after every committed change to its
//! term that changes it, as the store announces them ([`Store::changes`]: this process's writes
//! at once, other server processes' through PostgreSQL). A key (or share link) revoked while
//! watching ends the stream at the next change; so does the client going away. The boards are
//! scored once per change for all watchers ([`super::board_hub`]).

use std::sync::Arc;

use thidua_domain::{names::TermName, results::Layer};
use thidua_proto::v1 as pb;
use thidua_storage::Store;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::{
    blocking,
    board_hub::{BoardHub, Published},
};
use crate::app;

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
            Viewer::Share(token) => app::shares::check_link(store, token, term),
        }
    }
}

/// WatchScoreboard: the caller admitted to read the term, then watching it as its key.
pub(super) async fn call(
    store: &Store,
    hub: &BoardHub,
    stopping: &tokio::sync::watch::Receiver<bool>,
    request: tonic::Request<pb::WatchScoreboardRequest>,
) -> Result<tonic::Response<BoardStream>, Status> {
    let (run, req) = crate::authorization::admit(store, request).await?;
    let pb::WatchScoreboardRequest { term, layer } = req;
    let term = crate::convert::term_name("term", &term).map_err(super::invalid)?;
    let up_to = crate::convert::board_layer_in(layer);
    let viewer = Viewer::Key(run.principal().key_id.clone());
    drop(run);
    let stream = watch(store.clone(), hub, term, up_to, viewer, stopping.clone()).await?;
    Ok(tonic::Response::new(stream))
}

/// Starts watching `term` up to layer `up_to` for `viewer`, until the client goes or
/// `stopping` turns true (then the stream ends UNAVAILABLE, telling the client to reconnect);
/// the first board is read before this returns, so a watch on a missing term fails as a call.
/// The boards come from `hub`: one computation per change, whoever watches.
pub async fn watch(
    store: Store,
    hub: &BoardHub,
    term: TermName,
    up_to: Option<Layer>,
    viewer: Viewer,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<BoardStream, Status> {
    let mut boards = hub.subscribe(&store, &term, up_to);
    let first = published(&mut boards).await?;
    let check = {
        let (store, term, viewer) = (store.clone(), term.clone(), viewer.clone());
        move || {
            let (store, term, viewer) = (store.clone(), term.clone(), viewer.clone());
            async move { blocking(move || viewer.check(&store, &term)).await }
        }
    };
    check().await?;
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUED_BOARDS);
    let _ = tx
        .send(Ok(pb::WatchScoreboardResponse {
            scoreboard: Some((*first).clone()),
        }))
        .await;
    let hub = hub.clone();
    // The stream's own task speaks the caller's language: its refusals and a re-subscription.
    tokio::spawn(crate::locale::speaking(
        crate::locale::current(),
        async move {
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
                    changed = boards.changed() => if changed.is_err() {
                        // The board's task ended as this watcher joined: start it again.
                        boards = hub.subscribe(&store, &term, up_to);
                        continue;
                    },
                }
                let board = match published(&mut boards).await {
                    Ok(b) if Arc::ptr_eq(&b, &last) || b == last => continue,
                    Ok(b) => b,
                    Err(status) => {
                        let _ = tx.send(Err(status)).await;
                        break;
                    }
                };
                if let Err(status) = check().await {
                    let _ = tx.send(Err(status)).await;
                    break;
                }
                let message = pb::WatchScoreboardResponse {
                    scoreboard: Some((*board).clone()),
                };
                if tx.send(Ok(message)).await.is_err() {
                    break;
                }
                last = board;
            }
        },
    ));
    Ok(ReceiverStream::new(rx))
}

/// The board `boards` holds now, once its task has published one.
async fn published(
    boards: &mut tokio::sync::watch::Receiver<Published>,
) -> Result<Arc<pb::GetScoreboardResponse>, Status> {
    let board = boards
        .wait_for(Option::is_some)
        .await
        .map_err(|_| crate::status::shutting_down())?
        .clone();
    board.unwrap_or_else(|| Err(crate::status::shutting_down()))
}
