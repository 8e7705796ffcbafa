//! Share links and the live scoreboard page: a link opens one term's page and its event
//! stream, nothing else; it is not an API key; revoked or expired, the page shows a Vietnamese
//! message and nothing of the data.

use anyhow::{Context, ensure};
use serde_json::json;

use super::{
    client::{self, post_json},
    json_api::{TERM, reason},
};
use crate::env::Env;

/// The path and query of the URL `thidua scoreboard share` printed.
fn page_of(url: &str) -> anyhow::Result<String> {
    let at = url.find("/clusters/").context("no page in the URL")?;
    Ok(url[at..].trim().to_owned())
}

fn events_of(page: &str) -> String {
    page.replace("/scoreboard?", "/scoreboard/events?")
}

/// Reads the event stream of `page` until its first event of `kind`, returning its data.
async fn first_event(base: &str, events: &str, kind: &str) -> anyhow::Result<String> {
    let response = client::open(
        base,
        http::Version::HTTP_11,
        client::request("GET", events, "", None, bytes::Bytes::new())?,
    )
    .await?;
    ensure!(response.status() == 200, "{}", response.status());
    client::first_event(&mut response.into_body(), kind).await
}

/// Ends share link `id`'s validity, as time would.
pub(super) fn expire(env: &Env, id: &str) -> anyhow::Result<()> {
    crate::support::run_sql(
        &env.database_url,
        &[&format!(
            "UPDATE scoreboard_shares SET expires_at = 0 WHERE id = '{id}'"
        )],
    )
}

const REFUSED: &str = "Đường dẫn này không hợp lệ, đã hết hạn hoặc đã bị thu hồi";

