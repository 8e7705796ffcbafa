//! The traps an officer fell into with the `thidua` binary, each fixed and kept fixed, and
//! profiles (`thidua login`).

use anyhow::{Context, ensure};

use crate::env::Env;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the CLI with its standard output a pipe whose reader is already gone, as under
/// `thidua … | head` once `head` has read enough.
fn into_closed_pipe(env: &Env, args: &[&str]) -> anyhow::Result<std::process::Output> {
    let (reader, writer) = std::io::pipe()?;
    drop(reader);
    Ok(std::process::Command::new(crate::env::cli_binary()?)
        .env("THIDUA_SERVER", &env.url)
        .env("THIDUA_TOKEN", &env.admin_token)
        .env("THIDUA_CONFIG", "/nonexistent/thidua/config.toml")
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()?)
}

/// The traps an officer fell into: a listing that failed as CSV and hid the late flag, a
/// ballot flag that was ignored, files given two ways, a closed pipe reported as an error, a
/// server address without `http://`, a key's secret lost at the end of a wide table.
pub fn cli_without_traps(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    let listed = env.cli(&["result", "list", "bac-kan-city", "2022", "-o", "csv"])?;
    ensure!(listed.status.success(), "{}", stderr(&listed));
    let text = stdout(&listed);
    let mut lines = text.lines();
    ensure!(
        lines.next().is_some_and(|h| h.ends_with(",submitted,late")),
        "{text}"
    );
    ensure!(lines.count() >= 80, "{text}");

    // JSON has numbers for counts, null for nothing, and the columns' order.
    let listed = env.cli(&["result", "list", "bac-kan-city", "2022", "-o", "json"])?;
    let raw = stdout(&listed);
    let json: serde_json::Value = serde_json::from_str(&raw)?;
    ensure!(
        json[0]["revision"] == 1 && json[0]["late"].is_null() && json[0]["value"].is_string(),
        "{json}"
    );
    let at = |key: &str| raw.find(&format!("\"{key}\""));
    ensure!(
        at("unit") < at("display_name") && at("display_name") < at("criterion"),
        "{raw}"
    );

    // The threshold and base are the term's policy: the flags are gone, not ignored.
    let out = env.cli(&[
        "ballot",
        "record",
        "awards/x",
        "--eligible",
        "8",
        "--present",
        "8",
        "--valid",
        "8",
        "--yes",
        "8",
        "--no",
        "0",
        "--threshold",
        "0.9",
    ])?;
    ensure!(
        out.status.code() == Some(2) && stderr(&out).contains("--threshold"),
        "{}",
        stderr(&out)
    );

    // Exports take their file as imports do: the last argument.
    let dir = tempfile::tempdir()?;
    let targets = dir.path().join("chỉ-tiêu.csv");
    let path = targets.to_str().context("utf-8")?;
    let out = env.cli(&["target", "export", "bac-kan-city", "2022", path])?;
    ensure!(out.status.success() && targets.exists(), "{}", stderr(&out));
    ensure!(
        std::fs::read(&targets)?.starts_with("\u{feff}".as_bytes()),
        "a CSV file opens with a byte-order mark, for Excel on Windows"
    );
    // Excel in a Vietnamese locale writes `;`: exported so, and read back either way.
    let table = dir.path().join("bảng-tiêu-chí.csv");
    let table_path = table.to_str().context("utf-8")?;
    let out = env.cli(&[
        "table",
        "export",
        "bac-kan-2022",
        table_path,
        "--delimiter",
        ";",
    ])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&table)?;
    let header = written.lines().next().unwrap_or_default();
    ensure!(
        header.starts_with('\u{feff}') && header.contains(';') && !header.contains(','),
        "{header}"
    );
    let out = env.cli(&["table", "import", "bac-kan-2022", table_path, "-o", "json"])?;
    ensure!(out.status.success(), "{}", stderr(&out));

    for args in [
        &["completions", "zsh"][..],
        &["result", "list", "bac-kan-city", "2022", "-o", "csv"][..],
    ] {
        let out = into_closed_pipe(env, args)?;
        ensure!(
            out.status.success() && out.stderr.is_empty(),
            "{args:?} into a closed pipe: {:?} {}",
            out.status,
            stderr(&out)
        );
    }

    let bare = env.url.trim_start_matches("http://");
    let out = env.cli(&["--server", bare, "whoami", "-o", "json"])?;
    ensure!(out.status.success(), "--server {bare}: {}", stderr(&out));

    let out = env.cli(&[
        "key",
        "create",
        "--label",
        "Văn thư cụm",
        "--role",
        "observer",
        "--scope",
        "058",
        "-o",
        "table",
    ])?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    ensure!(
        text.lines()
            .any(|l| l.starts_with("Khóa bí mật") && l.contains("thd_")),
        "{text}"
    );

    // A refusal names the command and the role it needs, not only the RPC.
    let out = env.cli(&[
        "key",
        "create",
        "--label",
        "Văn thư Phùng Chí Kiên",
        "--role",
        "reporter",
        "--scope",
        "01843",
        "-o",
        "json",
    ])?;
    let created: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let secret = created["secret"]["secret"].as_str().context("the secret")?;
    let out = env.cli_as(
        Some(secret),
        &[
            "unit", "create", "--code", "01999", "--name", "Thử", "--kind", "ward",
        ],
    )?;
    ensure!(
        out.status.code() == Some(8)
            && stderr(&out).contains("`thidua unit create` cần khóa của quản trị viên."),
        "{}",
        stderr(&out)
    );
    Ok(())
}

