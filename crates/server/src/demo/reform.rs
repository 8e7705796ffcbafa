//! The seed case across the 2025 reform: Bắc Kạn city ceased on 1 July 2025 and its eight wards
//! and communes became three units of Thái Nguyên province (Đức Xuân, Bắc Kạn, Phong Quang).
//! The demo loads those units and their lineage (the rows of `../shared/data` the case needs),
//! hands the cluster to Thái Nguyên, and carries the 2022 term forward to 2026, the leader's
//! successor leading. Every step is idempotent.

use thidua_domain::{
    Error,
    carry_forward::LeaderChoice,
    lineage::import::lineage_rows,
    names::TermName,
    time::Validity,
    unit::{Scheme, UnitRef},
};
use thidua_storage::Store;

use super::{CLUSTER_ID, YEAR, csv, date, key};
use crate::app;

/// Thái Nguyên and the three units of 2025 that took Bắc Kạn city's eight.
const UNITS_2025_CSV: &[u8] = include_bytes!("units-2025.csv");
/// The eight links of `lineage-2025.csv` for the city's units.
const LINEAGE_CSV: &[u8] = include_bytes!("lineage-2025.csv");
/// Bắc Kạn province's row of `provinces-lineage-2025.csv`.
const PROVINCES_CSV: &[u8] = include_bytes!("provinces-lineage-2025.csv");

/// The act of Thái Nguyên's merger (the data files name none).
const ACT: &str = "Nghị quyết 1683/NQ-UBTVQH15 ngày 16/6/2025 của Ủy ban Thường vụ Quốc hội";
/// The year the demo carries the 2022 term into.
pub const NEXT_YEAR: i32 = 2026;

/// Loads the reform's part of the seed case; a second call finds everything in place.
pub fn load(store: &Store) -> Result<(), Error> {
    let reform = date(2025, 7, 1)?;
    let sheet = csv(UNITS_2025_CSV)?;
    let rows = thidua_domain::import::unit_rows(&sheet.header, &sheet.rows)?;
    let validity = Validity {
        from: Some(reform),
        to: None,
    };
    app::units::import(store, Scheme::Qd19_2025, validity, &rows, key("units-2025"))?;
    for (name, file) in [("lineage", LINEAGE_CSV), ("provinces", PROVINCES_CSV)] {
        let sheet = csv(file)?;
        let rows = lineage_rows(&sheet.header, &sheet.rows)?;
        app::lineage::import_lineage(
            store,
            app::lineage::LineageImport {
                from: Scheme::Qd124_2004,
                to: Scheme::Qd19_2025,
                date: reform,
                legal_act: ACT.into(),
                rows,
            },
            key(name),
        )?;
    }
    let thai_nguyen = UnitRef::new(Scheme::Qd19_2025, "19");
    let (cluster, _) = app::succession::cluster_with_transfers(store, CLUSTER_ID)?;
    if cluster.organiser != thai_nguyen {
        app::succession::transfer(
            store,
            app::succession::NewTransfer {
                cluster_id: CLUSTER_ID.into(),
                to: thai_nguyen,
                date: reform,
                legal_act: ACT.into(),
                etag: None,
            },
            key("transfer"),
        )?;
    }
    let next = TermName::new(CLUSTER_ID, NEXT_YEAR);
    if store.read(|tx| tx.term(&next))?.is_none() {
        app::terms::carry_forward(
            store,
            &TermName::new(CLUSTER_ID, YEAR),
            app::terms::CarryOptions {
                year: Some(NEXT_YEAR),
                leader: LeaderChoice::FromLineage,
                validate_only: false,
            },
            key("carry-forward"),
        )?;
    }
    Ok(())
}
