//! Scenarios of clusters, terms, leadership and covenants.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{
        bac_kan_members, create_2025_units, create_cluster, create_term, expect_error, fields,
        import_bac_kan, legacy,
    },
};

/// Clusters: create, get, list, update with etag, delete refused while terms exist.
pub fn cluster_lifecycle(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        let mut clusters = env.clusters().await?;
        let created = create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        ensure!(created.name == "clusters/bac-kan-city");
        let dup = create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await;
        ensure!(dup.is_err_and(|e| e.to_string().contains("already exists")));
        let bad = clusters
            .create_cluster(pb::CreateClusterRequest {
                cluster: Some(pb::Cluster {
                    display_name: String::new(),
                    kind: 0,
                    organiser: legacy("999"),
                    ..Default::default()
                }),
                cluster_id: "Cụm-1".into(),
                request_id: String::new(),
            })
            .await;
        let status = expect_error(bad, Code::InvalidArgument, None)?;
        let f = fields(&status);
        ensure!(
            f == ["cluster_id", "cluster.display_name", "cluster.kind"],
            "{f:?}"
        );
        let unknown_organiser = clusters
            .create_cluster(pb::CreateClusterRequest {
                cluster: Some(pb::Cluster {
                    display_name: "Khối các sở".into(),
                    kind: pb::ClusterKind::FunctionalBlock.into(),
                    organiser: legacy("999"),
                    ..Default::default()
                }),
                cluster_id: String::new(),
                request_id: String::new(),
            })
            .await;
        let status = expect_error(unknown_organiser, Code::InvalidArgument, None)?;
        ensure!(fields(&status) == ["cluster.organiser"]);

        let with_id = |name: &str| pb::CreateClusterRequest {
            cluster: Some(pb::Cluster {
                display_name: name.into(),
                kind: pb::ClusterKind::FunctionalBlock.into(),
                organiser: legacy("058"),
                ..Default::default()
            }),
            cluster_id: String::new(),
            request_id: "tao-khoi-1".into(),
        };
        let first = clusters
            .create_cluster(with_id("Khối các phòng, ban thành phố"))
            .await?
            .into_inner();
        let retry = clusters
            .create_cluster(with_id("Khối các phòng, ban thành phố"))
            .await?
            .into_inner();
        ensure!(
            first.cluster.is_some() && first.cluster == retry.cluster,
            "a retried create made another cluster"
        );
        expect_error(
            clusters.create_cluster(with_id("Khối khác")).await,
            Code::FailedPrecondition,
            Some("REQUEST_ID_REUSED"),
        )?;
        let found = clusters
            .list_clusters(pb::ListClustersRequest {
                search: "THANH PHO BAC KAN".into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        ensure!(found.clusters.len() == 1, "{:?}", found.clusters);
        let rename = |etag: &str| pb::UpdateClusterRequest {
            cluster: Some(pb::Cluster {
                name: "clusters/bac-kan-city".into(),
                display_name: "Cụm thi đua số 1 thành phố Bắc Kạn".into(),
                etag: etag.into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["display_name".into()],
            }),
        };
        let renamed = clusters
            .update_cluster(rename(&created.etag))
            .await?
            .into_inner()
            .cluster
            .context("the server answered without a cluster")?;
        ensure!(renamed.display_name == "Cụm thi đua số 1 thành phố Bắc Kạn");
        expect_error(
            clusters.update_cluster(rename(&created.etag)).await,
            Code::Aborted,
            None,
        )?;

        create_term(env, "bac-kan-city", 2022, &bac_kan_members()).await?;
        let refused = clusters
            .delete_cluster(pb::DeleteClusterRequest {
                name: "clusters/bac-kan-city".into(),
                etag: String::new(),
            })
            .await;
        expect_error(refused, Code::FailedPrecondition, Some("CLUSTER_HAS_TERMS"))?;
        create_cluster(env, "khoi-tam", pb::ClusterKind::FunctionalBlock).await?;
        clusters
            .delete_cluster(pb::DeleteClusterRequest {
                name: "clusters/khoi-tam".into(),
                etag: String::new(),
            })
            .await?;
        let gone = clusters
            .get_cluster(pb::GetClusterRequest {
                name: "clusters/khoi-tam".into(),
            })
            .await;
        expect_error(gone, Code::NotFound, None)?;
        let kept = clusters
            .get_cluster(pb::GetClusterRequest {
                name: "clusters/bac-kan-city".into(),
            })
            .await?;
        ensure!(
            kept.into_inner()
                .cluster
                .context("the server answered without a cluster")?
                .etag
                == renamed.etag
        );
        Ok(())
    })
}

