//! Scenarios of units: seed case, search, pagination, validation, import, lineage.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::Code;

use crate::{
    env::Env,
    support::{
        all_units, bac_kan_rows, create_2025_units, date, expect_error, fields, import,
        import_bac_kan, legacy, reform,
    },
};

/// `--demo` loads the seed case exactly as the reference list has it, and twice is once.
pub fn seed_case(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    thidua_server::demo::load(&env.store)?;
    env.block_on(async {
        let units = all_units(env, "qd124-2004").await?;
        let expected = bac_kan_rows()?;
        ensure!(
            units.len() == expected.len(),
            "{} units after two loads",
            units.len()
        );
        for row in &expected {
            let u = units.iter().find(|u| u.code == row.code);
            ensure!(
                u.is_some_and(|u| u.display_name == row.name && u.valid_to == Some(reform())),
                "unit {} {} missing or different",
                row.code,
                row.name
            );
        }
        let mut clusters = env.clusters().await?;
        let term = clusters
            .get_term(pb::GetTermRequest {
                name: "clusters/bac-kan-city/terms/2022".into(),
            })
            .await?
            .into_inner()
            .term
            .context("the server answered without a term")?;
        ensure!(term.members.len() == 8, "{} members", term.members.len());
        let codes: Vec<_> = term.members.iter().map(|m| m.unit.clone()).collect();
        ensure!(
            codes == crate::support::bac_kan_members(),
            "members {codes:?}"
        );
        ensure!(
            term.leadership
                .as_ref()
                .is_some_and(|l| l.leader == legacy("01843"))
        );
        ensure!(
            term.leadership_history.len() == 1,
            "leadership recorded twice"
        );
        ensure!(term.covenant_status == i32::from(pb::CovenantStatus::Signed));
        let cluster = clusters
            .get_cluster(pb::GetClusterRequest {
                name: "clusters/bac-kan-city".into(),
            })
            .await?
            .into_inner()
            .cluster
            .context("the server answered without a cluster")?;
        ensure!(cluster.display_name == "Cụm thi đua các xã, phường thành phố Bắc Kạn");
        ensure!(
            cluster.organiser == "units/qd19-2025~19"
                && cluster.transfers.len() == 1
                && cluster.transfers[0].from_organiser == legacy("058"),
            "the city's cluster went to Thái Nguyên: {cluster:?}"
        );
        let next = clusters
            .get_term(pb::GetTermRequest {
                name: "clusters/bac-kan-city/terms/2026".into(),
            })
            .await?
            .into_inner()
            .term
            .context("the 2026 term")?;
        let names: Vec<&str> = next
            .members
            .iter()
            .map(|m| m.display_name.as_str())
            .collect();
        ensure!(names == ["Đức Xuân", "Bắc Kạn", "Phong Quang"], "{names:?}");
        ensure!(
            next.leadership
                .as_ref()
                .is_some_and(|l| l.leader == "units/qd19-2025~01843"),
            "phường Bắc Kạn, successor of Phùng Chí Kiên, leads"
        );
        ensure!(next.leadership_history.len() == 1, "carried forward twice");
        let covenant = clusters
            .get_covenant(pb::GetCovenantRequest {
                name: "clusters/bac-kan-city/terms/2022/covenant".into(),
            })
            .await?
            .into_inner()
            .covenant
            .context("the server answered without a covenant")?;
        ensure!(covenant.signatures.len() == 8 && covenant.witnesses.len() == 1);
        ensure!(covenant.signing_date == Some(date(2022, 4, 28)));
        ensure!(covenant.place.contains("Phùng Chí Kiên"));
        ensure!(covenant.witnesses[0].title.contains("Phó Chủ tịch HĐND"));
        ensure!(covenant.commitments.len() == 5);
        ensure!(
            term.stage == i32::from(pb::TermStage::Proposed),
            "the demo runs to proposals: {}",
            term.stage
        );
        let mut scoring = env.scoring().await?;
        let awards = scoring
            .list_awards(pb::ListAwardsRequest {
                term: "clusters/bac-kan-city/terms/2022".into(),
            })
            .await?
            .into_inner()
            .awards;
        // The province decided the flag; the certificates wait for their decision.
        let states: Vec<i32> = awards.iter().map(|a| a.state).collect();
        ensure!(
            states
                == [
                    i32::from(pb::AwardState::Awarded),
                    i32::from(pb::AwardState::Submitted),
                    i32::from(pb::AwardState::Submitted)
                ],
            "{states:?}"
        );
        ensure!(
            awards[0].unit == legacy("01843")
                && awards[0].kind == i32::from(pb::AwardKind::ProvincialFlag)
        );
        Ok(())
    })
}

