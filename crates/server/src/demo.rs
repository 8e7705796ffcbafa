//! The seed case of DOMAIN.md, loaded by `thidua-server --demo`: the 2022 covenant of the
//! cluster of Bắc Kạn city's 8 communes and wards, signed on 28 April 2022 at phường Phùng Chí
//! Kiên. Loading twice changes nothing: every step is idempotent.
//!
//! The units are the seed case's (codes and names as in DOMAIN.md and the GSO list). The source
//! names no signatories, so each member's signature is recorded as its People's Committee
//! representative, and the witness by title. The source gives no point values either: the
//! criteria table mirrors the covenant's targets, but its points, rules and every member's
//! budget-revenue target are illustrative.

use rust_decimal::Decimal;
use thidua_domain::{
    Error,
    award::{AwardKind, Ballot, BallotBase, Dossier},
    cluster::ClusterKind,
    covenant::{CovenantStatus, Signature, Witness},
    criteria::{Criterion, Rule, VersionState},
    import::ImportRow,
    stage::Stage,
    term::{Leadership, LeadershipMethod},
    time::{Date, Timestamp, Validity},
    unit::{Scheme, UnitRef},
};
use thidua_storage::Store;

use crate::app::{self, Idempotency};

/// The cluster's id.
pub const CLUSTER_ID: &str = "bac-kan-city";
/// The cluster's name.
pub const CLUSTER_NAME: &str = "Cụm thi đua các xã, phường thành phố Bắc Kạn";
/// The year of the seed term.
pub const YEAR: i32 = 2022;

/// Bắc Kạn province, Bắc Kạn city and the city's 8 communes and wards (QĐ 124/2004):
/// code, name, kind, parent code.
pub const UNITS: [(&str, &str, &str, &str); 10] = [
    ("06", "Bắc Kạn", "tinh", ""),
    ("058", "Bắc Kạn", "thanh_pho", "06"),
    ("01834", "Nguyễn Thị Minh Khai", "phuong", "058"),
    ("01837", "Sông Cầu", "phuong", "058"),
    ("01840", "Đức Xuân", "phuong", "058"),
    ("01843", "Phùng Chí Kiên", "phuong", "058"),
    ("01846", "Huyền Tụng", "phuong", "058"),
    ("01849", "Dương Quang", "xa", "058"),
    ("01852", "Nông Thượng", "xa", "058"),
    ("01855", "Xuất Hóa", "phuong", "058"),
];

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

/// Each member's assigned budget revenue (triệu đồng), illustrative.
const BUDGET_TARGETS: [(&str, i64); 8] = [
    ("01834", 8_500),
    ("01837", 7_200),
    ("01840", 9_800),
    ("01843", 12_500),
    ("01846", 6_400),
    ("01849", 2_100),
    ("01852", 1_900),
    ("01855", 3_600),
];

fn points(n: i64) -> Decimal {
    Decimal::new(n, 0)
}

fn node(
    code: &str,
    title: &str,
    max: i64,
    rule: Option<Rule>,
    metric: &str,
    children: Vec<Criterion>,
) -> Criterion {
    Criterion {
        code: code.into(),
        title: title.into(),
        max_points: points(max),
        bonus_cap: None,
        rule,
        metric: metric.into(),
        mandatory: false,
        evidence_required: false,
        children,
    }
}