pub fn share_links(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load_reported(&env.store)?;
    let base = env.url.as_str();
    let admin = Some(env.admin_token.as_str());
    let out = env.cli(&[
        "scoreboard",
        "share",
        "bac-kan-city",
        "2022",
        "--valid",
        "1d",
        "-o",
        "json",
    ])?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        printed.contains(&format!(
            "{base}/clusters/bac-kan-city/terms/2022/scoreboard?share=ths_"
        )),
        "{printed}"
    );
    let page = page_of(
        printed
            .split('"')
            .find(|p| p.contains("share=ths_"))
            .context("no URL")?,
    )?;
    let token = page.split("share=").nth(1).unwrap_or_default().to_owned();
    env.block_on(async {
        // The page: the cluster's name in Vietnamese; its data come from the stream.
        let shown = client::get(base, &page).await?;
        ensure!(shown.status == 200, "{}", shown.text());
        ensure!(
            shown
                .text()
                .contains("Cụm thi đua các xã, phường thành phố Bắc Kạn")
        );
        ensure!(shown.header("content-type").starts_with("text/html"));
        let board = first_event(base, &events_of(&page), "board").await?;
        let board: serde_json::Value = serde_json::from_str(&board)?;
        let names: Vec<&str> = board["rows"]
            .as_array()
            .map(|r| r.iter().filter_map(|r| r["displayName"].as_str()).collect())
            .unwrap_or_default();
        ensure!(
            names.len() == 8 && names.contains(&"Nông Thượng"),
            "{names:?}"
        );

        // The link opens that page only: not another year, not the API.
        let other = page.replace("/terms/2022/", "/terms/2023/");
        let refused = client::get(base, &other).await?;
        ensure!(
            refused.status == 401 && refused.text().contains(REFUSED),
            "{}",
            refused.text()
        );
        ensure!(!refused.text().contains("Phùng Chí Kiên"));
        let as_key = post_json(
            base,
            "/thidua.v1.ScoringService/GetScoreboard",
            Some(&token),
            json!({ "term": TERM }).to_string(),
        )
        .await?;
        ensure!(
            as_key.status == 401,
            "a share link worked as an API key: {}",
            as_key.text()
        );
        // Without a link: how to open it (a link, or an API key), nothing of the data.
        let no_link = client::get(base, "/clusters/bac-kan-city/terms/2022/scoreboard").await?;
        ensure!(no_link.status == 401 && no_link.text().contains("đường dẫn chia sẻ"));
        ensure!(
            !no_link.text().contains("Phùng Chí Kiên")
                && !no_link.text().contains("Cụm thi đua các xã")
        );

        // A validity outside a minute to a month is refused, naming the field.
        let answer = post_json(
            base,
            "/thidua.v1.ScoringService/CreateScoreboardShare",
            admin,
            json!({ "term": TERM, "validSeconds": "59" }).to_string(),
        )
        .await?;
        ensure!(
            answer.status == 400 && answer.text().contains("valid_seconds"),
            "{}",
            answer.text()
        );

        // Expired: a second link whose time is up.
        let second = post_json(
            base,
            "/thidua.v1.ScoringService/CreateScoreboardShare",
            admin,
            json!({ "term": TERM, "validSeconds": "3600", "displayName": "Trình chiếu thử" })
                .to_string(),
        )
        .await?;
        ensure!(second.status == 200, "{}", second.text());
        let second = second.json()?;
        let second_page = second["path"].as_str().unwrap_or_default().to_owned();
        ensure!(client::get(base, &second_page).await?.status == 200);
        let id = second["share"]["name"]
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        expire(env, &id)?;
        let expired = client::get(base, &second_page).await?;
        ensure!(
            expired.status == 401 && expired.text().contains(REFUSED),
            "{}",
            expired.text()
        );
        ensure!(!expired.text().contains("Phùng Chí Kiên"));
        anyhow::Ok(())
    })?;

    // On PostgreSQL, a page served by a second server process changes with a result committed
    // through the first.
    if env.is_postgres() {
        let twin = env.twin()?;
        env.block_on(async {
            let response = client::open(
                &twin.url,
                http::Version::HTTP_11,
                client::request("GET", &events_of(&page), "", None, bytes::Bytes::new())?,
            )
            .await?;
            let mut body = response.into_body();
            let mut read = Vec::new();
            let boards = |r: &[u8]| String::from_utf8_lossy(r).matches("event: board").count();
            client::read_until(&mut body, &mut read, |r| boards(r) >= 1).await?;
            let submit = json!({
                "term": TERM,
                "result": { "unit": "units/qd124-2004~01846", "criterionCode": "I.2", "value": { "value": "50" } },
            });
            let answer = post_json(base, "/thidua.v1.ScoringService/SubmitResult", admin, submit.to_string()).await?;
            ensure!(answer.status == 200, "{}", answer.text());
            client::read_until(&mut body, &mut read, |r| boards(r) >= 2).await?;
            anyhow::Ok(())
        })?;
    }

    // Listed, then revoked: an open stream says so at its next board, the page refuses.
    let out = env.cli(&["scoreboard", "shares", "bac-kan-city", "2022", "-o", "json"])?;
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        listed.contains("Trình chiếu thử") && listed.contains("Hội nghị tổng kết năm 2022"),
        "{listed}"
    );
    let name = listed
        .split('"')
        .find(|s| s.starts_with("clusters/bac-kan-city/terms/2022/shares/"))
        .context("no name")?
        .to_owned();
    let revoked_name = {
        let share: Vec<&str> = listed
            .split('"')
            .filter(|s| s.starts_with("clusters/bac-kan-city/terms/2022/shares/"))
            .collect();
        // The first link made is listed last (newest first).
        share.last().copied().unwrap_or(&name).to_owned()
    };
    env.block_on(async {
        let response = client::open(
            base,
            http::Version::HTTP_11,
            client::request("GET", &events_of(&page), "", None, bytes::Bytes::new())?,
        )
        .await?;
        let mut body = response.into_body();
        let mut read = Vec::new();
        client::read_until(&mut body, &mut read, |r| String::from_utf8_lossy(r).contains("event: board")).await?;
        let out = env.cli(&["scoreboard", "unshare", &revoked_name])?;
        ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // A change to the board: the stream checks the link before sending it.
        let submit = json!({
            "term": TERM,
            "result": { "unit": "units/qd124-2004~01852", "criterionCode": "I.2", "value": { "value": "1" } },
        });
        let answer = post_json(base, "/thidua.v1.ScoringService/SubmitResult", admin, submit.to_string()).await?;
        ensure!(answer.status == 200, "{} {}", answer.text(), reason(&answer.json()?));
        client::read_until(&mut body, &mut read, |r| String::from_utf8_lossy(r).contains("event: refused")).await?;
        let after = client::get(base, &page).await?;
        ensure!(after.status == 401 && after.text().contains(REFUSED));
        Ok(())
    })
}
