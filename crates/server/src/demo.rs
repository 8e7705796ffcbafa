//! The seed case of DOMAIN.md, loaded by `thidua-server --demo`: the 2022 covenant of the
//! cluster of Bắc Kạn city's 8 communes and wards, signed on 28 April 2022 at phường Phùng Chí
//! Kiên. Loading twice changes nothing: every step is idempotent.
//!
//! The units are the seed case's (codes and names as in DOMAIN.md and the GSO list). The source
//! names no signatories, so each member's signature is recorded as its People's Committee
//! representative, and the witness by title. The source gives no point values either: the
//! criteria table mirrors the covenant's targets, but its points, rules and every member's
//! budget-revenue target are illustrative.
//!
//! The data are the files under `demo/` (units, the criteria table, the targets, the year-end
//! results), in the layouts the README documents, loaded through the same readers and use cases
//! as an officer's files. Then `demo/reform.rs` takes the case across the 2025 reform: the
//! cluster handed to Thái Nguyên and its 2026 term of the three successors.

mod reform;

pub use reform::NEXT_YEAR;

use rust_decimal::Decimal;
use thidua_domain::{
    Error,
    award::{
        AwardKind, Ballot, BallotBase, Dossier,
        decision::{DecisionKind, NewDecision},
    },
    cluster::ClusterKind,
    covenant::{CovenantStatus, Signature, Witness},
    criteria::VersionState,
    import,
    names::TermName,
    reporting,
    stage::Stage,
    term::{Leadership, LeadershipMethod},
    time::{Date, Timestamp, Validity},
    unit::{Scheme, UnitRef},
};
use thidua_storage::Store;

use crate::{
    app::{self, Idempotency},
    sheets::{self, Format, Sheet},
};

/// The cluster's id.
pub const CLUSTER_ID: &str = "bac-kan-city";
/// The cluster's name.
pub const CLUSTER_NAME: &str = "Cụm thi đua các xã, phường thành phố Bắc Kạn";
/// The year of the seed term.
pub const YEAR: i32 = 2022;

/// A share link to the seed's scoreboard page, valid for a day: where `/` leads under
/// `--demo`. Each start makes a new one.
pub fn share_link(store: &Store) -> Result<String, Error> {
    let term = demo_term();
    let (_, token) = app::shares::create(store, "demo".into(), &term, "", 24 * 3600)?;
    Ok(crate::http::page::share_path(&term, &token))
}

/// The demo term's name.
fn demo_term() -> TermName {
    TermName::new(CLUSTER_ID, YEAR)
}

/// Bắc Kạn province, Bắc Kạn city and the city's 8 communes and wards (QĐ 124/2004).
const UNITS_CSV: &[u8] = include_bytes!("demo/units.csv");
/// The illustrative 100-point table, with the five groups of the seed covenant and a bonus for
/// a prior provincial flag.
const TABLE_CSV: &[u8] = include_bytes!("demo/table.csv");
/// The defaults and each member's assigned budget revenue (triệu đồng), illustrative.
const TARGETS_CSV: &[u8] = include_bytes!("demo/targets.csv");
/// Illustrative year-end results of each member: budget revenue (triệu đồng), income per
/// hectare, judged proposals, percentages, outbreaks, and whether it holds a prior flag.
const RESULTS_CSV: &[u8] = include_bytes!("demo/results.csv");

/// The rows of an embedded CSV file.
fn csv(content: &[u8]) -> Result<Sheet, Error> {
    sheets::read(content, Format::Csv)
}

/// The targets of the seed covenant, by group.
const COMMITMENTS: [&str; 5] = [
    "Kinh tế: thu ngân sách đạt và vượt chỉ tiêu giao; chuyển dịch cơ cấu cây trồng, nâng cao thu nhập trên một héc-ta; thực hiện các chương trình mục tiêu quốc gia; giữ vững các tiêu chí nông thôn mới",
    "Văn hóa, giáo dục, y tế: xây dựng đời sống văn hóa ở cơ sở; duy trì chuẩn phổ cập giáo dục; nâng cao chất lượng chăm sóc sức khỏe; không để xảy ra dịch bệnh lớn trên địa bàn",
    "Xây dựng Đảng: 100% cán bộ, đảng viên học tập, quán triệt các chỉ thị, nghị quyết",
    "Quốc phòng, an ninh: tuyển quân đạt 100% chỉ tiêu cấp trên giao",
    "Cải cách hành chính: 100% đơn vị xếp loại tốt trở lên trong chỉ số cải cách hành chính năm 2022",
];

fn key(name: &str) -> Option<Idempotency> {
    Some(Idempotency {
        request_id: format!("demo:{CLUSTER_ID}:{YEAR}:{name}"),
        method: "Demo",
        digest: name.to_owned(),
    })
}

fn unit(code: &str) -> UnitRef {
    UnitRef::new(Scheme::Qd124_2004, code)
}

