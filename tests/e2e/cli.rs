//! The `thidua` binary, driven as a user would.

use anyhow::{Context, ensure};

use crate::env::{Env, shared_data};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Import, search, term show, errors and exit codes.
pub fn cli_tour(env: &Env) -> anyhow::Result<()> {
    let csv = shared_data("bac-kan-city-2022.csv")?;
    let csv = csv.to_str().context("path is not UTF-8")?;
    let out = env.cli(&[
        "unit",
        "import",
        csv,
        "--scheme",
        "qd124-2004",
        "--valid-to",
        "2025-07-01",
        "-o",
        "json",
    ])?;
    ensure!(out.status.success(), "import failed: {}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(
        json["created"] == 10 && json["rows"] == 10,
        "import said {json}"
    );

    for query in ["phung chi kien", "PHÙNG CHÍ KIÊN"] {
        let out = env.cli(&["unit", "list", "--search", query, "-o", "csv"])?;
        ensure!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        ensure!(text.lines().count() == 2, "search {query}: {text}");
        ensure!(
            text.contains("01843,Phùng Chí Kiên,ward"),
            "search {query}: {text}"
        );
    }
    // Global flags are accepted after the subcommand too.
    let out = env.cli(&[
        "unit", "list", "--search", "duc xuan", "--server", &env.url, "-o", "json",
    ])?;
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(rows[0]["display_name"] == "Đức Xuân", "{rows}");

    thidua_server::demo::load(&env.store)?;
    let out = env.cli(&["term", "show", "bac-kan-city", "2022", "-o", "table"])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "clusters/bac-kan-city/terms/2022",
        "qd124-2004~01843 (Phùng Chí Kiên)",
        "Giao ước                 Đã ký",
        "Giai đoạn                Đề nghị khen thưởng",
        "Nông Thượng",
        "Phó Chủ tịch HĐND thành phố Bắc Kạn",
        "2022-04-28T08:00:00+07:00",
    ] {
        ensure!(text.contains(needle), "term show lacks {needle}:\n{text}");
    }
    // English on request; JSON keeps English keys and machine values in either language.
    let out = env.cli(&[
        "term",
        "show",
        "bac-kan-city",
        "2022",
        "-o",
        "table",
        "--lang",
        "en",
    ])?;
    let english = stdout(&out);
    ensure!(
        english.contains("covenant       signed") && english.contains("stage          proposed"),
        "{english}"
    );
    let out = env.cli(&["term", "show", "bac-kan-city", "2022", "-o", "json"])?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(json["term"]["stage"] == "proposed", "{json}");
    let signatories = text.lines().filter(|l| l.contains("Chủ tịch UBND")).count();
    ensure!(signatories == 8, "{signatories} signatories shown:\n{text}");

    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("xau.csv");
    std::fs::write(
        &bad,
        "code,name,kind,parent_code\n01999,,phuong,058\n01998,Tân Lập,lang,058\n01997,Tân Thành,phuong,999\n",
    )?;
    let out = env.cli(&[
        "unit",
        "import",
        bad.to_str().context("path")?,
        "-o",
        "json",
    ])?;
    ensure!(
        out.status.code() == Some(3),
        "bad import exit {:?}",
        out.status.code()
    );
    let err = stderr(&out);
    for line in [
        "  rows[0].name: dòng 2",
        "  rows[1].kind: dòng 3",
        "  rows[2].parent_code: dòng 4",
    ] {
        ensure!(
            err.lines().any(|l| l.starts_with(line)),
            "stderr lacks `{line}`:\n{err}"
        );
    }
    let out = env.cli(&["unit", "get", "99999"])?;
    ensure!(
        out.status.code() == Some(4),
        "missing unit exit {:?}",
        out.status.code()
    );
    let out = env.cli(&[
        "covenant",
        "sign",
        "bac-kan-city",
        "2022",
        "--unit",
        "01843",
        "--signatory",
        "Hà Văn B",
    ])?;
    ensure!(
        out.status.code() == Some(5),
        "second signature exit {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
    let out = env.cli(&["term", "add-member", "bac-kan-city", "2022", "058"])?;
    ensure!(
        out.status.code() == Some(6),
        "frozen membership exit {:?}",
        out.status.code()
    );
    ensure!(stderr(&out).contains("COVENANT_SIGNED"));
    let out = env.cli(&["table", "show", "bac-kan-2022", "-o", "table"])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "Đã công bố",
        "  I.1 ",
        "Thu ngân sách đạt và vượt chỉ tiêu giao",
        "Tỷ lệ có thưởng",
        "  VI.1 ",
    ] {
        ensure!(
            text.contains(needle),
            "table show lacks `{needle}`:\n{text}"
        );
    }
    let out = env.cli(&["target", "list", "bac-kan-city", "2022", "-o", "json"])?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(
        json["missing"].as_array().is_some_and(Vec::is_empty),
        "{json}"
    );
    ensure!(
        json["targets"].as_array().is_some_and(|t| t.len() == 13),
        "{json}"
    );
    let export = dir.path().join("bang.xlsx");
    let out = env.cli(&[
        "table",
        "export",
        "bac-kan-2022",
        export.to_str().context("path")?,
    ])?;
    ensure!(out.status.success() && export.exists(), "{}", stderr(&out));
    let out = env.cli(&[
        "table",
        "create",
        "--id",
        "bang-moi",
        "--title",
        "Bảng mới",
        "--scale",
        "100",
        "--step",
        "0.5",
    ])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let out = env.cli(&[
        "table",
        "import",
        "bang-moi",
        export.to_str().context("path")?,
        "-o",
        "json",
    ])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let bad_table = dir.path().join("bang-xau.csv");
    std::fs::write(
        &bad_table,
        "code,title,max_points,bonus_cap,rule,params,metric,mandatory,evidence\nI,Kinh tế,100,,,,,no,no\nI.1,Thu ngân sách,mười,,proportional,,triệu đồng,no,no\nI.2,Thu nhập,10,,tỷ lệ,,%,no,no\n",
    )?;
    let out = env.cli(&[
        "table",
        "import",
        "bang-moi",
        bad_table.to_str().context("path")?,
    ])?;
    ensure!(
        out.status.code() == Some(3),
        "bad table exit {:?}",
        out.status.code()
    );
    let err = stderr(&out);
    for line in ["  rows[1].max_points: dòng 3", "  rows[2].rule: dòng 4"] {
        ensure!(
            err.lines().any(|l| l.starts_with(line)),
            "stderr lacks `{line}`:\n{err}"
        );
    }
    let big = dir.path().join("lon.csv");
    std::fs::write(&big, vec![b'a'; 50 * 1024 * 1024])?;
    let out = env.cli(&["table", "import", "bang-moi", big.to_str().context("path")?])?;
    ensure!(
        out.status.code() == Some(3) && stderr(&out).contains("vượt giới hạn"),
        "50 MB file: {:?} {}",
        out.status.code(),
        stderr(&out)
    );
    let out = env.cli(&["scoreboard", "show", "bac-kan-city", "2022", "-o", "csv"])?;
    ensure!(
        out.status.code() == Some(3) && stderr(&out).contains("board, scoreboard"),
        "CSV holds one table: {}",
        stderr(&out)
    );
    let out = env.cli(&[
        "scoreboard",
        "show",
        "bac-kan-city",
        "2022",
        "-o",
        "csv",
        "--section",
        "scoreboard",
    ])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text
        .lines()
        .find(|l| l.starts_with("1,"))
        .unwrap_or_default();
    ensure!(
        first.contains("Phùng Chí Kiên") && first.contains("Hoàn thành xuất sắc nhiệm vụ"),
        "scoreboard:\n{text}"
    );
    let out = env.cli(&[
        "scoreboard",
        "explain",
        "bac-kan-city",
        "2022",
        "01843",
        "-o",
        "table",
    ])?;
    // Why, in the officer's language by default, in English on request.
    ensure!(
        stdout(&out).contains(
            "báo cáo 13800      18    đạt 110.4% chỉ tiêu 12500: 15 điểm cơ bản + 3 điểm thưởng"
        ),
        "{}",
        stdout(&out)
    );
    let out = env.cli(&[
        "scoreboard",
        "explain",
        "bac-kan-city",
        "2022",
        "01843",
        "-o",
        "table",
        "--lang",
        "en",
    ])?;
    ensure!(
        stdout(&out).contains("110.4% of target 12500: 15 base + 3 bonus"),
        "{}",
        stdout(&out)
    );
    let out = env.cli(&["term", "policy", "bac-kan-city", "2022", "-o", "json"])?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    ensure!(
        json["levels"][0]["name"] == "Hoàn thành xuất sắc nhiệm vụ",
        "{json}"
    );
    let out = env.cli(&[
        "term",
        "set-policy",
        "bac-kan-city",
        "2022",
        "--tie-break",
        "subtotal:V",
    ])?;
    ensure!(
        out.status.code() == Some(6),
        "the demo term is past adoption: {:?}",
        out.status.code()
    );
    let out = env.cli(&["--help"])?;
    ensure!(stdout(&out).contains("Exit codes"));
    let out = env.cli(&["cluster", "list", "--server", "http://127.0.0.1:1"])?;
    ensure!(
        out.status.code() == Some(7),
        "unreachable exit {:?}",
        out.status.code()
    );
    Ok(())
}