/// Term rules: year range, existence on the term's dates, one term per kind, year and
/// organiser, leaders and deputies among members, membership changes.
pub fn term_rules(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_2025_units(env).await?;
        create_cluster(env, "cum-a", pb::ClusterKind::Territorial).await?;
        create_cluster(env, "cum-b", pb::ClusterKind::Territorial).await?;
        create_cluster(env, "khoi-c", pb::ClusterKind::FunctionalBlock).await?;
        let members = bac_kan_members();
        for year in [1999, 2101] {
            let status = expect_error(
                create_term(env, "cum-a", year, &members).await,
                Code::InvalidArgument,
                None,
            )?;
            ensure!(fields(&status) == ["term.year"]);
        }
        expect_error(
            create_term(env, "cum-a", 2022, &["units/qd19-2025~01843".to_owned()]).await,
            Code::FailedPrecondition,
            Some("UNIT_NOT_VALID_IN_TERM"),
        )?;
        let twice = vec![legacy("01843"), legacy("01843")];
        expect_error(
            create_term(env, "cum-a", 2022, &twice).await,
            Code::InvalidArgument,
            None,
        )?;
        let unknown = vec![legacy("01843"), legacy("01999")];
        let status = expect_error(
            create_term(env, "cum-a", 2022, &unknown).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["term.members[1].unit"]);

        let term = create_term(env, "cum-a", 2022, &members).await?;
        ensure!(
            term.members.len() == 8 && term.covenant_status == i32::from(pb::CovenantStatus::Draft)
        );
        expect_error(
            create_term(env, "cum-a", 2022, &members).await,
            Code::AlreadyExists,
            Some("TERM_EXISTS"),
        )?;
        expect_error(
            create_term(env, "cum-b", 2022, &[legacy("01843")]).await,
            Code::FailedPrecondition,
            Some("UNIT_IN_ANOTHER_TERM"),
        )?;
        create_term(env, "cum-b", 2023, &[legacy("01843")]).await?;
        create_term(env, "khoi-c", 2022, &[legacy("01843")]).await?;

        let mut clusters = env.clusters().await?;
        let lead = |leader: &str, deputies: &[&str], etag: &str| pb::SetTermLeadershipRequest {
            term: "clusters/cum-a/terms/2022".into(),
            leadership: Some(pb::Leadership {
                leader: leader.into(),
                deputies: deputies.iter().map(|d| (*d).to_owned()).collect(),
                method: pb::LeadershipMethod::Elected.into(),
                deciding_act: "Biên bản hội nghị tổng kết năm 2021".into(),
                ..Default::default()
            }),
            etag: etag.into(),
        };
        let status = expect_error(
            clusters
                .set_term_leadership(lead(&legacy("058"), &[], ""))
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["leadership.leader"]);
        let status = expect_error(
            clusters
                .set_term_leadership(lead(&legacy("01843"), &[&legacy("01843")], ""))
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["leadership.deputies[0]"]);
        let led = clusters
            .set_term_leadership(lead(&legacy("01843"), &[&legacy("01840")], &term.etag))
            .await?
            .into_inner()
            .term
            .context("the server answered without a term")?;
        ensure!(
            led.leadership
                .as_ref()
                .is_some_and(|l| l.deputies == [legacy("01840")])
        );
        expect_error(
            clusters
                .set_term_leadership(lead(&legacy("01846"), &[], &term.etag))
                .await,
            Code::Aborted,
            None,
        )?;
        let relead = clusters
            .set_term_leadership(lead(&legacy("01846"), &[&legacy("01840")], &led.etag))
            .await?
            .into_inner()
            .term
            .context("the server answered without a term")?;
        ensure!(relead.leadership_history.len() == 2, "history kept");
        ensure!(relead.leadership_history[0].leader == legacy("01843"));

        let remove = |unit: &str| pb::RemoveTermMemberRequest {
            term: "clusters/cum-a/terms/2022".into(),
            unit: unit.into(),
            etag: String::new(),
        };
        expect_error(
            clusters.remove_term_member(remove(&legacy("01840"))).await,
            Code::FailedPrecondition,
            Some("MEMBER_HAS_OFFICE"),
        )?;
        let fewer = clusters
            .remove_term_member(remove(&legacy("01855")))
            .await?
            .into_inner()
            .term
            .context("the server answered without a term")?;
        ensure!(fewer.members.len() == 7);
        let add = |unit: &str, etag: &str| pb::AddTermMemberRequest {
            term: "clusters/cum-a/terms/2022".into(),
            unit: unit.into(),
            etag: etag.into(),
        };
        expect_error(
            clusters
                .add_term_member(add(&legacy("01855"), &relead.etag))
                .await,
            Code::Aborted,
            None,
        )?;
        let back = clusters
            .add_term_member(add(&legacy("01855"), &fewer.etag))
            .await?
            .into_inner()
            .term
            .context("the server answered without a term")?;
        ensure!(
            back.members
                .last()
                .is_some_and(|m| m.unit == legacy("01855") && m.rotation_position == 8)
        );
        expect_error(
            clusters.add_term_member(add(&legacy("01855"), "")).await,
            Code::AlreadyExists,
            None,
        )?;
        expect_error(
            clusters
                .add_term_member(add("units/qd19-2025~01843", ""))
                .await,
            Code::FailedPrecondition,
            Some("UNIT_NOT_VALID_IN_TERM"),
        )?;
        Ok(())
    })
}

