//! The reform's lineage imported at once: `lineage-2025.csv` (with both unit lists loaded)
//! against the unit import of the same number of rows, in the same process and store kind.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::Context;
use thidua_domain::{
    import::{ImportRow, unit_rows},
    lineage::import::lineage_rows,
    time::{Date, Validity},
    unit::Scheme,
};
use thidua_server::app::{
    self,
    lineage::{LineageImport, LineageImportOutcome},
};
use thidua_storage::Store;

use crate::Row;

/// The reform's date.
const REFORM: &str = "2025-07-01";

/// The data rows of a file: (line, cells).
type Lines = Vec<(u32, Vec<String>)>;

/// A CSV file as its header and its lines.
fn sheet(path: &Path) -> anyhow::Result<(Vec<String>, Lines)> {
    let mut reader = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let header = reader.headers()?.iter().map(str::to_owned).collect();
    let mut lines = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = u32::try_from(i + 2)?;
        lines.push((line, record?.iter().map(str::to_owned).collect()));
    }
    Ok((header, lines))
}

fn units(path: &Path) -> anyhow::Result<Vec<ImportRow>> {
    let (header, lines) = sheet(path)?;
    Ok(unit_rows(&header, &lines)?)
}

/// Imports `lineage` (legacy → 2025 on the reform's date) into a store holding both unit lists,
/// `runs` times on fresh stores, against the import of as many legacy units into a fresh store;
/// the fastest of each counts.
pub fn lineage_import(
    dir: &Path,
    legacy: &Path,
    units_2025: &Path,
    lineage: &Path,
    runs: usize,
) -> anyhow::Result<Row> {
    let legacy_rows = units(legacy)?;
    let rows_2025 = units(units_2025)?;
    let (header, lines) = sheet(lineage)?;
    let rows = lineage_rows(&header, &lines)?;
    let date: Date = REFORM.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    let from_2025 = Validity {
        from: Some(date),
        to: None,
    };
    let open = |name: String| -> anyhow::Result<Store> {
        Ok(Store::open(&dir.join(name).display().to_string())?)
    };
    let (mut ceiling, mut result) = (Duration::MAX, Duration::MAX);
    let mut outcome = LineageImportOutcome::default();
    for run in 0..runs {
        // The ceiling: as many units as the file has rows, into an empty store.
        let store = open(format!("units-{run}.db"))?;
        // The list has parents first, so its head imports on its own.
        let same_count = &legacy_rows[..rows.len().min(legacy_rows.len())];
        let started = Instant::now();
        app::units::import(
            &store,
            Scheme::Qd124_2004,
            Validity::default(),
            same_count,
            None,
        )?;
        ceiling = ceiling.min(started.elapsed());
        // The lineage, onto both lists.
        let store = open(format!("lineage-{run}.db"))?;
        app::units::import(
            &store,
            Scheme::Qd124_2004,
            Validity::default(),
            &legacy_rows,
            None,
        )?;
        app::units::import(&store, Scheme::Qd19_2025, from_2025, &rows_2025, None)?;
        let file = LineageImport {
            from: Scheme::Qd124_2004,
            to: Scheme::Qd19_2025,
            date,
            legal_act: "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính cấp xã năm 2025"
                .into(),
            rows: rows.clone(),
        };
        let started = Instant::now();
        outcome = app::lineage::import_lineage(&store, file, None)?;
        result = result.min(started.elapsed());
    }
    anyhow::ensure!(
        usize::try_from(outcome.created)? == rows.len(),
        "the lineage import stored {} of {} links",
        outcome.created,
        rows.len()
    );
    Ok(Row::time(
        format!(
            "lineage import: {} links of the 2025 reform ({} units ended) vs importing {} units",
            rows.len(),
            outcome.units_ended,
            rows.len()
        ),
        ceiling,
        result,
        3.0,
        Some(Duration::from_secs(5)),
    ))
}
