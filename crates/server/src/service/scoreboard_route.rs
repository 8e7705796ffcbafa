//! `GetScoreboard` served without copying the board kept in memory: the generated service
//! would need an owned response per call, a deep copy of some 250 strings for a 14-member
//! board. This route answers that one method with the shared board ([`SharedBoard`]) through
//! tonic's own unary machinery and codec, with the same message limits; every other method of
//! `ScoringService` goes to the generated service.

use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use prost::{
    Message,
    bytes::{Buf, BufMut},
    encoding::{DecodeContext, WireType},
};
use thidua_proto::v1::{self as pb, scoring_service_server::ScoringServiceServer};
use tonic::{body::Body, server::NamedService};
use tower::Service;

use super::scoring::Scoring;

/// The method this route serves itself (its HTTP/2 path).
pub const GET_SCOREBOARD: &str = "/thidua.v1.ScoringService/GetScoreboard";

/// A `GetScoreboardResponse` shared with the board cache; encodes exactly as the message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedBoard(pub Arc<pb::GetScoreboardResponse>);

impl Message for SharedBoard {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        self.0.encode_raw(buf);
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        Arc::make_mut(&mut self.0).merge_field(tag, wire_type, buf, ctx)
    }

    fn encoded_len(&self) -> usize {
        self.0.encoded_len()
    }

    fn clear(&mut self) {
        self.0 = Arc::default();
    }
}

/// `ScoringService` with `GetScoreboard` answered from the shared board.
#[derive(Debug, Clone)]
pub struct ScoringRoutes {
    scoring: Arc<Scoring>,
    generated: ScoringServiceServer<Scoring>,
    max_message_bytes: usize,
}

impl ScoringRoutes {
    /// The service over `scoring`, with the server's message limit.
    pub fn new(scoring: Scoring, max_message_bytes: usize) -> Self {
        let scoring = Arc::new(scoring);
        Self {
            generated: ScoringServiceServer::from_arc(scoring.clone())
                .max_decoding_message_size(max_message_bytes)
                .max_encoding_message_size(max_message_bytes),
            scoring,
            max_message_bytes,
        }
    }
}

impl NamedService for ScoringRoutes {
    const NAME: &'static str = <ScoringServiceServer<Scoring> as NamedService>::NAME;
}

/// The unary handler of the route.
struct GetScoreboard(Arc<Scoring>);

impl tonic::server::UnaryService<pb::GetScoreboardRequest> for GetScoreboard {
    type Response = SharedBoard;
    type Future =
        Pin<Box<dyn Future<Output = Result<tonic::Response<SharedBoard>, tonic::Status>> + Send>>;

    fn call(&mut self, request: tonic::Request<pb::GetScoreboardRequest>) -> Self::Future {
        let scoring = self.0.clone();
        Box::pin(async move {
            let board = scoring.shared_scoreboard(request).await?;
            Ok(tonic::Response::new(SharedBoard(board)))
        })
    }
}

impl Service<http::Request<Body>> for ScoringRoutes {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if request.uri().path() != GET_SCOREBOARD {
            return Box::pin(self.generated.call(request));
        }
        let handler = GetScoreboard(self.scoring.clone());
        let max = self.max_message_bytes;
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::<
                SharedBoard,
                pb::GetScoreboardRequest,
            >::default())
            .apply_max_message_size_config(Some(max), Some(max));
            Ok(grpc.unary(handler, request).await)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared board is the same bytes on the wire as the message, both ways.
    #[test]
    fn a_shared_board_encodes_as_the_message() -> Result<(), prost::DecodeError> {
        let board = pb::GetScoreboardResponse {
            term: "clusters/bac-kan-phuong/terms/2022".into(),
            table_version: "criteriaTables/bang-2022/versions/1".into(),
            layer: pb::ScoreLayer::Adjustment.into(),
            rows: vec![pb::ScoreboardRow {
                rank: 1,
                unit: "units/qd124-2004~01843".into(),
                display_name: "Phường Phùng Chí Kiên".into(),
                total: Some(pb::Decimal {
                    value: "92.5".into(),
                }),
                classification: "Hoàn thành xuất sắc nhiệm vụ".into(),
                ..Default::default()
            }],
            leading_unit: "units/qd124-2004~01843".into(),
        };
        let shared = SharedBoard(Arc::new(board.clone()));
        assert_eq!(shared.encode_to_vec(), board.encode_to_vec());
        assert_eq!(SharedBoard::decode(&*board.encode_to_vec())?, shared);
        Ok(())
    }
}