fn date(y: i32, m: u32, d: u32) -> Result<Date, Error> {
    Date::new(y, m, d).ok_or_else(|| Error::Internal(format!("{y}-{m}-{d} is not a date")))
}

/// The table's id.
pub const TABLE_ID: &str = "bac-kan-2022";

/// Creates and publishes the table, applies it to the term and registers the targets.
fn load_table_and_targets(store: &Store) -> Result<(), Error> {
    let (_, latest) = app::tables::create(
        store,
        app::tables::NewTable {
            id: Some(TABLE_ID.into()),
            title: "Bảng tiêu chí thi đua cụm xã, phường thành phố Bắc Kạn năm 2022 (minh họa)"
                .into(),
            legal_act: "Số liệu minh họa: bài báo về lễ ký giao ước không nêu thang điểm".into(),
            legal_date: None,
            scale: Decimal::ONE_HUNDRED,
            rounding_step: Decimal::new(5, 1),
            owner: None,
        },
        key("table"),
    )?;
    let (_, version) = app::tables::version(store, TABLE_ID, latest)?;
    if version.state == VersionState::Draft {
        if version.groups.is_empty() {
            app::tables::import(store, TABLE_ID, TABLE_CSV, Format::Csv, None)?;
        }
        app::tables::publish(store, TABLE_ID, latest, None)?;
    }
    let term = app::terms::get(store, &demo_term())?;
    if term.table.is_none() {
        app::targets::apply(store, &demo_term(), TABLE_ID, latest)?;
    }
    app::targets::import(store, &demo_term(), TARGETS_CSV, Format::Csv)?;
    Ok(())
}

/// Opens reporting and reports the illustrative results, once.
fn report_results(store: &Store) -> Result<(), Error> {
    let term = app::terms::get(store, &demo_term())?;
    if term.table.is_none() || term.covenant_status != CovenantStatus::Signed {
        return Ok(());
    }
    if term.stage == Stage::Setup {
        app::scoring::advance(store, &demo_term(), Stage::Reporting)?;
    }
    if !app::scoring::list_results(store, &demo_term(), None)?.is_empty() {
        return Ok(());
    }
    let sheet = csv(RESULTS_CSV)?;
    let rows = reporting::result_rows(&sheet.header, &sheet.rows)?;
    app::scoring::import_results(store, &demo_term(), &rows, key("results"))?;
    Ok(())
}

/// Member names by code.
type Names = std::collections::HashMap<String, String>;

/// Loads the seed case into `store`; a second call finds everything in place.
pub fn load(store: &Store) -> Result<(), Error> {
    let names = load_reported(store)?;
    run_to_proposals(store, &names)?;
    reform::load(store)
}

/// The seed up to its year-end results: the units, the cluster, its 2022 term signed and every
/// result reported, the term still in its reporting stage (where a result can still change, as
/// the live scoreboard's browser test does). Returns the members' names by code.
pub fn load_reported(store: &Store) -> Result<Names, Error> {
    let sheet = csv(UNITS_CSV)?;
    let rows = import::unit_rows(&sheet.header, &sheet.rows)?;
    // The 2025 reform merged every one of these units; they ceased on 1 July 2025.
    let validity = Validity {
        from: None,
        to: Some(date(2025, 7, 1)?),
    };
    app::units::import(store, Scheme::Qd124_2004, validity, &rows, key("units"))?;
    app::clusters::create(
        store,
        app::clusters::NewCluster {
            id: Some(CLUSTER_ID.into()),
            name: CLUSTER_NAME.into(),
            kind: ClusterKind::Territorial,
            organiser: unit("058"),
            description: "Cụm thi đua gồm 8 xã, phường của thành phố Bắc Kạn (dữ liệu minh họa)."
                .into(),
        },
        key("cluster"),
    )?;
    // The members are the communes and wards: five-digit codes.
    let members: Vec<UnitRef> = rows
        .iter()
        .filter(|r| r.code.len() == 5)
        .map(|r| unit(&r.code))
        .collect();
    let term = app::terms::create(
        store,
        app::terms::NewTerm {
            cluster_id: CLUSTER_ID.into(),
            year: YEAR,
            start: None,
            end: None,
            members: members.clone(),
        },
        key("term"),
    )?;
    if term.leadership().is_none() {
        app::terms::set_leadership(
            store,
            &demo_term(),
            Leadership {
                leader: Some(unit("01843")),
                deputies: vec![],
                method: LeadershipMethod::Elected,
                deciding_act: "Hội nghị tổng kết phong trào thi đua năm 2021 của cụm".into(),
                decided_on: None,
                recorded_at: Timestamp(0),
            },
            None,
        )?;
    }
    let covenant = app::covenants::get(store, &demo_term())?;
    if covenant.status == CovenantStatus::Draft {
        load_table_and_targets(store)?;
        app::covenants::update(
            store,
            &demo_term(),
            None,
            app::covenants::CovenantPatch {
                theme: Some("Giao ước thi đua năm 2022".into()),
                text: Some(
                    "Các xã, phường trong cụm thi đua thành phố Bắc Kạn ký kết giao ước thi đua năm 2022, \
                     phấn đấu hoàn thành các chỉ tiêu sau."
                        .into(),
                ),
                commitments: Some(COMMITMENTS.iter().map(|c| (*c).to_owned()).collect()),
                place: Some("phường Phùng Chí Kiên".into()),
                signing_date: Some(Some(date(2022, 4, 28)?)),
            },
        )?;
    }
    // 28 April 2022, 08:00 in Hà Nội (UTC+7).
    let signed_at = Timestamp(1_651_107_600_000_000);
    let names: Names = rows
        .iter()
        .map(|r| (r.code.clone(), r.name.clone()))
        .collect();
    let covenant = app::covenants::get(store, &demo_term())?;
    for member in &members {
        if covenant.signatures.iter().any(|s| &s.unit == member) {
            continue;
        }
        let name = names.get(&member.code).map_or("", String::as_str);
        let kind = if matches!(member.code.as_str(), "01849" | "01852") {
            "xã"
        } else {
            "phường"
        };
        app::covenants::sign(
            store,
            &demo_term(),
            Signature {
                unit: member.clone(),
                signatory_name: format!("Đại diện UBND {kind} {name}"),
                signatory_title: format!("Chủ tịch UBND {kind} {name}"),
                signed_at,
            },
        )?;
    }
    if covenant.witnesses.is_empty() {
        app::covenants::add_witness(
            store,
            &demo_term(),
            Witness {
                person_name: "Đại diện Thường trực HĐND thành phố".into(),
                title: "Phó Chủ tịch HĐND thành phố Bắc Kạn".into(),
                unit: Some(unit("058")),
            },
        )?;
    }
    report_results(store)?;
    Ok(names)
}

