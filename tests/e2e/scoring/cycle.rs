//! The year-end cycle end to end: stages in order, results, every score layer, the
//! scoreboard at each layer, adoption and reopening.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{expect_error, fields, legacy},
};

use super::*;

/// Stages run in order; results are validated and revised; each layer counts above the one
/// before without erasing it; the board matches hand-computed totals; adoption freezes scores
/// until a reasoned reopening.
pub fn year_end_cycle(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01843", "01840", "01852"], &["1000", "800", "500"]).await?;
        let skip = advance(env, pb::TermStage::Review).await;
        let status = expect_error(skip, Code::FailedPrecondition, Some("WRONG_STAGE"))?;
        ensure!(status.message().contains("setup"), "{}", status.message());
        expect_error(
            submit(env, &legacy("01843"), "I.2", "100", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        let term = advance(env, pb::TermStage::Reporting).await?;
        ensure!(term.stage == i32::from(pb::TermStage::Reporting));

        for (unit, code, value, evidence, field) in [
            (legacy("058"), "I.2", "100", "", "result.unit"),
            (legacy("01843"), "IX.9", "100", "", "result.criterion_code"),
            (legacy("01843"), "I.2", "1,5", "", "result.value"),
            (legacy("01843"), "I.1", "1100", "", "result.evidence"),
            (legacy("01843"), "VI.1", "2", "", "result.value"),
        ] {
            let status = expect_error(
                submit(env, &unit, code, value, evidence).await,
                Code::InvalidArgument,
                None,
            )?;
            ensure!(
                fields(&status) == [field],
                "{code} {value}: {:?}",
                fields(&status)
            );
        }
        report_trio(env, "720", "1").await?;
        let expected = |a: &str, b: &str, c: &str| {
            vec![
                ("01843".to_owned(), a.to_owned()),
                ("01840".to_owned(), b.to_owned()),
                ("01852".to_owned(), c.to_owned()),
            ]
        };
        ensure!(
            board(env, pb::ScoreLayer::Results).await? == expected("113", "89", "85"),
            "{:?}",
            board(env, pb::ScoreLayer::Results).await?
        );
        let corrected =
            // 760 of 800 is 95%: 14.25 points, rounded half away from zero to 14.5.
            submit(env, &legacy("01840"), "I.1", "760", "Báo cáo số 15/BC-UBND").await?;
        ensure!(corrected.revision == 2);
        ensure!(board(env, pb::ScoreLayer::Results).await? == expected("113", "90", "85"));
        // Eight officers correct the same result at once: each gets the next revision, none
        // is lost, and the board still counts the latest.
        let mut corrections = Vec::new();
        for i in 0..8 {
            let mut scoring = env.scoring().await?;
            corrections.push(tokio::spawn(async move {
                scoring
                    .submit_result(pb::SubmitResultRequest {
                        term: TERM.into(),
                        result: Some(pb::ReportedResult {
                            unit: legacy("01840"),
                            criterion_code: "I.1".into(),
                            value: decimal("760"),
                            evidence_reference: format!("Báo cáo số {}/BC-UBND", 16 + i),
                            ..Default::default()
                        }),
                    })
                    .await
                    .map(|r| r.into_inner().result.map(|r| r.revision))
            }));
        }
        let mut revisions = Vec::new();
        for c in corrections {
            revisions.push(c.await??.context("no result")?);
        }
        revisions.sort_unstable();
        ensure!(revisions == (3..=10).collect::<Vec<_>>(), "{revisions:?}");
        let next = submit(env, &legacy("01840"), "I.1", "760", "Báo cáo số 24/BC-UBND").await?;
        ensure!(next.revision == 11, "{}", next.revision);
        ensure!(board(env, pb::ScoreLayer::Results).await? == expected("113", "90", "85"));

        expect_error(
            score(env, "01852", "V.1", pb::ScoreLayer::Self_, "14", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        advance(env, pb::TermStage::SelfScoring).await?;
        score(env, "01852", "V.1", pb::ScoreLayer::Self_, "14", "").await?;
        expect_error(
            score(env, "01852", "V.1", pb::ScoreLayer::Self_, "16", "").await,
            Code::InvalidArgument,
            None,
        )?;
        advance(env, pb::TermStage::Review).await?;
        expect_error(
            submit(env, &legacy("01852"), "I.2", "100", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        score(env, "01852", "V.1", pb::ScoreLayer::Review, "11", "").await?;
        let status = expect_error(
            score(env, "01840", "III.1", pb::ScoreLayer::Adjustment, "15", " ").await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["reason"]);
        score(
            env,
            "01840",
            "III.1",
            pb::ScoreLayer::Adjustment,
            "15",
            "Số liệu học tập nghị quyết được bổ sung",
        )
        .await?;
        ensure!(
            board(env, pb::ScoreLayer::Results).await? == expected("113", "90", "85"),
            "results layer unchanged"
        );
        ensure!(board(env, pb::ScoreLayer::Self_).await? == expected("113", "90", "87"));
        ensure!(board(env, pb::ScoreLayer::Review).await? == expected("113", "90", "84"));
        ensure!(board(env, pb::ScoreLayer::Adjustment).await? == expected("113", "92", "84"));

        let mut scoring = env.scoring().await?;
        let history = scoring
            .list_scores(pb::ListScoresRequest {
                term: TERM.into(),
                unit: legacy("01852"),
            })
            .await?
            .into_inner()
            .scores;
        let layers: Vec<i32> = history.iter().map(|s| s.layer).collect();
        ensure!(
            layers
                == [
                    i32::from(pb::ScoreLayer::Review),
                    i32::from(pb::ScoreLayer::Self_)
                ]
                || layers
                    == [
                        i32::from(pb::ScoreLayer::Self_),
                        i32::from(pb::ScoreLayer::Review)
                    ],
            "both layers kept: {history:?}"
        );
        let explained = scoring
            .explain_score(pb::ExplainScoreRequest {
                term: TERM.into(),
                unit: legacy("01843"),
                layer: pb::ScoreLayer::Adjustment.into(),
            })
            .await?
            .into_inner();
        let i1 = explained
            .criteria
            .iter()
            .find(|c| c.code == "I.1")
            .context("no I.1")?;
        ensure!(
            i1.points.as_ref().map(|d| d.value.as_str()) == Some("18"),
            "{i1:?}"
        );
        ensure!(
            i1.target.as_ref().map(|d| d.value.as_str()) == Some("1000")
                && i1.why.contains("bonus"),
            "{i1:?}"
        );
        let b = scoring
            .get_scoreboard(pb::GetScoreboardRequest {
                term: TERM.into(),
                layer: 0,
            })
            .await?
            .into_inner();
        ensure!(b.leading_unit == legacy("01843"));
        ensure!(
            b.rows[0].classification == "Hoàn thành xuất sắc nhiệm vụ",
            "{:?}",
            b.rows[0]
        );

        advance(env, pb::TermStage::Adopted).await?;
        expect_error(
            score(env, "01852", "V.1", pb::ScoreLayer::Review, "12", "").await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        let no_reason = scoring
            .reopen_term(pb::ReopenTermRequest {
                term: TERM.into(),
                reason: String::new(),
            })
            .await;
        expect_error(no_reason, Code::InvalidArgument, None)?;
        let reopened = scoring
            .reopen_term(pb::ReopenTermRequest {
                term: TERM.into(),
                reason: "Phát hiện sai sót số liệu thu ngân sách".into(),
            })
            .await?
            .into_inner()
            .term
            .context("no term")?;
        ensure!(reopened.stage == i32::from(pb::TermStage::Review));
        let history = scoring
            .list_results(pb::ListResultsRequest {
                term: TERM.into(),
                unit: legacy("01840"),
            })
            .await?
            .into_inner()
            .results;
        ensure!(
            history.iter().filter(|r| r.criterion_code == "I.1").count() == 11,
            "revisions kept: the report, its correction, and nine concurrent ones"
        );
        ensure!(
            board(env, pb::ScoreLayer::Adjustment).await? == expected("113", "92", "84"),
            "reopening kept every score"
        );
        Ok(())
    })
}
