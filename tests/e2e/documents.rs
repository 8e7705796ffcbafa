//! The official documents, from the seed's year, as an officer writes them with the CLI and
//! opens them: the summary table (XLSX, numbers as numbers, codes as text), the ballot
//! minutes, the submission for awards and the covenant (DOCX), each read back.

use anyhow::{Context, ensure};
use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::env::Env;

fn written(env: &Env, args: &[&str], file: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let mut all = args.to_vec();
    all.push(file.to_str().context("utf-8")?);
    let out = env.cli(&all)?;
    ensure!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(std::fs::read(file)?)
}

fn has(text: &[String], needle: &str) -> anyhow::Result<()> {
    ensure!(text.iter().any(|t| t == needle), "{needle} not in {text:?}");
    Ok(())
}

pub fn official_documents(env: &Env) -> anyhow::Result<()> {
    thidua_server::demo::load(&env.store)?;
    let dir = tempfile::tempdir()?;

    let table = dir.path().join("bảng-tổng-hợp-2022.xlsx");
    written(
        env,
        &["scoreboard", "export", "bac-kan-city", "2022"],
        &table,
    )?;
    let mut book: Xlsx<_> = open_workbook(&table)?;
    let range = book.worksheet_range("Tổng hợp năm 2022")?;
    let row = (0..range.height())
        .find(|r| {
            range.get_value((u32::try_from(*r).unwrap_or(0), 1))
                == Some(&Data::String("01843".into()))
        })
        .context("Phùng Chí Kiên's line, its code as text")?;
    let row = u32::try_from(row)?;
    ensure!(
        range.get_value((row, 3)) == Some(&Data::Float(113.0))
            && range.get_value((row, 2)) == Some(&Data::String("Phùng Chí Kiên".into())),
        "{:?}",
        range.get_value((row, 3))
    );

    let minutes = written(
        env,
        &["ballot", "minutes", "bac-kan-city", "2022"],
        &dir.path().join("biên-bản-kiểm-phiếu.docx"),
    )?;
    let text = thidua_server::documents::text(&minutes)?;
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BIÊN BẢN KIỂM PHIẾU",
        "Phùng Chí Kiên",
        "Cờ thi đua của Ủy ban nhân dân tỉnh",
        "Đạt",
        "TRƯỞNG BAN KIỂM PHIẾU",
    ] {
        has(&text, needle)?;
    }

    let submission = written(
        env,
        &["award", "submission", "bac-kan-city", "2022"],
        &dir.path().join("tờ-trình.docx"),
    )?;
    let text = thidua_server::documents::text(&submission)?;
    for needle in [
        "TỜ TRÌNH",
        "Kính gửi: Hội đồng Thi đua - Khen thưởng thành phố Bắc Kạn.",
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        "TM. CỤM THI ĐUA",
        "Nơi nhận:",
    ] {
        has(&text, needle)?;
    }

    let covenant = written(
        env,
        &["covenant", "export", "bac-kan-city", "2022"],
        &dir.path().join("giao-ước.docx"),
    )?;
    let text = thidua_server::documents::text(&covenant)?;
    has(&text, "GIAO ƯỚC THI ĐUA NĂM 2022")?;
    for member in [
        "Nguyễn Thị Minh Khai",
        "Sông Cầu",
        "Đức Xuân",
        "Phùng Chí Kiên",
        "Huyền Tụng",
        "Dương Quang",
        "Nông Thượng",
        "Xuất Hóa",
    ] {
        has(&text, member)?;
    }
    has(&text, "28/04/2022")?;

    let out = env.cli(&[
        "covenant",
        "export",
        "bac-kan-city",
        "2022",
        dir.path().join("giao-ước.pdf").to_str().context("utf-8")?,
    ])?;
    ensure!(
        out.status.code() == Some(3),
        "a .pdf name is refused before asking"
    );
    Ok(())
}
