//! Scenarios of criteria tables, their binding to terms, and targets.

use anyhow::{Context, ensure};
use thidua_proto::v1 as pb;
use tonic::{Code, Status};
use tonic_types::StatusExt;

use crate::{
    env::Env,
    support::{
        bac_kan_members, create_cluster, create_term, expect_error, fields, import_bac_kan, legacy,
    },
};

/// The seed case's table in the spreadsheet layout (illustrative points).
pub const TABLE_CSV: &str = "\
code,title,max_points,bonus_cap,rule,params,metric,mandatory,evidence
I,Phát triển kinh tế,30,,,,,no,no
I.1,Thu ngân sách đạt và vượt chỉ tiêu giao,15,3,proportional_with_bonus,bonus_per_percent=0.5,triệu đồng,no,yes
I.2,\"Chuyển dịch cơ cấu cây trồng, nâng cao thu nhập trên một héc-ta\",10,,proportional,,triệu đồng/ha,no,no
I.3,Giữ vững các tiêu chí nông thôn mới,5,,judged,,,no,no
II,\"Văn hóa, giáo dục, y tế\",25,,,,,no,no
II.1,Không để xảy ra dịch bệnh lớn trên địa bàn,25,,lower_is_better,deduction_per_unit=5,vụ,yes,no
III,Xây dựng Đảng,15,,,,,no,no
III.1,\"Cán bộ, đảng viên học tập chỉ thị, nghị quyết\",15,,deduction_per_shortfall,step_percent=1;deduction=1,%,no,no
IV,\"Quốc phòng, an ninh\",15,,,,,no,no
IV.1,Tuyển quân đạt 100% chỉ tiêu,15,,threshold,partial=5,%,yes,no
V,Cải cách hành chính,15,,,,,no,no
V.1,Xếp loại tốt trở lên,15,,judged,,,no,yes
VI,Điểm thưởng,0,,,,,no,no
VI.1,Đã được tặng Cờ thi đua của UBND tỉnh,0,10,event,points=10,,no,no
";

/// The quantitative criteria of [`TABLE_CSV`].
const QUANTITATIVE: [&str; 5] = ["I.1", "I.2", "II.1", "III.1", "IV.1"];

async fn create_table(env: &Env, id: &str) -> Result<pb::CriteriaTable, Status> {
    let mut targets = env
        .targets()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    targets
        .create_criteria_table(pb::CreateCriteriaTableRequest {
            table: Some(pb::CriteriaTable {
                title: "Bảng tiêu chí thi đua cụm xã, phường năm 2022".into(),
                legal_act: "Quyết định 01/QĐ-HĐTĐKT".into(),
                scale: Some(pb::Decimal {
                    value: "100".into(),
                }),
                rounding_step: Some(pb::Decimal {
                    value: "0.5".into(),
                }),
                ..Default::default()
            }),
            table_id: id.into(),
            request_id: String::new(),
        })
        .await?
        .into_inner()
        .table
        .ok_or_else(|| Status::internal("no table"))
}

async fn import(
    env: &Env,
    table: &str,
    content: Vec<u8>,
    format: pb::SpreadsheetFormat,
) -> Result<pb::TableVersion, Status> {
    let mut targets = env
        .targets()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    targets
        .import_criteria_table(pb::ImportCriteriaTableRequest {
            table: format!("criteriaTables/{table}"),
            content,
            format: format.into(),
            etag: String::new(),
        })
        .await?
        .into_inner()
        .version
        .ok_or_else(|| Status::internal("no version"))
}

async fn export(
    env: &Env,
    version: &str,
    format: pb::SpreadsheetFormat,
) -> anyhow::Result<Vec<u8>> {
    let mut targets = env.targets().await?;
    Ok(targets
        .export_criteria_table(pb::ExportCriteriaTableRequest {
            name: version.into(),
            format: format.into(),
        })
        .await?
        .into_inner()
        .content)
}

