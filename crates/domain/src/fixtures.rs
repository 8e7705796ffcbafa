//! Test data shared by the domain's tests: the seed case's wards and communes of Bắc Kạn city
//! (2022) and a term of them.

use crate::{
    covenant::CovenantStatus,
    criteria::{Criterion, Rule, TableVersion, VersionState},
    stage::Stage,
    term::{Member, Period, Term},
    time::Timestamp,
    unit::{Scheme, UnitRef},
};

/// The seed case's members by 2004-scheme code.
const BAC_KAN_CITY: [(&str, &str); 8] = [
    ("01834", "Nguyễn Thị Minh Khai"),
    ("01837", "Sông Cầu"),
    ("01840", "Đức Xuân"),
    ("01843", "Phùng Chí Kiên"),
    ("01846", "Huyền Tụng"),
    ("01849", "Dương Quang"),
    ("01852", "Nông Thượng"),
    ("01855", "Xuất Hóa"),
];

/// A unit of the 2004 scheme.
pub fn unit(code: &str) -> UnitRef {
    UnitRef::new(Scheme::Qd124_2004, code)
}

/// The 2022 term of `bac-kan-city` with these members (2004-scheme codes), in setup, its
/// covenant unsigned.
pub fn term(codes: &[&str]) -> Term {
    Term {
        cluster_id: "bac-kan-city".into(),
        year: 2022,
        organiser: unit("058"),
        period: Period::of_year(2022, None, None).unwrap_or_else(|e| panic!("{e}")),
        members: codes
            .iter()
            .zip(1..)
            .map(|(c, position)| Member {
                unit: unit(c),
                name: BAC_KAN_CITY
                    .iter()
                    .find(|(code, _)| code == c)
                    .map_or_else(String::new, |(_, name)| (*name).to_owned()),
                position,
            })
            .collect(),
        leadership_history: vec![],
        covenant_status: CovenantStatus::Draft,
        table: None,
        stage: Stage::Setup,
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
        version: 1,
    }
}

/// A stored unit (a ward) valid in [`from`, `to`), with its key.
pub fn stored_unit(
    id: UnitRef,
    name: &str,
    from: Option<crate::time::Date>,
    to: Option<crate::time::Date>,
) -> (UnitRef, crate::unit::Unit) {
    (
        id.clone(),
        crate::unit::Unit {
            id,
            name: name.into(),
            kind: crate::unit::UnitKind::Ward,
            parent: None,
            validity: crate::time::Validity { from, to },
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            version: 1,
        },
    )
}

/// An exact decimal.
pub fn d(s: &str) -> rust_decimal::Decimal {
    crate::decimal::parse("test", s).unwrap_or_else(|e| panic!("{e}"))
}

/// Version 1, published, of a two-group table: I.1 budget revenue (proportional, evidence
/// required), I.2 crop conversion (proportional); II.1 no major outbreak (lower is better,
/// mandatory).
pub fn table() -> TableVersion {
    let leaf = |code: &str, title: &str, max: &str, rule: Rule| Criterion {
        code: code.into(),
        title: title.into(),
        max_points: d(max),
        rule: Some(rule),
        metric: "triệu đồng".into(),
        ..Default::default()
    };
    let group = |code: &str, title: &str, max: &str, children: Vec<Criterion>| Criterion {
        code: code.into(),
        title: title.into(),
        max_points: d(max),
        children,
        ..Default::default()
    };
    let groups = vec![
        group(
            "I",
            "Phát triển kinh tế",
            "25",
            vec![
                Criterion {
                    evidence_required: true,
                    ..leaf("I.1", "Thu ngân sách", "15", Rule::Proportional)
                },
                leaf(
                    "I.2",
                    "Chuyển dịch cơ cấu cây trồng",
                    "10",
                    Rule::Proportional,
                ),
            ],
        ),
        group(
            "II",
            "Văn hóa – xã hội",
            "10",
            vec![Criterion {
                mandatory: true,
                ..leaf(
                    "II.1",
                    "Không để xảy ra dịch bệnh lớn",
                    "10",
                    Rule::LowerIsBetter {
                        deduction_per_unit: d("5"),
                    },
                )
            }],
        ),
    ];
    TableVersion {
        table_id: "bac-kan-2022".into(),
        number: 1,
        state: VersionState::Published,
        groups: groups.into(),
        published_at: Some(Timestamp(0)),
        updated_at: Timestamp(0),
        etag: 1,
    }
}
