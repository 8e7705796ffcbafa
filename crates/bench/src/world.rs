//! The national reporting round in a database: every district's communes form one term of a
//! cluster the district organises, bound to one 60-criterion table, targets set, covenant
//! signed, open for reporting. Built through the server's use cases (untimed setup).

use rust_decimal::Decimal;
use thidua_domain::import::ImportRow;
use thidua_domain::names::TermName;
use thidua_domain::{
    Error,
    cluster::ClusterKind,
    covenant::Signature,
    stage::Stage,
    time::{Timestamp, Validity},
    unit::{Scheme, UnitRef},
};
use thidua_server::app;
use thidua_storage::Store;

use crate::data::Nation;

/// The year of the round.
pub const YEAR: i32 = 2024;
/// The table every term is bound to.
pub const TABLE_ID: &str = "bang-tieu-chi-2024";

/// One term of the round: its cluster id and members.
#[derive(Debug, Clone)]
pub struct RoundTerm {
    /// `clusters/cum-{district}/terms/2024`.
    pub term: TermName,
    /// The member communes.
    pub members: Vec<UnitRef>,
}

/// Loads the units, the table and every term into `store`, ready for results.
pub fn build(store: &Store, nation: &Nation) -> Result<Vec<RoundTerm>, Error> {
    let rows: Vec<ImportRow> = nation
        .units
        .iter()
        .zip(2..)
        .map(|(u, line)| ImportRow {
            line,
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            parent_code: u.parent.clone(),
        })
        .collect();
    let validity = Validity {
        from: None,
        to: None,
    };
    app::units::import(store, Scheme::Qd124_2004, validity, &rows, None)?;
    let (_, latest) = app::tables::create(
        store,
        app::tables::NewTable {
            id: Some(TABLE_ID.into()),
            title: "Bảng tiêu chí thi đua cụm xã, phường năm 2024 (dữ liệu đo hiệu năng)".into(),
            legal_act: "Dữ liệu đo hiệu năng".into(),
            legal_date: None,
            scale: crate::nationwide::scale(),
            rounding_step: Decimal::new(1, 2),
            owner: None,
        },
        None,
    )?;
    app::tables::edit(store, TABLE_ID, crate::nationwide::table(), None, None)?;
    app::tables::publish(store, TABLE_ID, latest, None)?;
    let codes: Vec<String> = crate::nationwide::table()
        .iter()
        .flat_map(|g| g.children.iter().map(|c| c.code.clone()))
        .collect();
    let mut terms = Vec::new();
    for district in &nation.districts {
        let cluster_id = format!("cum-{}", district.code);
        let organiser = UnitRef::new(Scheme::Qd124_2004, district.code.clone());
        app::clusters::create(
            store,
            app::clusters::NewCluster {
                id: Some(cluster_id.clone()),
                name: format!("Cụm thi đua các xã, phường {}", district.name),
                kind: ClusterKind::Territorial,
                organiser,
                description: String::new(),
            },
            None,
        )?;
        let members: Vec<UnitRef> = district
            .communes
            .iter()
            .map(|c| UnitRef::new(Scheme::Qd124_2004, c.clone()))
            .collect();
        app::terms::create(
            store,
            app::terms::NewTerm {
                cluster_id: cluster_id.clone(),
                year: YEAR,
                start: None,
                end: None,
                members: members.clone(),
            },
            None,
        )?;
        let term = TermName::new(&cluster_id, YEAR);
        app::targets::apply(store, &term, TABLE_ID, latest)?;
        let defaults = codes
            .iter()
            .map(|code| thidua_domain::target::TargetInput {
                at: "bench".into(),
                value_field: "value".into(),
                unit: None,
                code: code.clone(),
                value: "100".into(),
            })
            .collect();
        app::targets::set(store, &term, defaults)?;
        for member in &members {
            app::covenants::sign(
                store,
                &term,
                Signature {
                    unit: member.clone(),
                    signatory_name: format!("Chủ tịch UBND {}", member.code),
                    signatory_title: "Chủ tịch UBND".into(),
                    signed_at: Timestamp(1_711_936_800_000_000),
                },
            )?;
        }
        app::scoring::advance(store, &term, Stage::Reporting)?;
        terms.push(RoundTerm { term, members });
    }
    Ok(terms)
}