/// Errors in the officer's language: the status's message, every violation's description and
/// a `LocalizedMessage` saying what the reason means are Vietnamese unless the call asks for
/// English, and the CLI prints them; machine fields (the reason, the fields' paths) stay
/// English.
pub fn messages_in_the_officer_s_language(env: &Env) -> anyhow::Result<()> {
    use thidua_proto::v1 as pb;
    use tonic_types::StatusExt;
    env.block_on(async {
        // A caller that asks for no language: Vietnamese.
        let mut plain = pb::cluster_service_client::ClusterServiceClient::new(
            env.channel_as(Some(&env.admin_token)).await?,
        );
        let missing = || pb::GetTermRequest {
            name: "clusters/khong-co/terms/2022".into(),
        };
        let status = plain
            .get_term(missing())
            .await
            .err()
            .context("no such term")?;
        let details = status.get_error_details();
        let said = details.localized_message().context("a localized message")?;
        ensure!(
            said.locale == "vi-VN" && said.message == "Không tìm thấy đối tượng được nêu.",
            "{said:?}"
        );
        ensure!(
            status.message() == "Không tìm thấy clusters/khong-co/terms/2022",
            "{}",
            status.message()
        );
        ensure!(
            details
                .error_info()
                .is_some_and(|i| i.reason == "NOT_FOUND")
        );
        // Bad input: each violation in Vietnamese, under its English field path.
        let bad = plain
            .create_cluster(pb::CreateClusterRequest {
                cluster_id: "Cụm Sai".into(),
                cluster: Some(pb::Cluster {
                    display_name: "Cụm thi đua phường Đức Xuân".into(),
                    kind: pb::ClusterKind::Territorial.into(),
                    organiser: "units/qd124-2004~058".into(),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .err()
            .context("a bad cluster id")?;
        let violations = bad
            .get_error_details()
            .bad_request()
            .map(|b| b.field_violations.clone())
            .unwrap_or_default();
        ensure!(
            violations.iter().any(|v| v.field == "cluster_id"
                && v.description.starts_with("\"Cụm Sai\" không phải mã cụm")),
            "{violations:?}"
        );
        ensure!(
            bad.message()
                .starts_with("Số liệu không hợp lệ: cluster_id: "),
            "{}",
            bad.message()
        );
        // The same calls asking for English.
        let mut english = tonic::Request::new(missing());
        english
            .metadata_mut()
            .insert("grpc-accept-language", "en-GB, vi;q=0.5".parse()?);
        let status = plain
            .get_term(english)
            .await
            .err()
            .context("no such term")?;
        let said = status
            .get_error_details()
            .localized_message()
            .cloned()
            .context("a localized message")?;
        ensure!(
            said.locale == "en" && said.message == "The named resource does not exist.",
            "{said:?}"
        );
        ensure!(
            status.message() == "clusters/khong-co/terms/2022 not found",
            "{}",
            status.message()
        );
        Ok::<_, anyhow::Error>(())
    })?;
    let out = env.cli(&["term", "show", "khong-co", "2022"])?;
    ensure!(
        out.status.code() == Some(4)
            && stderr(&out).starts_with("lỗi: Không tìm thấy đối tượng được nêu. (NotFound)"),
        "{}",
        stderr(&out)
    );
    // Refused at the front door, before any service: the same.
    let out = env.cli_as(None, &["term", "show", "khong-co", "2022"])?;
    ensure!(
        out.status.code() == Some(8) && stderr(&out).starts_with("lỗi: Chưa xác thực"),
        "{}",
        stderr(&out)
    );
    let out = env.cli(&["term", "show", "khong-co", "2022", "--lang", "en"])?;
    ensure!(
        stderr(&out).starts_with("error: clusters/khong-co/terms/2022 not found (NotFound)"),
        "{}",
        stderr(&out)
    );
    Ok(())
}
