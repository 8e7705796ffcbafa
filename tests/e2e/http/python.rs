//! The JSON API called from Python with `requests` alone (`tests/python/json_api.py`), as a
//! provincial portal would. Skipped with a loud line where Python or `requests` is missing,
//! unless `THIDUA_REQUIRE_WEB_CLIENTS=1` (CI installs them).

use anyhow::ensure;

use crate::env::Env;

pub fn json_api_from_python(env: &Env) -> anyhow::Result<()> {
    let has_requests = std::process::Command::new("python3")
        .args(["-c", "import requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_requests {
        if std::env::var("THIDUA_REQUIRE_WEB_CLIENTS").is_ok_and(|v| v == "1") {
            anyhow::bail!("THIDUA_REQUIRE_WEB_CLIENTS=1 but python3 with `requests` is missing");
        }
        eprintln!("\n!!!! PYTHON CLIENT TEST SKIPPED: pip install requests !!!!\n");
        return Ok(());
    }
    thidua_server::demo::load_reported(&env.store)?;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/json_api.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&env.url)
        .arg(&env.admin_token)
        .output()?;
    ensure!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
