//! `thidua.v1.ScoringService`: stages, results, layer scores, scoreboard.

use std::sync::Arc;

use crate::{
    authorization::{Call, Scope, admit},
    boards::BoardCache,
};
use thidua_domain::{
    error::Violations,
    names::TermName,
    reporting::{NewResult, NewScore},
    text,
};
use thidua_proto::v1::{self as pb, scoring_service_server::ScoringService};
use thidua_storage::Store;
use tonic::{Request, Response, Status, Streaming};

/// Rows one result import may carry: a term has members × criteria results, far fewer.
pub const MAX_IMPORT_ROWS: usize = 100_000;

use super::{
    board_watch, decisions, format_in, in_bulk_runtime, invalid, invalid_all,
    uploads::{prepare_results, read_upload},
};
use crate::{app, convert};

/// The scoring service over a store.
#[derive(Debug, Clone)]
pub struct Scoring {
    store: Store,
    boards: BoardCache,
    /// The boards being watched, scored once per change for all their watchers.
    hub: super::board_hub::BoardHub,
    /// Turns true when the server begins to shut down: open watches end then.
    stopping: tokio::sync::watch::Receiver<bool>,
}

impl Scoring {
    /// A service over `store`; its watches end when `stopping` turns true.
    pub fn new(store: Store, stopping: tokio::sync::watch::Receiver<bool>) -> Self {
        Self {
            store,
            boards: BoardCache::default(),
            hub: super::board_hub::BoardHub::default(),
            stopping,
        }
    }

    /// The same, its watches served from `hub` (shared with the scoreboard page).
    #[must_use]
    pub fn with_hub(mut self, hub: super::board_hub::BoardHub) -> Self {
        self.hub = hub;
        self
    }

    /// The same, keeping at most `boards` computed scoreboards.
    #[must_use]
    pub fn with_board_cache(mut self, boards: usize) -> Self {
        self.boards = BoardCache::with_capacity(boards);
        self
    }
}

impl Scoring {
    /// GetScoreboard, the hottest read: decided and served in one blocking task, or from
    /// memory ([`BoardCache::fresh`]); the board is shared with the cache, not copied.
    pub async fn shared_scoreboard(
        &self,
        request: Request<pb::GetScoreboardRequest>,
    ) -> Result<Arc<pb::GetScoreboardResponse>, Status> {
        let (call, req) = Call::open(request)?;
        let pb::GetScoreboardRequest { term, layer } = req;
        let term = term_ref(&term)?;
        let up_to = convert::board_layer_in(layer);
        let cache = self.boards.clone();
        let scope = Scope::Term(term.clone());
        let fresh_key = term.clone();
        // The notes are worded in the caller's language, which the database thread below does
        // not see: taken here, and part of the cache's key.
        let language = crate::locale::current();
        call.admit_read(
            &self.store,
            scope,
            |generation| {
                self.boards.fresh(
                    (&fresh_key.cluster_id, fresh_key.year, layer, language),
                    generation,
                )
            },
            move |tx, generation| {
                let version = tx.term_version(&term)?;
                let key = (term.cluster_id.as_str(), term.year, layer, language);
                if let Some(kept) = cache.confirm(key, version, generation) {
                    return Ok(kept);
                }
                let board = app::scoring::scoreboard_in_tx(tx, &term, up_to)?;
                let version = board.term.version;
                let out = Arc::new(convert::board_out(board, up_to, language));
                cache.put(key, version, generation, out.clone());
                Ok(out)
            },
        )
        .await
    }
}

fn term_ref(name: &str) -> Result<TermName, Status> {
    convert::term_name("term", name).map_err(invalid)
}

