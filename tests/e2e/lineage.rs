//! A reform's lineage imported from its file: checked whole, stored once, the same again
//! changing nothing; one link is one row whatever request sends it.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;

use crate::{
    env::{Env, shared_data},
    support::{json_of, legacy},
};

const ACT: &str = "Nghị quyết 1683/NQ-UBTVQH15";

fn path(p: &std::path::Path) -> anyhow::Result<String> {
    p.to_str().map(str::to_owned).context("path is not UTF-8")
}

pub fn lineage_import(env: &Env) -> anyhow::Result<()> {
    let legacy_units = path(&shared_data("units-legacy.csv")?)?;
    let units_2025 = path(&shared_data("units-2025.csv")?)?;
    let communes = path(&shared_data("lineage-2025.csv")?)?;
    let provinces = path(&shared_data("provinces-lineage-2025.csv")?)?;
    json_of(&env.cli(&[
        "unit",
        "import",
        &legacy_units,
        "--scheme",
        "qd124-2004",
        "-o",
        "json",
    ])?)?;
    json_of(&env.cli(&[
        "unit",
        "import",
        &units_2025,
        "--scheme",
        "qd19-2025",
        "--valid-from",
        "2025-07-01",
        "-o",
        "json",
    ])?)?;
    let import = |file: &str| {
        env.cli(&[
            "unit",
            "lineage",
            "import",
            file,
            "--date",
            "2025-07-01",
            "--act",
            ACT,
            "-o",
            "json",
        ])
    };

    // A file with bad rows stores nothing and names each bad line.
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("sáp-nhập-lỗi.csv");
    std::fs::write(
        &bad,
        "legacy_code,code_2025,change,share\n\
         01834,01840,merged_into,whole\n\
         99999,01843,merged_into,whole\n\
         01840,77777,merged_into,whole\n\
         00007,00008,split_into,part\n",
    )?;
    let out = import(&path(&bad)?)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.code() == Some(3),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    // The CLI speaks Vietnamese by default: each bad row by its line (dòng).
    for line in ["dòng 3", "dòng 4", "dòng 5"] {
        ensure!(stderr.contains(line), "{line} not reported: {stderr}");
    }
    ensure!(
        !stderr.contains("dòng 2"),
        "a good line was reported: {stderr}"
    );
    let links_of = |unit: String| async move {
        anyhow::Ok(
            env.units()
                .await?
                .list_lineage_links(pb::ListLineageLinksRequest { unit })
                .await?
                .into_inner()
                .links,
        )
    };
    ensure!(
        env.block_on(links_of(legacy("01834")))?.is_empty(),
        "a refused file stored a link"
    );

    // The whole commune file, then again.
    let first = json_of(&import(&communes)?)?;
    ensure!(
        first[0]["links_created"] == 9997 && first[0]["units_ended"] == 9580,
        "{first}"
    );
    let out = import(&communes)?;
    let again = json_of(&out)?;
    ensure!(
        again[0]["links_created"] == 0 && again[0]["links_unchanged"] == 9997,
        "{again}"
    );
    ensure!(String::from_utf8_lossy(&out.stderr).contains("nothing to store"));
    let provinces = json_of(&import(&provinces)?)?;
    ensure!(provinces[0]["links_created"] == 63, "{provinces}");

    // Phùng Chí Kiên went into Bắc Kạn; the same link sent again, under a new request id, is
    // the one already stored.
    env.block_on(async {
        let before = links_of(legacy("01843")).await?;
        ensure!(before.len() == 1, "{before:?}");
        let again = env
            .units()
            .await?
            .create_lineage_link(pb::CreateLineageLinkRequest {
                link: Some(pb::LineageLink {
                    kind: pb::LineageKind::MergedInto.into(),
                    unit: legacy("01843"),
                    related_unit: "units/qd19-2025~01843".into(),
                    legal_act: ACT.into(),
                    effective_date: Some(pb::Date {
                        year: 2025,
                        month: 7,
                        day: 1,
                    }),
                    ..Default::default()
                }),
                request_id: "lien-ket-lan-hai".into(),
            })
            .await?
            .into_inner()
            .link
            .context("no link")?;
        ensure!(
            again.name == before[0].name,
            "{again:?} is not {:?}",
            before[0]
        );
        ensure!(links_of(legacy("01843")).await?.len() == 1);
        let divided = links_of(legacy("00007")).await?;
        ensure!(
            divided
                .iter()
                .filter(|l| l.share() == pb::LineageShare::Main)
                .count()
                == 1,
            "{divided:?}"
        );
        anyhow::Ok(())
    })
}

/// A unit cannot cease before a term it is scored in has begun: the update is refused, naming
/// the term; ending it during or after the term is fine.
pub fn unit_end_checked_against_terms(env: &Env) -> anyhow::Result<()> {
    use crate::support::{create_cluster, create_term, expect_error, import_bac_kan};
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "bac-kan-city", pb::ClusterKind::Territorial).await?;
        create_term(
            env,
            "bac-kan-city",
            2022,
            &[legacy("01843"), legacy("01840")],
        )
        .await?;
        let end = |day: pb::Date| async move {
            let mut units = env.units().await?;
            let unit = units
                .get_unit(pb::GetUnitRequest {
                    name: legacy("01843"),
                })
                .await?
                .into_inner()
                .unit
                .context("no unit")?;
            anyhow::Ok(
                units
                    .update_unit(pb::UpdateUnitRequest {
                        unit: Some(pb::Unit {
                            name: legacy("01843"),
                            valid_to: Some(day),
                            etag: unit.etag,
                            ..Default::default()
                        }),
                        update_mask: Some(prost_types::FieldMask {
                            paths: vec!["valid_to".into()],
                        }),
                        effective_date: None,
                    })
                    .await,
            )
        };
        let early = end(pb::Date {
            year: 2021,
            month: 6,
            day: 30,
        })
        .await?;
        let status = expect_error(
            early,
            tonic::Code::FailedPrecondition,
            Some("UNIT_NOT_VALID_IN_TERM"),
        )?;
        let details = tonic_types::StatusExt::get_error_details(&status);
        let subjects: Vec<String> = details
            .precondition_failure()
            .map(|p| p.violations.iter().map(|v| v.subject.clone()).collect())
            .unwrap_or_default();
        ensure!(
            subjects == ["clusters/bac-kan-city/terms/2022"],
            "{subjects:?}: {status:?}"
        );
        end(pb::Date {
            year: 2025,
            month: 7,
            day: 1,
        })
        .await??;
        anyhow::Ok(())
    })
}