/// The illustrative 100-point table, with the five groups of the seed covenant and a bonus
/// for a prior provincial flag.
pub fn table_groups() -> Vec<Criterion> {
    let half = Decimal::new(5, 1);
    vec![
        node(
            "I",
            "Phát triển kinh tế",
            30,
            None,
            "",
            vec![
                Criterion {
                    bonus_cap: Some(points(3)),
                    evidence_required: true,
                    ..node(
                        "I.1",
                        "Thu ngân sách đạt và vượt chỉ tiêu giao",
                        15,
                        Some(Rule::ProportionalWithBonus {
                            bonus_per_percent: half,
                        }),
                        "triệu đồng",
                        vec![],
                    )
                },
                node(
                    "I.2",
                    "Chuyển dịch cơ cấu cây trồng, nâng cao thu nhập trên một héc-ta",
                    10,
                    Some(Rule::Proportional),
                    "triệu đồng/ha",
                    vec![],
                ),
                node(
                    "I.3",
                    "Thực hiện các chương trình mục tiêu quốc gia, giữ vững tiêu chí nông thôn mới",
                    5,
                    Some(Rule::Judged),
                    "",
                    vec![],
                ),
            ],
        ),
        node(
            "II",
            "Văn hóa, giáo dục, y tế",
            25,
            None,
            "",
            vec![
                node(
                    "II.1",
                    "Xây dựng đời sống văn hóa ở cơ sở",
                    8,
                    Some(Rule::Judged),
                    "",
                    vec![],
                ),
                node(
                    "II.2",
                    "Duy trì chuẩn phổ cập giáo dục",
                    7,
                    Some(Rule::Threshold { partial: None }),
                    "%",
                    vec![],
                ),
                Criterion {
                    mandatory: true,
                    ..node(
                        "II.3",
                        "Không để xảy ra dịch bệnh lớn trên địa bàn",
                        10,
                        Some(Rule::LowerIsBetter {
                            deduction_per_unit: points(5),
                        }),
                        "vụ",
                        vec![],
                    )
                },
            ],
        ),
        node(
            "III",
            "Xây dựng Đảng",
            15,
            None,
            "",
            vec![node(
                "III.1",
                "Cán bộ, đảng viên học tập, quán triệt các chỉ thị, nghị quyết",
                15,
                Some(Rule::DeductionPerShortfall {
                    step_percent: points(1),
                    deduction: points(1),
                }),
                "%",
                vec![],
            )],
        ),
        node(
            "IV",
            "Quốc phòng, an ninh",
            15,
            None,
            "",
            vec![Criterion {
                mandatory: true,
                ..node(
                    "IV.1",
                    "Tuyển quân đạt 100% chỉ tiêu cấp trên giao",
                    15,
                    Some(Rule::Threshold { partial: None }),
                    "%",
                    vec![],
                )
            }],
        ),
        node(
            "V",
            "Cải cách hành chính",
            15,
            None,
            "",
            vec![Criterion {
                evidence_required: true,
                ..node(
                    "V.1",
                    "Xếp loại tốt trở lên trong chỉ số cải cách hành chính năm 2022",
                    15,
                    Some(Rule::Judged),
                    "",
                    vec![],
                )
            }],
        ),
        node(
            "VI",
            "Điểm thưởng",
            0,
            None,
            "",
            vec![Criterion {
                bonus_cap: Some(points(10)),
                ..node(
                    "VI.1",
                    "Đã được tặng Cờ thi đua của UBND tỉnh năm trước",
                    0,
                    Some(Rule::Event { points: points(10) }),
                    "",
                    vec![],
                )
            }],
        ),
    ]
}

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
            scale: points(100),
            rounding_step: Decimal::new(5, 1),
            owner: None,
        },
        key("table"),
    )?;
    let (_, version) = app::tables::version(store, TABLE_ID, latest)?;
    if version.state == VersionState::Draft {
        if version.groups.is_empty() {
            app::tables::edit(store, TABLE_ID, table_groups(), None, None)?;
        }
        app::tables::publish(store, TABLE_ID, latest, None)?;
    }
    let term = app::terms::get(store, CLUSTER_ID, YEAR)?;
    if term.table.is_none() {
        app::targets::apply(store, CLUSTER_ID, YEAR, TABLE_ID, latest)?;
    }
    let input =
        |unit: Option<UnitRef>, code: &str, value: String| thidua_domain::target::TargetInput {
            at: "demo".into(),
            value_field: "value".into(),
            unit,
            code: code.into(),
            value,
        };
    let mut inputs: Vec<_> = BUDGET_TARGETS
        .iter()
        .map(|(code, value)| input(Some(unit(code)), "I.1", value.to_string()))
        .collect();
    for (code, value) in [
        ("I.2", "120"),
        ("II.2", "100"),
        ("II.3", "0"),
        ("III.1", "100"),
        ("IV.1", "100"),
    ] {
        inputs.push(input(None, code, value.into()));
    }
    app::targets::set(store, CLUSTER_ID, YEAR, inputs)?;
    Ok(())
}

/// The criteria reported, in the order of [`RESULTS`]' columns.
const RESULT_CODES: [&str; 10] = [
    "I.1", "I.2", "I.3", "II.1", "II.2", "II.3", "III.1", "IV.1", "V.1", "VI.1",
];

/// Illustrative year-end results of each member: budget revenue (triệu đồng), income per
/// hectare, judged proposals, percentages, outbreaks, and whether it holds a prior flag.
const RESULTS: [(&str, [&str; 10]); 8] = [
    (
        "01834",
        [
            "9100", "125", "4.5", "7.5", "100", "0", "100", "100", "14", "0",
        ],
    ),
    (
        "01837",
        [
            "7000", "118", "4", "7", "100", "0", "99", "100", "13.5", "0",
        ],
    ),
    (
        "01840",
        [
            "10500", "130", "5", "8", "100", "0", "100", "100", "14.5", "1",
        ],
    ),
    (
        "01843",
        [
            "13800", "128", "5", "8", "100", "0", "100", "100", "15", "1",
        ],
    ),
    (
        "01846",
        ["6400", "110", "4", "6.5", "98", "1", "97", "100", "12", "0"],
    ),
    (
        "01849",
        [
            "2300", "95", "3.5", "6", "100", "0", "100", "95", "12.5", "0",
        ],
    ),
    (
        "01852",
        [
            "1700", "90", "3.5", "6.5", "100", "0", "96", "100", "11", "0",
        ],
    ),
    (
        "01855",
        [
            "3700", "121", "4.5", "7", "100", "0", "100", "100", "13", "0",
        ],
    ),
];