#[tonic::async_trait]
impl ScoringService for Scoring {
    async fn advance_term(
        &self,
        request: Request<pb::AdvanceTermRequest>,
    ) -> Result<Response<pb::AdvanceTermResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::AdvanceTermRequest { term, stage } = req;
        let term = term_ref(&term)?;
        let to = convert::stage_in("stage", stage).map_err(invalid)?;
        let term = run
            .run(move |store| app::scoring::advance(store, &term, to))
            .await?;
        Ok(Response::new(pb::AdvanceTermResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn reopen_term(
        &self,
        request: Request<pb::ReopenTermRequest>,
    ) -> Result<Response<pb::ReopenTermResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ReopenTermRequest { term, reason } = req;
        let term = term_ref(&term)?;
        let reason = text::optional_text("reason", &reason, 2000).map_err(invalid)?;
        let term = run
            .run(move |store| app::scoring::reopen(store, &term, &reason))
            .await?;
        Ok(Response::new(pb::ReopenTermResponse {
            term: Some(convert::term_out(term)),
        }))
    }

    async fn submit_result(
        &self,
        request: Request<pb::SubmitResultRequest>,
    ) -> Result<Response<pb::SubmitResultResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::SubmitResultRequest { term, result } = req;
        let term = term_ref(&term)?;
        let pb::ReportedResult {
            unit,
            criterion_code,
            revision: _,
            value,
            evidence_reference,
            evidence_description,
            explanation,
            submit_time: _,
            late: _,
        } = result.unwrap_or_default();
        let mut v = Violations::default();
        let unit = v.check(convert::unit_name("result.unit", &unit));
        if value.is_none() {
            v.add("result.value", thidua_domain::words!("required"));
        }
        let (Some(unit), Some(value)) = (unit, value) else {
            return Err(invalid_all(v.into_inner()));
        };
        let new = NewResult {
            unit,
            code: criterion_code.trim().to_owned(),
            value: value.value,
            evidence_ref: text::normalize(&evidence_reference),
            evidence_note: evidence_description,
            explanation,
        };
        let stored = run
            .run(move |store| app::scoring::submit_result(store, &term, new))
            .await?;
        Ok(Response::new(pb::SubmitResultResponse {
            result: Some(convert::result_out(stored)),
        }))
    }