/// Scores, adopts, votes on and submits the proposals, once: the provincial flag to the
/// leading unit and certificates of merit to the next two (all illustrative).
fn run_to_proposals(store: &Store, names: &Names) -> Result<(), Error> {
    let term = app::terms::get(store, &demo_term())?;
    if term.stage != Stage::Reporting {
        return Ok(());
    }
    for stage in [Stage::SelfScoring, Stage::Review, Stage::Adopted] {
        app::scoring::advance(store, &demo_term(), stage)?;
    }
    let board = app::scoring::scoreboard(
        store,
        &demo_term(),
        Some(thidua_domain::results::Layer::Adjustment),
    )?;
    let top: Vec<UnitRef> = board
        .placements
        .iter()
        .take(3)
        .map(|p| p.unit.clone())
        .collect();
    let mut awards = Vec::new();
    for (i, unit) in top.iter().enumerate() {
        let kind = if i == 0 {
            AwardKind::ProvincialFlag
        } else {
            AwardKind::CertificateOfMerit
        };
        let name = names.get(&unit.code).map_or("", String::as_str);
        let dossier = Dossier {
            submission_letter: format!("Tờ trình đề nghị khen thưởng {name} năm 2022 (minh họa)"),
            minutes: "Biên bản hội nghị tổng kết cụm thi đua năm 2022 (minh họa)".into(),
            achievement_report: format!("Báo cáo thành tích của {name} năm 2022 (minh họa)"),
        };
        awards.push(app::awards::propose(
            store,
            &demo_term(),
            unit,
            kind,
            dossier,
            "",
        )?);
    }
    app::scoring::advance(store, &demo_term(), Stage::Ballot)?;
    for award in &awards {
        let ballot = Ballot {
            eligible: 8,
            present: 8,
            valid: 8,
            yes: 8,
            no: 0,
            threshold: Decimal::new(5, 1),
            base: BallotBase::Present,
        };
        app::awards::record_ballot(store, &award.id, ballot)?;
        app::awards::submit(store, &award.id, None)?;
    }
    app::scoring::advance(store, &demo_term(), Stage::Proposed)?;
    decide_flag(store, &awards[0])
}

/// The province decides the leading unit's provincial flag (illustrative number and date).
fn decide_flag(store: &Store, flag: &thidua_domain::award::Award) -> Result<(), Error> {
    app::decisions::record(
        store,
        NewDecision {
            number: "215/QĐ-UBND".into(),
            date: date(2023, 2, 10)?,
            authority: unit("06"),
            signer: "Chủ tịch UBND tỉnh Bắc Kạn (minh họa)".into(),
            entry: "CTD_TINH".into(),
            year: Some(YEAR),
            kind: DecisionKind::Award,
            approve: vec![flag.id.clone()],
            reject: vec![],
            units: vec![],
            reason: "Dẫn đầu cụm thi đua các xã, phường thành phố Bắc Kạn năm 2022".into(),
        },
        key("decision-flag"),
    )?;
    Ok(())
}