async fn search(env: &Env, text: &str) -> anyhow::Result<Vec<String>> {
    let mut client = env.units().await?;
    let page = client
        .list_units(pb::ListUnitsRequest {
            search: text.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    Ok(page.units.into_iter().map(|u| u.display_name).collect())
}

/// Search ignores case and diacritics; keyset pages cover every row once; filters combine.
pub fn search_and_pages(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        ensure!(search(env, "phung chi kien").await? == ["Phùng Chí Kiên"]);
        ensure!(search(env, "PHÙNG CHÍ KIÊN").await? == ["Phùng Chí Kiên"]);
        ensure!(search(env, "duc xuan").await? == ["Đức Xuân"]);
        ensure!(search(env, "nong thuong").await? == ["Nông Thượng"]);
        ensure!(search(env, "01855").await? == ["Xuất Hóa"]);
        ensure!(search(env, "xuat hoa").await? == ["Xuất Hóa"]);
        let mut client = env.units().await?;
        let mut seen = Vec::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let page = client
                .list_units(pb::ListUnitsRequest {
                    page_size: 3,
                    page_token: token,
                    parent: legacy("058"),
                    ..Default::default()
                })
                .await?
                .into_inner();
            pages += 1;
            seen.extend(page.units.into_iter().map(|u| u.code));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        ensure!(pages == 3, "{pages} pages");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        ensure!(seen == sorted && seen.len() == 8, "pages gave {seen:?}");
        let first = client
            .list_units(pb::ListUnitsRequest {
                page_size: 3,
                parent: legacy("058"),
                ..Default::default()
            })
            .await?
            .into_inner();
        let other_filter = client
            .list_units(pb::ListUnitsRequest {
                page_size: 3,
                page_token: first.next_page_token,
                parent: legacy("06"),
                ..Default::default()
            })
            .await;
        expect_error(other_filter, Code::InvalidArgument, None)?;
        let on = |d: pb::Date| pb::ListUnitsRequest {
            valid_on: Some(d),
            scheme: "qd124-2004".into(),
            ..Default::default()
        };
        ensure!(
            client
                .list_units(on(date(2022, 6, 1)))
                .await?
                .into_inner()
                .units
                .len()
                == 10
        );
        ensure!(
            client
                .list_units(on(date(2026, 1, 1)))
                .await?
                .into_inner()
                .units
                .is_empty()
        );
        let communes = client
            .list_units(pb::ListUnitsRequest {
                kind: pb::UnitKind::Commune.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        let names: Vec<_> = communes
            .units
            .iter()
            .map(|u| u.display_name.as_str())
            .collect();
        ensure!(names == ["Dương Quang", "Nông Thượng"], "{names:?}");
        Ok(())
    })
}

/// Bad units are refused with the right code and field, and the database stays as it was;
/// updates need the current etag; names are stored NFC.
pub fn validation_and_etags(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        let mut client = env.units().await?;
        let unit = |code: &str, name: &str, kind: pb::UnitKind, parent: &str, scheme: &str| {
            pb::CreateUnitRequest {
                unit: Some(pb::Unit {
                    scheme: scheme.into(),
                    code: code.into(),
                    display_name: name.into(),
                    kind: kind.into(),
                    parent: parent.into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            }
        };
        let cases = [
            (
                unit(
                    "01999",
                    "Tân Lập",
                    pb::UnitKind::Ward,
                    &legacy("999"),
                    "qd124-2004",
                ),
                "unit.parent",
            ),
            (
                unit(
                    "01999",
                    "  ",
                    pb::UnitKind::Ward,
                    &legacy("058"),
                    "qd124-2004",
                ),
                "unit.display_name",
            ),
            (
                unit(
                    "01999",
                    &"ư".repeat(201),
                    pb::UnitKind::Ward,
                    &legacy("058"),
                    "qd124-2004",
                ),
                "unit.display_name",
            ),
            (
                unit(
                    "01999",
                    "Tân Lập",
                    pb::UnitKind::Ward,
                    &legacy("058"),
                    "qd200-2030",
                ),
                "unit.scheme",
            ),
            (
                unit(
                    "1999",
                    "Tân Lập",
                    pb::UnitKind::Ward,
                    &legacy("058"),
                    "qd124-2004",
                ),
                "unit.code",
            ),
            (
                unit(
                    "01999",
                    "Tân Lập",
                    pb::UnitKind::Ward,
                    &legacy("06"),
                    "qd124-2004",
                ),
                "unit.parent",
            ),
        ];
        for (request, field) in cases {
            let status = expect_error(
                client.create_unit(request).await,
                Code::InvalidArgument,
                Some("INVALID_ARGUMENT"),
            )?;
            ensure!(
                fields(&status).contains(&field.to_owned()),
                "{field} not in {:?}",
                fields(&status)
            );
        }
        let duplicate = client
            .create_unit(unit(
                "01843",
                "Phùng Chí Kiên",
                pb::UnitKind::Ward,
                &legacy("058"),
                "qd124-2004",
            ))
            .await;
        expect_error(duplicate, Code::AlreadyExists, None)?;
        ensure!(
            all_units(env, "").await?.len() == 10,
            "a refused create changed the database"
        );

        let decomposed = "Ta\u{0302}n La\u{0323}\u{0302}p";
        let created = client
            .create_unit(unit(
                "01999",
                decomposed,
                pb::UnitKind::Ward,
                &legacy("058"),
                "qd124-2004",
            ))
            .await?
            .into_inner()
            .unit
            .context("the server answered without a unit")?;
        ensure!(
            created.display_name == "Tân Lập",
            "stored {:?}",
            created.display_name
        );

        let update = |etag: &str, name: &str| pb::UpdateUnitRequest {
            unit: Some(pb::Unit {
                name: legacy("01999"),
                display_name: name.into(),
                etag: etag.into(),
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["display_name".into()],
            }),
            effective_date: None,
        };
        let renamed = client
            .update_unit(update(&created.etag, "Tân Lập Mới"))
            .await?
            .into_inner()
            .unit
            .context("the server answered without a unit")?;
        ensure!(renamed.display_name == "Tân Lập Mới" && renamed.etag != created.etag);
        expect_error(
            client.update_unit(update(&created.etag, "Cũ")).await,
            Code::Aborted,
            Some("STALE_ETAG"),
        )?;

        let (mut a, mut b) = (client.clone(), client.clone());
        let (ra, rb) = tokio::join!(
            a.update_unit(update(&renamed.etag, "Tân Lập A")),
            b.update_unit(update(&renamed.etag, "Tân Lập B"))
        );
        let wins = [ra.is_ok(), rb.is_ok()].iter().filter(|w| **w).count();
        ensure!(wins == 1, "two updates with one etag: {wins} won");
        let loser = if ra.is_err() {
            ra.map(|_| ())
        } else {
            rb.map(|_| ())
        };
        expect_error(loser, Code::Aborted, None)?;

        let bad_mask = client
            .update_unit(pb::UpdateUnitRequest {
                unit: Some(pb::Unit {
                    name: legacy("01999"),
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["code".into()],
                }),
                effective_date: None,
            })
            .await;
        expect_error(bad_mask, Code::InvalidArgument, None)?;
        let missing = client
            .get_unit(pb::GetUnitRequest {
                name: legacy("99999"),
            })
            .await;
        expect_error(missing, Code::NotFound, Some("NOT_FOUND"))?;
        Ok(())
    })
}

/// Imports are all or nothing, report every bad row by row and column, and replay by request id.
pub fn import_all_or_nothing(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        let mut rows = bac_kan_rows()?;
        rows[3].name = String::new();
        rows[5].parent_code = "999".into();
        rows[7].kind = "lang".into();
        rows[9].code = rows[8].code.clone();
        let status = expect_error(
            import(env, "qd124-2004", rows, "nhap-bac-kan", None, None).await,
            Code::InvalidArgument,
            None,
        )?;
        let f = fields(&status);
        ensure!(
            f == [
                "rows[3].name",
                "rows[5].parent_code",
                "rows[7].kind",
                "rows[9].code"
            ],
            "violations {f:?}"
        );
        ensure!(
            all_units(env, "").await?.is_empty(),
            "a refused import wrote rows"
        );

        let first = import(
            env,
            "qd124-2004",
            bac_kan_rows()?,
            "nhap-bac-kan",
            None,
            None,
        )
        .await?;
        ensure!(first.units_created == 10 && !first.replayed);
        let again = import(
            env,
            "qd124-2004",
            bac_kan_rows()?,
            "nhap-bac-kan",
            None,
            None,
        )
        .await?;
        ensure!(
            again.units_created == 10 && again.replayed,
            "retry: {again:?}"
        );
        ensure!(all_units(env, "").await?.len() == 10);
        let mut changed = bac_kan_rows()?;
        changed.pop();
        expect_error(
            import(env, "qd124-2004", changed, "nhap-bac-kan", None, None).await,
            Code::FailedPrecondition,
            Some("REQUEST_ID_REUSED"),
        )?;
        let fresh = import(env, "qd124-2004", bac_kan_rows()?, "nhap-lai", None, None).await?;
        ensure!(
            fresh.units_created == 0 && fresh.units_unchanged == 10,
            "{fresh:?}"
        );
        let unknown = import(env, "qd999", bac_kan_rows()?, "", None, None).await;
        let status = expect_error(unknown, Code::InvalidArgument, None)?;
        ensure!(fields(&status) == ["scheme"]);
        // Header fields belong to the first message only, even repeated unchanged.
        let header = pb::ImportUnitsRequest {
            scheme: "qd124-2004".into(),
            request_id: "nhap-hai-dau".into(),
            ..Default::default()
        };
        let second = pb::ImportUnitsRequest {
            rows: bac_kan_rows()?,
            ..header.clone()
        };
        let repeated = env
            .units()
            .await?
            .import_units(tokio_stream::iter(vec![header, second]))
            .await;
        expect_error(repeated, Code::InvalidArgument, None)?;
        Ok(())
    })
}