async fn sign(env: &Env, unit: &str, who: &str) -> Result<pb::Covenant, tonic::Status> {
    let mut clusters = env
        .clusters()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    clusters
        .sign_covenant(pb::SignCovenantRequest {
            covenant: "clusters/cum-a/terms/2022/covenant".into(),
            signature: Some(pb::Signature {
                unit: unit.into(),
                signatory_name: who.into(),
                signatory_title: "Chủ tịch UBND".into(),
                sign_time: None,
            }),
        })
        .await?
        .into_inner()
        .covenant
        .ok_or_else(|| tonic::Status::internal("the server answered without a covenant"))
}

/// Covenant: draft, sign, signed freezes membership and text, carry forward rotates the leader.
pub fn covenant_and_carry_forward(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "cum-a", pb::ClusterKind::Territorial).await?;
        let members = bac_kan_members();
        create_term(env, "cum-a", 2022, &members).await?;
        let mut clusters = env.clusters().await?;
        clusters
            .set_term_leadership(pb::SetTermLeadershipRequest {
                term: "clusters/cum-a/terms/2022".into(),
                leadership: Some(pb::Leadership {
                    leader: legacy("01843"),
                    method: pb::LeadershipMethod::Elected.into(),
                    deciding_act: "Biên bản hội nghị tổng kết năm 2021".into(),
                    ..Default::default()
                }),
                etag: String::new(),
            })
            .await?;
        let draft = |theme: &str| pb::UpdateCovenantRequest {
            covenant: Some(pb::Covenant {
                name: "clusters/cum-a/terms/2022/covenant".into(),
                theme: theme.into(),
                commitments: vec![
                    "Thu ngân sách đạt và vượt chỉ tiêu giao".into(),
                    "Tuyển quân đạt 100% chỉ tiêu".into(),
                ],
                place: "phường Phùng Chí Kiên".into(),
                signing_date: Some(crate::support::date(2022, 4, 28)),
                ..Default::default()
            }),
            update_mask: None,
        };
        let drafted = clusters
            .update_covenant(draft("Giao ước thi đua năm 2022"))
            .await?
            .into_inner()
            .covenant
            .context("the server answered without a covenant")?;
        ensure!(
            drafted.status == i32::from(pb::CovenantStatus::Draft)
                && drafted.commitments.len() == 2
        );

        expect_error(
            sign(env, &legacy("058"), "Hoàng Văn A").await,
            Code::FailedPrecondition,
            Some("NOT_A_MEMBER"),
        )?;
        let status = expect_error(
            sign(env, &legacy("01843"), " ").await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["signature.signatory_name"]);
        let first = sign(env, &legacy("01843"), "Nông Văn Chí").await?;
        ensure!(first.status == i32::from(pb::CovenantStatus::PartlySigned));
        expect_error(
            sign(env, &legacy("01843"), "Nông Văn Chí").await,
            Code::AlreadyExists,
            Some("ALREADY_SIGNED"),
        )?;

        let add = clusters
            .add_term_member(pb::AddTermMemberRequest {
                term: "clusters/cum-a/terms/2022".into(),
                unit: legacy("058"),
                etag: String::new(),
            })
            .await;
        expect_error(add, Code::FailedPrecondition, Some("COVENANT_SIGNED"))?;
        let remove = clusters
            .remove_term_member(pb::RemoveTermMemberRequest {
                term: "clusters/cum-a/terms/2022".into(),
                unit: legacy("01855"),
                etag: String::new(),
            })
            .await;
        expect_error(remove, Code::FailedPrecondition, Some("COVENANT_SIGNED"))?;
        expect_error(
            clusters
                .update_covenant(draft("Đổi nội dung sau khi ký"))
                .await,
            Code::FailedPrecondition,
            Some("COVENANT_SIGNED"),
        )?;
        let unchanged = clusters
            .get_covenant(pb::GetCovenantRequest {
                name: "clusters/cum-a/terms/2022/covenant".into(),
            })
            .await?
            .into_inner()
            .covenant
            .context("the server answered without a covenant")?;
        ensure!(unchanged.theme == "Giao ước thi đua năm 2022");
        for m in members.iter().filter(|m| **m != legacy("01843")) {
            sign(env, m, "Đại diện UBND").await?;
        }
        let signed = clusters
            .add_covenant_witness(pb::AddCovenantWitnessRequest {
                covenant: "clusters/cum-a/terms/2022/covenant".into(),
                witness: Some(pb::Witness {
                    person_name: "Đại diện Thường trực HĐND".into(),
                    title: "Phó Chủ tịch HĐND thành phố Bắc Kạn".into(),
                    unit: legacy("058"),
                }),
            })
            .await?
            .into_inner()
            .covenant
            .context("the server answered without a covenant")?;
        ensure!(
            signed.status == i32::from(pb::CovenantStatus::Signed) && signed.signatures.len() == 8
        );
        ensure!(signed.witnesses.len() == 1);

        let carry = |year: i32, request_id: &str| pb::CarryForwardTermRequest {
            term: format!("clusters/cum-a/terms/{year}"),
            request_id: request_id.into(),
            ..Default::default()
        };
        let next = clusters
            .carry_forward_term(carry(2022, "chuyen-2023"))
            .await?
            .into_inner();
        let term = next.term.unwrap_or_default();
        ensure!(term.year == 2023 && term.members.len() == 8 && next.dropped_units.is_empty());
        let leadership = term.leadership.unwrap_or_default();
        ensure!(
            leadership.leader == legacy("01846"),
            "rotated to {}",
            leadership.leader
        );
        ensure!(leadership.method == i32::from(pb::LeadershipMethod::Rotated));
        ensure!(term.covenant_status == i32::from(pb::CovenantStatus::Draft));
        let replay = clusters
            .carry_forward_term(carry(2022, "chuyen-2023"))
            .await?
            .into_inner();
        ensure!(
            replay.term.is_some_and(|t| t.year == 2023),
            "a retried carry-forward replays"
        );
        expect_error(
            clusters
                .carry_forward_term(carry(2022, "chuyen-2023-lan-2"))
                .await,
            Code::AlreadyExists,
            Some("TERM_EXISTS"),
        )?;
        let t2024 = clusters
            .carry_forward_term(carry(2023, ""))
            .await?
            .into_inner();
        ensure!(
            t2024
                .term
                .and_then(|t| t.leadership)
                .is_some_and(|l| l.leader == legacy("01849"))
        );
        clusters.carry_forward_term(carry(2024, "")).await?;
        expect_error(
            clusters.carry_forward_term(carry(2025, "")).await,
            Code::FailedPrecondition,
            Some("UNIT_NOT_VALID_IN_TERM"),
        )?;
        let listed = clusters
            .list_terms(pb::ListTermsRequest {
                parent: "clusters/cum-a".into(),
                page_size: 2,
                page_token: String::new(),
            })
            .await?
            .into_inner();
        let years: Vec<_> = listed.terms.iter().map(|t| t.year).collect();
        ensure!(
            years == [2025, 2024] && !listed.next_page_token.is_empty(),
            "{years:?}"
        );
        Ok(())
    })
}