/// `thidua login` keeps the server and key as a profile only its owner can read; the next
/// commands need neither flag nor environment, and a flag still wins over the profile.
pub fn login_profiles(env: &Env) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("cấu-hình").join("config.toml");
    let thidua = |args: &[&str]| -> anyhow::Result<std::process::Command> {
        let mut c = std::process::Command::new(crate::env::cli_binary()?);
        c.args(args)
            .env_remove("THIDUA_TOKEN")
            .env_remove("THIDUA_SERVER")
            .env_remove("THIDUA_PROFILE")
            .env("THIDUA_CONFIG", &config);
        Ok(c)
    };
    let bare = env.url.trim_start_matches("http://");
    let mut login = thidua(&["login", "--server", bare, "--profile", "bac-kan"])?
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    login
        .stdin
        .take()
        .context("stdin")?
        .write_all(format!("{}\n", env.admin_token).as_bytes())?;
    let out = login.wait_with_output()?;
    ensure!(out.status.success(), "{}", stderr(&out));
    ensure!(
        stderr(&out).contains("đã lưu hồ sơ bac-kan"),
        "{}",
        stderr(&out)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)?.permissions().mode() & 0o777;
        ensure!(mode == 0o600, "the file is {mode:o}");
    }
    let out = thidua(&["whoami", "--profile", "bac-kan", "-o", "json"])?.output()?;
    ensure!(out.status.success(), "{}", stderr(&out));
    let out = thidua(&["whoami", "-o", "json"])?.output()?;
    ensure!(
        out.status.code() == Some(7) || out.status.code() == Some(8),
        "the default profile does not exist: {}",
        stderr(&out)
    );
    // A flag wins over the profile: a wrong key is refused.
    let out = thidua(&[
        "whoami",
        "--profile",
        "bac-kan",
        "--token",
        "thd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ])?
    .output()?;
    ensure!(out.status.code() == Some(8), "{}", stderr(&out));
    // A wrong key is not stored.
    let mut login = thidua(&["login", "--server", bare, "--profile", "sai"])?
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    login
        .stdin
        .take()
        .context("stdin")?
        .write_all(b"thd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")?;
    let out = login.wait_with_output()?;
    ensure!(out.status.code() == Some(8), "{}", stderr(&out));
    ensure!(!std::fs::read_to_string(&config)?.contains("[profiles.sai]"));
    Ok(())
}