/// Opens reporting and reports the illustrative results, once.
fn report_results(store: &Store) -> Result<(), Error> {
    let term = app::terms::get(store, CLUSTER_ID, YEAR)?;
    if term.table.is_none() || term.covenant_status != CovenantStatus::Signed {
        return Ok(());
    }
    if term.stage == Stage::Setup {
        app::scoring::advance(store, CLUSTER_ID, YEAR, Stage::Reporting)?;
    }
    if !app::scoring::list_results(store, CLUSTER_ID, YEAR, None)?.is_empty() {
        return Ok(());
    }
    for (code, values) in RESULTS {
        for (criterion, value) in RESULT_CODES.iter().zip(values) {
            let evidence = match *criterion {
                "I.1" => "Báo cáo quyết toán thu ngân sách năm 2022 (minh họa)",
                "V.1" => "Quyết định công bố chỉ số cải cách hành chính năm 2022 (minh họa)",
                _ => "",
            };
            app::scoring::submit_result(
                store,
                CLUSTER_ID,
                YEAR,
                thidua_domain::reporting::NewResult {
                    unit: unit(code),
                    code: (*criterion).into(),
                    value: value.into(),
                    evidence_ref: evidence.into(),
                    evidence_note: String::new(),
                    explanation: String::new(),
                },
            )?;
        }
    }
    Ok(())
}

/// Loads the seed case into `store`; a second call finds everything in place.
pub fn load(store: &Store) -> Result<(), Error> {
    let rows: Vec<ImportRow> = UNITS
        .iter()
        .zip(2..)
        .map(|((code, name, kind, parent), line)| ImportRow {
            line,
            code: (*code).into(),
            name: (*name).into(),
            kind: (*kind).into(),
            parent_code: (*parent).into(),
        })
        .collect();
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
    let members: Vec<UnitRef> = UNITS
        .iter()
        .filter(|u| u.0.len() == 5)
        .map(|u| unit(u.0))
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
            CLUSTER_ID,
            YEAR,
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
    let covenant = app::covenants::get(store, CLUSTER_ID, YEAR)?;
    if covenant.status == CovenantStatus::Draft {
        load_table_and_targets(store)?;
        app::covenants::update(
            store,
            CLUSTER_ID,
            YEAR,
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
    let names =
        std::collections::HashMap::<&str, &str>::from_iter(UNITS.iter().map(|u| (u.0, u.1)));
    let covenant = app::covenants::get(store, CLUSTER_ID, YEAR)?;
    for member in &members {
        if covenant.signatures.iter().any(|s| &s.unit == member) {
            continue;
        }
        let name = names.get(member.code.as_str()).copied().unwrap_or_default();
        let kind = if matches!(member.code.as_str(), "01849" | "01852") {
            "xã"
        } else {
            "phường"
        };
        app::covenants::sign(
            store,
            CLUSTER_ID,
            YEAR,
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
            CLUSTER_ID,
            YEAR,
            Witness {
                person_name: "Đại diện Thường trực HĐND thành phố".into(),
                title: "Phó Chủ tịch HĐND thành phố Bắc Kạn".into(),
                unit: Some(unit("058")),
            },
        )?;
    }
    report_results(store)?;
    run_to_proposals(store)?;
    Ok(())
}

/// Scores, adopts, votes on and submits the proposals, once: the provincial flag to the
/// leading unit and certificates of merit to the next two (all illustrative).
fn run_to_proposals(store: &Store) -> Result<(), Error> {
    let term = app::terms::get(store, CLUSTER_ID, YEAR)?;
    if term.stage != Stage::Reporting {
        return Ok(());
    }
    for stage in [Stage::SelfScoring, Stage::Review, Stage::Adopted] {
        app::scoring::advance(store, CLUSTER_ID, YEAR, stage)?;
    }
    let board = app::scoring::scoreboard(
        store,
        CLUSTER_ID,
        YEAR,
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
        let name = UNITS
            .iter()
            .find(|u| u.0 == unit.code)
            .map(|u| u.1)
            .unwrap_or_default();
        let dossier = Dossier {
            submission_letter: format!("Tờ trình đề nghị khen thưởng {name} năm 2022 (minh họa)"),
            minutes: "Biên bản hội nghị tổng kết cụm thi đua năm 2022 (minh họa)".into(),
            achievement_report: format!("Báo cáo thành tích của {name} năm 2022 (minh họa)"),
        };
        awards.push(app::awards::propose(
            store, CLUSTER_ID, YEAR, unit, kind, dossier, "",
        )?);
    }
    app::scoring::advance(store, CLUSTER_ID, YEAR, Stage::Ballot)?;
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
    app::scoring::advance(store, CLUSTER_ID, YEAR, Stage::Proposed)?;
    Ok(())
}