/// Two terms of the same kind, year and organiser claim one unit at once: exactly one wins.
pub fn concurrent_membership(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        for round in 0..5 {
            let (a, b) = (format!("cum-x{round}"), format!("cum-y{round}"));
            create_cluster(env, &a, pb::ClusterKind::Territorial).await?;
            create_cluster(env, &b, pb::ClusterKind::Territorial).await?;
            let year = 2010 + round;
            let members = [legacy("01843"), legacy("01840")];
            let (ra, rb) = tokio::join!(
                create_term(env, &a, year, &members),
                create_term(env, &b, year, &members)
            );
            let wins = usize::from(ra.is_ok()) + usize::from(rb.is_ok());
            ensure!(wins == 1, "round {round}: {wins} terms took the same units");
            let loser = if ra.is_err() { ra } else { rb };
            expect_error(
                loser,
                Code::FailedPrecondition,
                Some("UNIT_IN_ANOTHER_TERM"),
            )?;
        }
        Ok(())
    })
}

/// Every member signs at once: all signatures are kept, each once, and the covenant is signed.
pub fn concurrent_signing(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "cum-a", pb::ClusterKind::Territorial).await?;
        let members = bac_kan_members();
        create_term(env, "cum-a", 2022, &members).await?;
        let mut clusters = env.clusters().await?;
        let handles: Vec<_> = members
            .iter()
            .cloned()
            .map(|unit| {
                let mut client = clusters.clone();
                tokio::spawn(async move {
                    client
                        .sign_covenant(pb::SignCovenantRequest {
                            covenant: "clusters/cum-a/terms/2022/covenant".into(),
                            signature: Some(pb::Signature {
                                unit,
                                signatory_name: "Đại diện UBND".into(),
                                signatory_title: String::new(),
                                sign_time: None,
                            }),
                        })
                        .await
                })
            })
            .collect();
        for handle in handles {
            handle.await??;
        }
        let covenant = clusters
            .get_covenant(pb::GetCovenantRequest {
                name: "clusters/cum-a/terms/2022/covenant".into(),
            })
            .await?
            .into_inner()
            .covenant
            .context("the server answered without a covenant")?;
        ensure!(covenant.signatures.len() == 8);
        ensure!(covenant.status == i32::from(pb::CovenantStatus::Signed));
        let mut signers: Vec<_> = covenant.signatures.iter().map(|s| s.unit.clone()).collect();
        signers.sort();
        ensure!(signers == members, "{signers:?}");
        Ok(())
    })
}