/// Settings and trees are validated whole; spreadsheets round-trip exactly; published versions
/// never change; bad files are refused with rows and columns, storing nothing.
pub fn tables_and_spreadsheets(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        let mut client = env.targets().await?;
        let bad = |scale: &str, step: &str| pb::CreateCriteriaTableRequest {
            table: Some(pb::CriteriaTable {
                title: "Bảng lỗi".into(),
                scale: Some(pb::Decimal {
                    value: scale.into(),
                }),
                rounding_step: Some(pb::Decimal { value: step.into() }),
                ..Default::default()
            }),
            table_id: String::new(),
            request_id: String::new(),
        };
        let status = expect_error(
            client.create_criteria_table(bad("1e2", "0.5")).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["table.scale"], "{:?}", fields(&status));
        let status = expect_error(
            client.create_criteria_table(bad("100.25", "0.5")).await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["table.scale"], "{:?}", fields(&status));
        expect_error(
            client.create_criteria_table(bad("100", "0")).await,
            Code::InvalidArgument,
            None,
        )?;

        create_table(env, "bang-2022").await?;
        let v1 = import(
            env,
            "bang-2022",
            TABLE_CSV.as_bytes().to_vec(),
            pb::SpreadsheetFormat::Csv,
        )
        .await?;
        ensure!(
            v1.number == 1
                && v1.state == i32::from(pb::VersionState::Draft)
                && v1.groups.len() == 6
        );
        let csv = export(env, &v1.name, pb::SpreadsheetFormat::Csv).await?;
        // The same rows, under the headings officers read; and it reads back as it is.
        let written = String::from_utf8(csv.clone())?;
        let (heading, rows) = written
            .strip_prefix('\u{feff}')
            .and_then(|t| t.split_once('\n'))
            .context("a byte-order mark and a header")?;
        ensure!(
            heading == "Mã,Nội dung tiêu chí,Điểm tối đa,Trần điểm thưởng,Cách tính,Tham số,Đơn vị tính,Bắt buộc,Cần minh chứng"
                && Some(rows) == TABLE_CSV.split_once('\n').map(|(_, r)| r),
            "CSV export differs from the import:\n{written}"
        );
        create_table(env, "bang-csv").await?;
        let back = import(env, "bang-csv", csv.clone(), pb::SpreadsheetFormat::Csv).await?;
        ensure!(back.groups == v1.groups, "the CSV round trip changed the tree");
        let xlsx = export(env, &v1.name, pb::SpreadsheetFormat::Xlsx).await?;
        create_table(env, "bang-xlsx").await?;
        let copy = import(env, "bang-xlsx", xlsx, pb::SpreadsheetFormat::Xlsx).await?;
        ensure!(
            copy.groups == v1.groups,
            "the XLSX round trip changed the tree"
        );
        ensure!(export(env, &copy.name, pb::SpreadsheetFormat::Csv).await? == csv);

        // Several bad rows: all reported, the draft unchanged.
        let broken = TABLE_CSV
            .replace(
                "I.3,Giữ vững các tiêu chí nông thôn mới,5,",
                "I.3,Giữ vững các tiêu chí nông thôn mới,năm,",
            )
            .replace("deduction_per_unit=5", "deduction_per_unit")
            .replace(
                "IV.1,Tuyển quân đạt 100% chỉ tiêu,15,,threshold",
                "IV.1,Tuyển quân đạt 100% chỉ tiêu,15,,ngưỡng",
            )
            .replace(
                "V.1,Xếp loại tốt trở lên,15,,judged,,,no,yes",
                "V.1,Xếp loại tốt trở lên,15,,judged,,,có lẽ,yes",
            );
        let status = expect_error(
            import(
                env,
                "bang-2022",
                broken.into_bytes(),
                pb::SpreadsheetFormat::Csv,
            )
            .await,
            Code::InvalidArgument,
            None,
        )?;
        let f = fields(&status);
        ensure!(
            f == [
                "rows[3].max_points",
                "rows[5].params",
                "rows[9].rule",
                "rows[11].mandatory"
            ],
            "violations {f:?}"
        );
        // A file that parses but breaks the rules: named by row too.
        let over = TABLE_CSV.replace(
            "I.2,\"Chuyển dịch cơ cấu cây trồng, nâng cao thu nhập trên một héc-ta\",10",
            "I.2,\"Chuyển dịch cơ cấu cây trồng, nâng cao thu nhập trên một héc-ta\",20",
        );
        let status = expect_error(
            import(
                env,
                "bang-2022",
                over.into_bytes(),
                pb::SpreadsheetFormat::Csv,
            )
            .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(
            fields(&status).contains(&"rows[0].max_points".to_owned()),
            "{:?}",
            fields(&status)
        );
        for (content, format) in [
            (Vec::new(), pb::SpreadsheetFormat::Csv),
            (b"ma,ten\nI,Kinh te\n".to_vec(), pb::SpreadsheetFormat::Csv),
            (
                b"PK not really a workbook".to_vec(),
                pb::SpreadsheetFormat::Xlsx,
            ),
        ] {
            let status = expect_error(
                import(env, "bang-2022", content, format).await,
                Code::InvalidArgument,
                None,
            )?;
            ensure!(
                fields(&status).iter().all(|f| f == "content"),
                "{:?}",
                fields(&status)
            );
        }
        let huge = vec![b'x'; 5 * 1024 * 1024];
        let status = import(env, "bang-2022", huge, pb::SpreadsheetFormat::Csv).await;
        ensure!(status.is_err(), "a 5 MiB upload was accepted");
        let unchanged = export(env, &v1.name, pb::SpreadsheetFormat::Csv).await?;
        ensure!(unchanged == csv, "a refused import changed the draft");

        let published = client
            .publish_table_version(pb::PublishTableVersionRequest {
                name: v1.name.clone(),
                etag: String::new(),
            })
            .await?
            .into_inner()
            .version
            .context("no version")?;
        ensure!(published.state == i32::from(pb::VersionState::Published));
        expect_error(
            client
                .publish_table_version(pb::PublishTableVersionRequest {
                    name: v1.name.clone(),
                    etag: String::new(),
                })
                .await,
            Code::FailedPrecondition,
            Some("VERSION_PUBLISHED"),
        )?;
        let changed = TABLE_CSV.replace(
            "Xếp loại tốt trở lên",
            "Xếp loại tốt trở lên trong chỉ số cải cách hành chính",
        );
        let v2 = import(
            env,
            "bang-2022",
            changed.into_bytes(),
            pb::SpreadsheetFormat::Csv,
        )
        .await?;
        ensure!(
            v2.number == 2 && v2.state == i32::from(pb::VersionState::Draft),
            "edit after publish: {}",
            v2.name
        );
        ensure!(
            export(env, &v1.name, pb::SpreadsheetFormat::Csv).await? == csv,
            "version 1 changed after publishing"
        );
        let versions = client
            .list_table_versions(pb::ListTableVersionsRequest {
                parent: "criteriaTables/bang-2022".into(),
            })
            .await?
            .into_inner()
            .versions;
        ensure!(versions.len() == 2);

        let empty = client
            .edit_criteria_table(pb::EditCriteriaTableRequest {
                table: "criteriaTables/bang-xlsx".into(),
                groups: vec![pb::CriterionGroup {
                    code: "I".into(),
                    title: "Kinh tế".into(),
                    max_points: Some(pb::Decimal { value: "90".into() }),
                    criteria: vec![pb::Criterion {
                        code: "I.1".into(),
                        title: "Thu ngân sách".into(),
                        max_points: Some(pb::Decimal {
                            value: "100".into(),
                        }),
                        rule: Some(pb::Rule {
                            kind: pb::RuleKind::Proportional.into(),
                            points: Some(pb::Decimal { value: "3".into() }),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }],
                }],
                etag: String::new(),
            })
            .await;
        let status = expect_error(empty, Code::InvalidArgument, None)?;
        let f = fields(&status);
        ensure!(
            f.contains(&"groups[0].criteria[0].rule.points".to_owned()),
            "parameters of another kind: {f:?}"
        );
        Ok(())
    })
}

async fn sign(env: &Env, unit: &str) -> Result<pb::SignCovenantResponse, Status> {
    let mut clusters = env
        .clusters()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    Ok(clusters
        .sign_covenant(pb::SignCovenantRequest {
            covenant: "clusters/cum-a/terms/2022/covenant".into(),
            signature: Some(pb::Signature {
                unit: unit.into(),
                signatory_name: "Đại diện UBND".into(),
                signatory_title: String::new(),
                sign_time: None,
            }),
        })
        .await?
        .into_inner())
}

fn target(code: &str, unit: &str, value: &str) -> pb::Target {
    pb::Target {
        criterion_code: code.into(),
        unit: unit.into(),
        value: Some(pb::Decimal {
            value: value.into(),
        }),
    }
}

/// A published table is applied to a term; signing waits for every target; targets round-trip
/// through spreadsheets; after the first signature the binding and targets are frozen.
pub fn targets_and_signing(env: &Env) -> anyhow::Result<()> {
    env.block_on(async {
        import_bac_kan(env).await?;
        create_cluster(env, "cum-a", pb::ClusterKind::Territorial).await?;
        let members = bac_kan_members();
        create_term(env, "cum-a", 2022, &members).await?;
        create_table(env, "bang-2022").await?;
        let v1 = import(
            env,
            "bang-2022",
            TABLE_CSV.as_bytes().to_vec(),
            pb::SpreadsheetFormat::Csv,
        )
        .await?;
        let mut client = env.targets().await?;
        let apply = |version: &str| pb::ApplyCriteriaTableRequest {
            term: "clusters/cum-a/terms/2022".into(),
            table_version: version.into(),
        };
        expect_error(
            client.apply_criteria_table(apply(&v1.name)).await,
            Code::FailedPrecondition,
            Some("VERSION_NOT_PUBLISHED"),
        )?;
        let set_early = client
            .set_targets(pb::SetTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                targets: vec![target("I.2", "", "120")],
            })
            .await;
        expect_error(set_early, Code::FailedPrecondition, Some("NO_TABLE"))?;
        client
            .publish_table_version(pb::PublishTableVersionRequest {
                name: v1.name.clone(),
                etag: String::new(),
            })
            .await?;
        let applied = client
            .apply_criteria_table(apply(&v1.name))
            .await?
            .into_inner()
            .targets
            .context("no targets")?;
        ensure!(
            applied.missing.len() == members.len() * QUANTITATIVE.len(),
            "{} missing",
            applied.missing.len()
        );

        let status = expect_error(
            sign(env, &legacy("01843")).await,
            Code::FailedPrecondition,
            Some("TARGETS_MISSING"),
        )?;
        let listed = status
            .get_error_details()
            .precondition_failure()
            .map_or(0, |p| p.violations.len());
        ensure!(listed == 40, "the refusal lists {listed} missing targets");

        let wrong = client
            .set_targets(pb::SetTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                targets: vec![
                    target("I.3", "", "1"),
                    target("I.1", &legacy("058"), "100"),
                    target("I.2", "", "-5"),
                    target("I.2", "", "một trăm"),
                ],
            })
            .await;
        let status = expect_error(wrong, Code::InvalidArgument, None)?;
        ensure!(
            fields(&status)
                == [
                    "targets[0].criterion_code",
                    "targets[1].unit",
                    "targets[2].value",
                    "targets[3].value"
                ],
            "{:?}",
            fields(&status)
        );
        let mut values: Vec<pb::Target> = ["I.2:120", "II.1:0", "III.1:100", "IV.1:100"]
            .iter()
            .map(|s| {
                let (code, value) = s.split_once(':').unwrap_or_default();
                target(code, "", value)
            })
            .collect();
        for (i, m) in members.iter().enumerate() {
            values.push(target("I.1", m, &format!("{}.5", 2000 + i * 1000)));
        }
        let set = client
            .set_targets(pb::SetTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                targets: values,
            })
            .await?
            .into_inner()
            .targets
            .context("no targets")?;
        ensure!(set.missing.is_empty() && set.assigned.len() == 8 && set.defaults.len() == 4);

        for format in [pb::SpreadsheetFormat::Csv, pb::SpreadsheetFormat::Xlsx] {
            let exported = client
                .export_targets(pb::ExportTargetsRequest {
                    term: "clusters/cum-a/terms/2022".into(),
                    format: format.into(),
                })
                .await?
                .into_inner()
                .content;
            let again = client
                .import_targets(pb::ImportTargetsRequest {
                    term: "clusters/cum-a/terms/2022".into(),
                    content: exported,
                    format: format.into(),
                })
                .await?
                .into_inner()
                .targets
                .context("no targets")?;
            ensure!(again == set, "{format:?} round trip changed the targets");
        }
        let csv = client
            .export_targets(pb::ExportTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                format: pb::SpreadsheetFormat::Csv.into(),
            })
            .await?
            .into_inner()
            .content;
        let text = String::from_utf8(csv)?;
        // Vietnamese headings, each criterion with its title beside its code.
        ensure!(
            text.starts_with("\u{feff}Mã đơn vị,Tên đơn vị,I.1 — ") && text.contains("I.2 — "),
            "{text}"
        );
        ensure!(text.contains("01843,Phùng Chí Kiên,5000.5,"), "{text}");
        // As Excel writes a sheet back when the code column was not text: `1843`.
        let numbers = text
            .replacen("01843,", "1843,", 1)
            .replace("5000.5", "5100.5")
            .into_bytes();
        let imported = client
            .import_targets(pb::ImportTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                content: numbers,
                format: pb::SpreadsheetFormat::Csv.into(),
            })
            .await?
            .into_inner();
        ensure!(
            imported.warnings.len() == 1
                && imported.warnings[0].contains("\"1843\" read as \"01843\""),
            "{:?}",
            imported.warnings
        );
        ensure!(
            imported
                .targets
                .is_some_and(|t| t.assigned.iter().any(|v| v.unit.ends_with("01843")
                    && v.value.as_ref().is_some_and(|d| d.value == "5100.5"))),
            "the zero-padded code's row was read"
        );
        // As it was, for what follows.
        client
            .import_targets(pb::ImportTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                content: text.clone().into_bytes(),
                format: pb::SpreadsheetFormat::Csv.into(),
            })
            .await?;
        let bad_rows = "unit,name,I.1,I.2\n01843,Phùng Chí Kiên,abc,\n99999,Không có,1,\n"
            .as_bytes()
            .to_vec();
        let status = expect_error(
            client
                .import_targets(pb::ImportTargetsRequest {
                    term: "clusters/cum-a/terms/2022".into(),
                    content: bad_rows,
                    format: pb::SpreadsheetFormat::Csv.into(),
                })
                .await,
            Code::InvalidArgument,
            None,
        )?;
        ensure!(fields(&status) == ["rows[1].unit"], "{:?}", fields(&status));

        sign(env, &legacy("01843")).await?;
        expect_error(
            client.apply_criteria_table(apply(&v1.name)).await,
            Code::FailedPrecondition,
            Some("COVENANT_SIGNED"),
        )?;
        let late = client
            .set_targets(pb::SetTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
                targets: vec![target("I.2", "", "150")],
            })
            .await;
        expect_error(late, Code::FailedPrecondition, Some("COVENANT_SIGNED"))?;
        let kept = client
            .list_targets(pb::ListTargetsRequest {
                term: "clusters/cum-a/terms/2022".into(),
            })
            .await?
            .into_inner()
            .targets
            .context("no targets")?;
        ensure!(kept == set, "refused calls changed the targets");
        Ok(())
    })
}
