//! A term's scoring policy: tie-break chain, classification levels, quotas, the ballot rule.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{expect_error, fields, legacy},
};

use super::{
    awards::{ballot, propose},
    *,
};

/// A term's policy sets the tie-break chain, the classification levels and the ballot rule,
/// until adoption.
pub fn scoring_policy(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01855", "01849"], &["700", "700"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        let common = [
            ("I.1", "700"),
            ("I.2", "100"),
            ("II.1", "0"),
            ("III.1", "100"),
            ("IV.1", "100"),
            ("VI.1", "0"),
        ];
        report(env, "01855", &common).await?;
        report(env, "01855", &[("I.3", "5"), ("V.1", "13")]).await?;
        report(env, "01849", &common).await?;
        report(env, "01849", &[("I.3", "3"), ("V.1", "15")]).await?;
        advance(env, pb::TermStage::SelfScoring).await?;
        advance(env, pb::TermStage::Review).await?;
        let mut scoring = env.scoring().await?;
        let leader = |b: pb::GetScoreboardResponse| b.leading_unit;
        let board = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(
            leader(board) == legacy("01855"),
            "the default chain starts with group I"
        );
        let set = |policy: pb::ScoringPolicy| pb::SetScoringPolicyRequest {
            term: TERM.into(),
            policy: Some(policy),
        };
        let bad = pb::ScoringPolicy {
            tie_breaks: vec![pb::TieBreakStep {
                kind: pb::TieBreakKind::Subtotal.into(),
                code: "IX".into(),
            }],
            certificates_of_merit: -1,
            ..Default::default()
        };
        let status = expect_error(
            scoring.set_scoring_policy(set(bad)).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(
            fields(&status) == ["policy.certificates_of_merit"],
            "{:?}",
            fields(&status)
        );
        let unknown_code = pb::ScoringPolicy {
            tie_breaks: vec![pb::TieBreakStep {
                kind: pb::TieBreakKind::Subtotal.into(),
                code: "IX".into(),
            }],
            ..Default::default()
        };
        let status = expect_error(
            scoring.set_scoring_policy(set(unknown_code)).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(
            fields(&status) == ["policy.tie_breaks[0].code"],
            "{:?}",
            fields(&status)
        );
        let policy = pb::ScoringPolicy {
            tie_breaks: vec![pb::TieBreakStep {
                kind: pb::TieBreakKind::Subtotal.into(),
                code: "V".into(),
            }],
            levels: vec![pb::ClassificationLevel {
                name: "Đạt yêu cầu".into(),
                min_total_share: decimal("0.5"),
                min_criterion_share: decimal("0"),
            }],
            ballot_threshold: decimal("0.6"),
            ballot_base: pb::BallotBase::All.into(),
            ..Default::default()
        };
        scoring.set_scoring_policy(set(policy.clone())).await?;
        let board = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(
            board.rows[1].tie_note.contains("subtotal of V"),
            "{:?}",
            board.rows[1]
        );
        ensure!(board.rows.iter().all(|r| r.classification == "Đạt yêu cầu"));
        ensure!(
            leader(board) == legacy("01849"),
            "the configured chain puts group V first"
        );
        advance(env, pb::TermStage::Adopted).await?;
        expect_error(
            scoring.set_scoring_policy(set(policy)).await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        let flag = propose(env, "01849", pb::AwardKind::ProvincialFlag).await?;
        advance(env, pb::TermStage::Ballot).await?;
        let voted = ballot(env, &flag.name, [2, 2, 2, 2, 0]).await?;
        let b = voted.ballot.context("no ballot")?;
        ensure!(
            b.passed
                && b.threshold.map(|d| d.value).as_deref() == Some("0.6")
                && b.base == i32::from(pb::BallotBase::All)
        );
        Ok(())
    })
}