/// A merger is recorded with its act and date; the old unit keeps its name and code and ends on
/// the effective date; history stays intact.
pub fn lineage(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        let r = import(env, "qd124-2004", bac_kan_rows()?, "", None, None).await?;
        ensure!(r.units_created == 10);
        create_2025_units(env).await?;
        let mut client = env.units().await?;
        let link = |d: pb::Date| pb::CreateLineageLinkRequest {
            link: Some(pb::LineageLink {
                kind: pb::LineageKind::MergedInto.into(),
                unit: legacy("01843"),
                related_unit: "units/qd19-2025~01843".into(),
                legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
                effective_date: Some(d),
                ..Default::default()
            }),
            request_id: String::new(),
        };
        let early = client.create_lineage_link(link(date(2025, 1, 1))).await;
        let status = expect_error(early, Code::InvalidArgument, None)?;
        ensure!(fields(&status).contains(&"link.effective_date".to_owned()));
        let created = client
            .create_lineage_link(link(reform()))
            .await?
            .into_inner()
            .link
            .context("the server answered without a link")?;
        ensure!(created.name.starts_with("lineageLinks/"));
        let old = client
            .get_unit(pb::GetUnitRequest {
                name: legacy("01843"),
            })
            .await?
            .into_inner()
            .unit
            .context("the server answered without a unit")?;
        ensure!(old.display_name == "Phùng Chí Kiên" && old.valid_to == Some(reform()));
        let new = client
            .get_unit(pb::GetUnitRequest {
                name: "units/qd19-2025~01843".into(),
            })
            .await?
            .into_inner()
            .unit
            .context("the server answered without a unit")?;
        ensure!(new.display_name == "Bắc Kạn" && new.valid_from == Some(reform()));
        for unit in [legacy("01843"), "units/qd19-2025~01843".to_owned()] {
            let links = client
                .list_lineage_links(pb::ListLineageLinksRequest { unit })
                .await?
                .into_inner()
                .links;
            ensure!(links.len() == 1 && links[0].legal_act == "Nghị quyết 1683/NQ-UBTVQH15");
        }
        Ok(())
    })
}
