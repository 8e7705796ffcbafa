//! Ties no rule breaks: they block adoption until a recorded decision orders them.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{expect_error, fields, legacy},
};

use super::*;

/// Xuất Hóa and Dương Quang with identical results, in review: tied under every rule.
async fn tied_pair_in_review(env: &Env) -> anyhow::Result<()> {
    signed_term(env, &["01855", "01849"], &["700", "700"]).await?;
    advance(env, pb::TermStage::Reporting).await?;
    for unit in ["01855", "01849"] {
        report(
            env,
            unit,
            &[
                ("I.1", "700"),
                ("I.2", "100"),
                ("I.3", "4"),
                ("II.1", "0"),
                ("III.1", "99"),
                ("IV.1", "100"),
                ("V.1", "13"),
                ("VI.1", "0"),
            ],
        )
        .await?;
    }
    advance(env, pb::TermStage::SelfScoring).await?;
    advance(env, pb::TermStage::Review).await?;
    Ok(())
}

/// Two members with the same results tie under every rule: adoption waits for a decision.
pub fn unresolved_tie_blocks_adoption(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        tied_pair_in_review(env).await?;
        let mut scoring = env.scoring().await?;
        let b = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(
            b.rows.iter().all(|r| r.unresolved_tie && r.rank == 1),
            "{:?}",
            b.rows
        );
        ensure!(b.leading_unit.is_empty(), "no leader while the top is tied");
        expect_error(
            advance(env, pb::TermStage::Adopted).await,
            Code::FailedPrecondition,
            Some("UNRESOLVED_TIE"),
        )?;
        Ok(())
    })
}

/// A recorded decision breaks a tie no rule breaks, and adoption may then go ahead.
pub fn tie_decision_allows_adoption(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        tied_pair_in_review(env).await?;
        let mut scoring = env.scoring().await?;
        let decide = |units: Vec<String>, reason: &str| pb::RecordTieDecisionRequest {
            term: TERM.into(),
            units,
            decided_by: "Hội nghị tổng kết cụm".into(),
            reason: reason.into(),
        };
        let status = expect_error(
            scoring
                .record_tie_decision(decide(vec![legacy("01855")], "x"))
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["units"]);
        let board = scoring
            .record_tie_decision(decide(
                vec![legacy("01849"), legacy("01855")],
                "Biểu quyết tại hội nghị ngày 15/12/2022",
            ))
            .await?
            .into_inner()
            .scoreboard
            .context("no board")?;
        ensure!(board.leading_unit == legacy("01849"), "{board:?}");
        ensure!(
            board.rows[1].tie_note.contains("Hội nghị tổng kết cụm"),
            "{}",
            board.rows[1].tie_note
        );
        advance(env, pb::TermStage::Adopted).await?;
        Ok(())
    })
}