    async fn list_results(
        &self,
        request: Request<pb::ListResultsRequest>,
    ) -> Result<Response<pb::ListResultsResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListResultsRequest { term, unit } = req;
        let term = term_ref(&term)?;
        let unit = convert::optional_unit_name("unit", &unit).map_err(invalid)?;
        let results = run
            .run(move |store| app::scoring::list_results(store, &term, unit.as_ref()))
            .await?;
        Ok(Response::new(pb::ListResultsResponse {
            results: results.into_iter().map(convert::result_out).collect(),
        }))
    }

    async fn record_score(
        &self,
        request: Request<pb::RecordScoreRequest>,
    ) -> Result<Response<pb::RecordScoreResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::RecordScoreRequest {
            term,
            unit,
            criterion_code,
            layer,
            points,
            reason,
        } = req;
        let term = term_ref(&term)?;
        let mut v = Violations::default();
        let unit = v.check(convert::unit_name("unit", &unit));
        let layer = v.check(convert::score_layer_in("layer", layer));
        let points = v.check(convert::decimal_in("points", points.as_ref()));
        let reason = v.check(text::optional_text("reason", &reason, 2000));
        let (Some(unit), Some(layer), Some(points), Some(reason)) = (unit, layer, points, reason)
        else {
            return Err(invalid_all(v.into_inner()));
        };
        let new = NewScore {
            unit,
            code: criterion_code.trim().to_owned(),
            layer,
            points,
            reason,
        };
        let explained = run
            .run(move |store| app::scoring::record_score(store, &term, new))
            .await?;
        Ok(Response::new(pb::RecordScoreResponse {
            explanation: Some(convert::explained_out(explained)),
        }))
    }

    async fn get_scoreboard(
        &self,
        request: Request<pb::GetScoreboardRequest>,
    ) -> Result<Response<pb::GetScoreboardResponse>, Status> {
        // Served by `scoreboard_route` without a copy; this path answers the same, copied.
        let board = self.shared_scoreboard(request).await?;
        Ok(Response::new(Arc::unwrap_or_clone(board)))
    }

    async fn explain_score(
        &self,
        request: Request<pb::ExplainScoreRequest>,
    ) -> Result<Response<pb::ExplainScoreResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ExplainScoreRequest { term, unit, layer } = req;
        let term = term_ref(&term)?;
        let unit = convert::unit_name("unit", &unit).map_err(invalid)?;
        let up_to = convert::board_layer_in(layer);
        let explained = run
            .run(move |store| app::scoring::explain(store, &term, &unit, up_to))
            .await?;
        Ok(Response::new(convert::explained_out(explained)))
    }

    async fn export_scoreboard(
        &self,
        request: Request<pb::ExportScoreboardRequest>,
    ) -> Result<Response<pb::ExportScoreboardResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ExportScoreboardRequest {
            term,
            layer,
            format,
        } = req;
        let term = term_ref(&term)?;
        let up_to = convert::board_layer_in(layer);
        let format = format_in(format)?;
        let (content, file_name) = run
            .run(move |store| app::scoring::export_scoreboard(store, &term, up_to, format))
            .await?;
        Ok(Response::new(pb::ExportScoreboardResponse {
            content,
            file_name,
        }))
    }

    async fn import_results(
        &self,
        request: Request<Streaming<pb::ImportResultsRequest>>,
    ) -> Result<Response<pb::ImportResultsResponse>, Status> {
        let (call, mut stream) = Call::open_stream(request)?;
        // Decoding, converting and digesting the rows happen at idle priority, off the async
        // workers that serve every other call.
        let (term, request_id, prepared) = in_bulk_runtime(async move {
            let (header, sent) = read_upload(&mut stream, MAX_IMPORT_ROWS).await?;
            let pb::ImportResultsRequest {
                term,
                request_id,
                rows: _,
            } = header;
            let term_key = term_ref(&term)?;
            let prepared = prepare_results(term, &request_id, sent)?;
            Ok::<_, Status>((term_key, request_id, prepared))
        })
        .await
        .map_err(crate::status::to_status)??;
        let call = call.request_id(&request_id).digest_of(prepared.digest);
        let run = call
            .admit(&self.store, Scope::Members(term.clone(), prepared.units))
            .await?;
        let (rows, key) = (prepared.rows, prepared.key);
        let outcome = run
            .run_bulk(move |store| app::scoring::import_results(store, &term, &rows, key))
            .await?;
        Ok(Response::new(pb::ImportResultsResponse {
            rows_total: outcome.rows,
            results_stored: outcome.stored,
            replayed: outcome.replayed,
            warnings: crate::locale::say_all(&outcome.warnings),
        }))
    }

    async fn record_tie_decision(
        &self,
        request: Request<pb::RecordTieDecisionRequest>,
    ) -> Result<Response<pb::RecordTieDecisionResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::RecordTieDecisionRequest {
            term,
            units,
            decided_by,
            reason,
        } = req;
        let term = term_ref(&term)?;
        let mut v = Violations::default();
        let order: Vec<_> = units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| v.check(convert::unit_name(&format!("units[{i}]"), u)))
            .collect();
        if !v.is_empty() {
            return Err(invalid_all(v.into_inner()));
        }
        let board = run
            .run(move |store| {
                app::scoring::record_tie_decision(store, &term, &order, &decided_by, &reason)
            })
            .await?;
        Ok(Response::new(pb::RecordTieDecisionResponse {
            scoreboard: Some(convert::board_out(
                board,
                Some(thidua_domain::results::Layer::Adjustment),
                crate::locale::current(),
            )),
        }))
    }

    async fn propose_award(
        &self,
        request: Request<pb::ProposeAwardRequest>,
    ) -> Result<Response<pb::ProposeAwardResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ProposeAwardRequest { award } = req;
        let pb::Award {
            name: _,
            term,
            unit,
            kind,
            state: _,
            dossier,
            override_reason,
            ballot: _,
            revocation_ground: _,
            revocation_act: _,
            create_time: _,
            decision: _,
            entry: _,
        } = award.unwrap_or_default();
        let mut v = Violations::default();
        let target = v.check(convert::term_name("award.term", &term));
        let unit = v.check(convert::unit_name("award.unit", &unit));
        let kind = v.check(convert::award_kind_in("award.kind", kind));
        let override_reason = v.check(text::optional_text(
            "award.override_reason",
            &override_reason,
            2000,
        ));
        let (Some(term), Some(unit), Some(kind), Some(override_reason)) =
            (target, unit, kind, override_reason)
        else {
            return Err(invalid_all(v.into_inner()));
        };
        let dossier = convert::dossier_in(dossier);
        let award = run
            .run(move |store| {
                app::awards::propose(store, &term, &unit, kind, dossier, &override_reason)
            })
            .await?;
        Ok(Response::new(pb::ProposeAwardResponse {
            award: Some(convert::award_out(award)),
        }))
    }

    async fn record_ballot(
        &self,
        request: Request<pb::RecordBallotRequest>,
    ) -> Result<Response<pb::RecordBallotResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::RecordBallotRequest { award, ballot } = req;
        let id = award_id(&award)?;
        let ballot = convert::ballot_in(ballot).map_err(invalid)?;
        let award = run
            .run(move |store| app::awards::record_ballot(store, &id, ballot))
            .await?;
        Ok(Response::new(pb::RecordBallotResponse {
            award: Some(convert::award_out(award)),
        }))
    }

    async fn submit_award(
        &self,
        request: Request<pb::SubmitAwardRequest>,
    ) -> Result<Response<pb::SubmitAwardResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::SubmitAwardRequest { award, dossier } = req;
        let id = award_id(&award)?;
        let dossier = dossier.map(|d| convert::dossier_in(Some(d)));
        let award = run
            .run(move |store| app::awards::submit(store, &id, dossier))
            .await?;
        Ok(Response::new(pb::SubmitAwardResponse {
            award: Some(convert::award_out(award)),
        }))
    }

    async fn revoke_award(
        &self,
        request: Request<pb::RevokeAwardRequest>,
    ) -> Result<Response<pb::RevokeAwardResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::RevokeAwardRequest {
            award,
            legal_ground,
            legal_act,
        } = req;
        let id = award_id(&award)?;
        let award = run
            .run(move |store| app::awards::revoke(store, &id, &legal_ground, &legal_act))
            .await?;
        Ok(Response::new(pb::RevokeAwardResponse {
            award: Some(convert::award_out(award)),
        }))
    }

    async fn record_decision(
        &self,
        request: Request<pb::RecordDecisionRequest>,
    ) -> Result<Response<pb::RecordDecisionResponse>, Status> {
        decisions::record_decision(&self.store, request).await
    }

    async fn list_register(
        &self,
        request: Request<pb::ListRegisterRequest>,
    ) -> Result<Response<pb::ListRegisterResponse>, Status> {
        decisions::list_register(&self.store, request).await
    }

    async fn import_decisions(
        &self,
        request: Request<pb::ImportDecisionsRequest>,
    ) -> Result<Response<pb::ImportDecisionsResponse>, Status> {
        decisions::import_decisions(&self.store, request).await
    }

    async fn export_register(
        &self,
        request: Request<pb::ExportRegisterRequest>,
    ) -> Result<Response<pb::ExportRegisterResponse>, Status> {
        decisions::export_register(&self.store, request).await
    }

    async fn list_organiser_awards(
        &self,
        request: Request<pb::ListOrganiserAwardsRequest>,
    ) -> Result<Response<pb::ListOrganiserAwardsResponse>, Status> {
        decisions::list_organiser_awards(&self.store, request).await
    }

    async fn list_award_entries(
        &self,
        request: Request<pb::ListAwardEntriesRequest>,
    ) -> Result<Response<pb::ListAwardEntriesResponse>, Status> {
        decisions::list_award_entries(&self.store, request).await
    }

    async fn put_award_catalogue(
        &self,
        request: Request<pb::PutAwardCatalogueRequest>,
    ) -> Result<Response<pb::PutAwardCatalogueResponse>, Status> {
        decisions::put_award_catalogue(&self.store, request).await
    }

    async fn list_awards(
        &self,
        request: Request<pb::ListAwardsRequest>,
    ) -> Result<Response<pb::ListAwardsResponse>, Status> {
        decisions::list_awards(&self.store, request).await
    }

    async fn set_stage_deadlines(
        &self,
        request: Request<pb::SetStageDeadlinesRequest>,
    ) -> Result<Response<pb::SetStageDeadlinesResponse>, Status> {
        super::policy::set_deadlines(&self.store, request).await
    }

    async fn create_scoreboard_share(
        &self,
        request: Request<pb::CreateScoreboardShareRequest>,
    ) -> Result<Response<pb::CreateScoreboardShareResponse>, Status> {
        super::shares::create(&self.store, request).await
    }

    async fn list_scoreboard_shares(
        &self,
        request: Request<pb::ListScoreboardSharesRequest>,
    ) -> Result<Response<pb::ListScoreboardSharesResponse>, Status> {
        super::shares::list(&self.store, request).await
    }

    async fn revoke_scoreboard_share(
        &self,
        request: Request<pb::RevokeScoreboardShareRequest>,
    ) -> Result<Response<pb::RevokeScoreboardShareResponse>, Status> {
        super::shares::revoke(&self.store, request).await
    }

    async fn export_ballot_minutes(
        &self,
        request: Request<pb::ExportBallotMinutesRequest>,
    ) -> Result<Response<pb::ExportBallotMinutesResponse>, Status> {
        super::documents::ballot_minutes(&self.store, request).await
    }

    async fn export_award_submission(
        &self,
        request: Request<pb::ExportAwardSubmissionRequest>,
    ) -> Result<Response<pb::ExportAwardSubmissionResponse>, Status> {
        super::documents::submission(&self.store, request).await
    }

    type WatchScoreboardStream =
        tokio_stream::wrappers::ReceiverStream<Result<pb::WatchScoreboardResponse, Status>>;

    async fn watch_scoreboard(
        &self,
        request: Request<pb::WatchScoreboardRequest>,
    ) -> Result<Response<Self::WatchScoreboardStream>, Status> {
        board_watch::call(&self.store, &self.hub, &self.stopping, request).await
    }

    async fn get_scoring_policy(
        &self,
        request: Request<pb::GetScoringPolicyRequest>,
    ) -> Result<Response<pb::GetScoringPolicyResponse>, Status> {
        super::policy::get(&self.store, request).await
    }

    async fn set_scoring_policy(
        &self,
        request: Request<pb::SetScoringPolicyRequest>,
    ) -> Result<Response<pb::SetScoringPolicyResponse>, Status> {
        super::policy::set(&self.store, request).await
    }

    async fn list_scores(
        &self,
        request: Request<pb::ListScoresRequest>,
    ) -> Result<Response<pb::ListScoresResponse>, Status> {
        let (run, req) = admit(&self.store, request).await?;
        let pb::ListScoresRequest { term, unit } = req;
        let term = term_ref(&term)?;
        let unit = convert::optional_unit_name("unit", &unit).map_err(invalid)?;
        let scores = run
            .run(move |store| app::scoring::list_scores(store, &term, unit.as_ref()))
            .await?;
        Ok(Response::new(pb::ListScoresResponse {
            scores: scores.into_iter().map(convert::layer_score_out).collect(),
        }))
    }
}

fn award_id(name: &str) -> Result<String, Status> {
    convert::award_name("award", name).map_err(invalid)
}
