//! Award proposals, the secret ballot, submission and revocation.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::{Code, Status};

use crate::{
    env::Env,
    support::{expect_error, legacy},
};

use super::*;

pub(super) async fn propose(
    env: &Env,
    unit: &str,
    kind: pb::AwardKind,
) -> Result<pb::Award, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    scoring
        .propose_award(pb::ProposeAwardRequest {
            award: Some(pb::Award {
                term: TERM.into(),
                unit: legacy(unit),
                kind: kind.into(),
                ..Default::default()
            }),
        })
        .await?
        .into_inner()
        .award
        .ok_or_else(|| Status::internal("no award"))
}

pub(super) async fn ballot(env: &Env, award: &str, counts: [i64; 5]) -> Result<pb::Award, Status> {
    let mut scoring = env
        .scoring()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let [eligible, present, valid, yes, no] = counts;
    scoring
        .record_ballot(pb::RecordBallotRequest {
            award: award.into(),
            ballot: Some(pb::Ballot {
                eligible,
                present,
                valid,
                yes,
                no,
                threshold: None,
                base: pb::BallotBase::Present.into(),
                passed: false,
            }),
        })
        .await?
        .into_inner()
        .award
        .ok_or_else(|| Status::internal("no award"))
}

/// Awards after adoption: eligibility, one award per unit, ballots that must add up, a complete
/// dossier before submission, and revocation that keeps history.
pub fn awards_and_ballots(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        signed_term(env, &["01843", "01840", "01852"], &["1000", "800", "500"]).await?;
        advance(env, pb::TermStage::Reporting).await?;
        report_trio(env, "760", "0").await?;
        expect_error(
            propose(env, "01843", pb::AwardKind::ProvincialFlag).await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        for stage in [
            pb::TermStage::SelfScoring,
            pb::TermStage::Review,
            pb::TermStage::Adopted,
        ] {
            advance(env, stage).await?;
        }
        let status = expect_error(
            propose(env, "01852", pb::AwardKind::ProvincialFlag).await,
            Code::FailedPrecondition,
            Some("NOT_ELIGIBLE"),
        )?;
        ensure!(status.message().contains("01852"), "{}", status.message());
        expect_error(
            propose(env, "01840", pb::AwardKind::ProvincialFlag).await,
            Code::FailedPrecondition,
            Some("NOT_ELIGIBLE"),
        )?;
        let flag = propose(env, "01843", pb::AwardKind::ProvincialFlag).await?;
        let merit = propose(env, "01840", pb::AwardKind::CertificateOfMerit).await?;
        // The provincial flag does not bar the Government flag, but one excellent unit in
        // the organiser's year is too few for its 20% share.
        let status = expect_error(
            propose(env, "01843", pb::AwardKind::GovernmentFlag).await,
            Code::FailedPrecondition,
            Some("QUOTA_EXCEEDED"),
        )?;
        ensure!(
            status.message().contains("1 collectives"),
            "{}",
            status.message()
        );
        expect_error(
            propose(env, "01843", pb::AwardKind::CertificateOfMerit).await,
            Code::AlreadyExists,
            None,
        )?;

        expect_error(
            ballot(env, &flag.name, [3, 3, 3, 2, 1]).await,
            Code::FailedPrecondition,
            Some("WRONG_STAGE"),
        )?;
        advance(env, pb::TermStage::Ballot).await?;
        for counts in [
            [3, 3, 4, 2, 1],
            [3, 4, 3, 2, 1],
            [3, 3, 3, 3, 1],
            [3, 3, 3, -1, 1],
            [8, 3, 3, 2, 1],
        ] {
            expect_error(
                ballot(env, &flag.name, counts).await,
                Code::InvalidArgument,
                None,
            )?;
        }
        let passed = ballot(env, &flag.name, [3, 3, 3, 2, 1]).await?;
        ensure!(
            passed.state == i32::from(pb::AwardState::Passed)
                && passed.ballot.as_ref().is_some_and(|b| b.passed)
        );
        let failed = ballot(env, &merit.name, [3, 2, 2, 1, 1]).await?;
        ensure!(
            failed.state == i32::from(pb::AwardState::Failed),
            "1 of 2 present is not more than half"
        );

        let mut scoring = env.scoring().await?;
        let submit = |name: &str, dossier: Option<pb::Dossier>| pb::SubmitAwardRequest {
            award: name.into(),
            dossier,
        };
        expect_error(
            scoring.submit_award(submit(&merit.name, None)).await,
            Code::FailedPrecondition,
            Some("AWARD_STATE"),
        )?;
        let status = expect_error(
            scoring.submit_award(submit(&flag.name, None)).await,
            Code::FailedPrecondition,
            Some("DOSSIER_INCOMPLETE"),
        )?;
        ensure!(status.message().contains("incomplete"));
        let dossier = pb::Dossier {
            submission_letter: "Tờ trình 05/TTr-CTĐ ngày 20/12/2022".into(),
            minutes: "Biên bản họp cụm ngày 15/12/2022".into(),
            achievement_report: "Báo cáo thành tích phường Phùng Chí Kiên năm 2022".into(),
        };
        let submitted = scoring
            .submit_award(submit(&flag.name, Some(dossier)))
            .await?
            .into_inner()
            .award
            .context("no award")?;
        ensure!(submitted.state == i32::from(pb::AwardState::Submitted));
        let revoke = |act: &str| pb::RevokeAwardRequest {
            award: flag.name.clone(),
            legal_ground: "Kê khai thành tích không trung thực".into(),
            legal_act: act.into(),
        };
        expect_error(
            scoring.revoke_award(revoke("")).await,
            Code::InvalidArgument,
            None,
        )?;
        scoring
            .revoke_award(revoke("Quyết định 99/QĐ-UBND"))
            .await?;
        let list = scoring
            .list_awards(pb::ListAwardsRequest { term: TERM.into() })
            .await?
            .into_inner()
            .awards;
        ensure!(list.len() == 2, "revoked awards stay listed");
        ensure!(
            list.iter()
                .any(|a| a.state == i32::from(pb::AwardState::Revoked)
                    && a.revocation_act == "Quyết định 99/QĐ-UBND")
        );
        Ok(())
    })
}
