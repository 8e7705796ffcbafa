use rust_decimal::Decimal;

use super::*;

fn d(s: &str) -> Decimal {
    crate::decimal::parse("test", s).unwrap_or_else(|e| panic!("{e}"))
}

fn leaf(code: &str, title: &str, max: &str, rule: Rule, metric: &str) -> Criterion {
    Criterion {
        code: code.into(),
        title: title.into(),
        max_points: d(max),
        rule: Some(rule),
        metric: metric.into(),
        ..Default::default()
    }
}

fn group(code: &str, title: &str, max: &str, children: Vec<Criterion>) -> Criterion {
    Criterion {
        code: code.into(),
        title: title.into(),
        max_points: d(max),
        children,
        ..Default::default()
    }
}

/// A small table in the shape of the Bắc Kạn covenant.
fn bac_kan() -> Vec<Criterion> {
    vec![
        group(
            "I",
            "Phát triển kinh tế",
            "60",
            vec![
                Criterion {
                    bonus_cap: Some(d("5")),
                    ..leaf(
                        "I.1",
                        "Thu ngân sách đạt và vượt chỉ tiêu giao",
                        "30",
                        Rule::ProportionalWithBonus {
                            bonus_per_percent: d("0.5"),
                        },
                        "triệu đồng",
                    )
                },
                group(
                    "I.2",
                    "Chuyển dịch cơ cấu cây trồng",
                    "30",
                    vec![
                        leaf(
                            "I.2.a",
                            "Thu nhập trên một héc-ta",
                            "20",
                            Rule::Proportional,
                            "triệu đồng/ha",
                        ),
                        leaf(
                            "I.2.b",
                            "Giữ vững tiêu chí nông thôn mới",
                            "10",
                            Rule::Judged,
                            "",
                        ),
                    ],
                ),
            ],
        ),
        group(
            "II",
            "Quốc phòng, an ninh",
            "40",
            vec![
                leaf(
                    "II.1",
                    "Tuyển quân đạt 100% chỉ tiêu",
                    "20",
                    Rule::Threshold { partial: None },
                    "%",
                ),
                leaf(
                    "II.2",
                    "Không để xảy ra dịch bệnh lớn",
                    "20",
                    Rule::LowerIsBetter {
                        deduction_per_unit: d("5"),
                    },
                    "vụ",
                ),
            ],
        ),
    ]
}

fn violations(groups: &[Criterion]) -> Vec<String> {
    match check_tree(d("100"), d("0.5"), groups, &Locator::Tree) {
        Ok(()) => vec![],
        Err(Error::Invalid(v)) => v.into_iter().map(|v| v.field).collect(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_good_table_passes() {
    assert_eq!(violations(&bac_kan()), Vec::<String>::new());
    assert_eq!(quantitative_leaves(&bac_kan()).len(), 4);
}

#[test]
fn children_may_not_exceed_their_parent() {
    let mut t = bac_kan();
    t[0].children[1].children[0].max_points = d("25");
    assert_eq!(violations(&t), ["groups[0].criteria[1].max_points"]);
    let mut t = bac_kan();
    t[0].children[0].max_points = d("35");
    assert!(violations(&t).contains(&"groups[0].max_points".to_owned()));
}

#[test]
fn groups_sum_to_the_scale() {
    let mut t = bac_kan();
    t[1].max_points = d("30");
    t[1].children[1].max_points = d("10");
    assert_eq!(violations(&t), ["groups"]);
}

#[test]
fn leaves_need_rules_and_inner_nodes_none() {
    let mut t = bac_kan();
    t[1].children[0].rule = None;
    assert_eq!(violations(&t), ["groups[1].criteria[0].rule"]);
    let mut t = bac_kan();
    t[0].children[1].rule = Some(Rule::Judged);
    assert_eq!(violations(&t), ["groups[0].criteria[1].rule"]);
}

#[test]
fn rule_parameters_must_make_sense() {
    let mut t = bac_kan();
    t[0].children[0].bonus_cap = None;
    assert_eq!(violations(&t), ["groups[0].criteria[0].bonus_cap"]);
    let mut t = bac_kan();
    t[1].children[0].metric = String::new();
    assert_eq!(violations(&t), ["groups[1].criteria[0].metric"]);
    let mut t = bac_kan();
    t[1].children[1].rule = Some(Rule::LowerIsBetter {
        deduction_per_unit: d("0"),
    });
    assert_eq!(violations(&t), ["groups[1].criteria[1].rule"]);
    let mut t = bac_kan();
    t[1].children[0].rule = Some(Rule::DeductionPerShortfall {
        step_percent: d("-1"),
        deduction: d("1"),
    });
    assert_eq!(violations(&t), ["groups[1].criteria[0].rule"]);
}

#[test]
fn codes_are_unique_and_nested() {
    let mut t = bac_kan();
    t[1].children[1].code = "II.1".into();
    assert_eq!(violations(&t), ["groups[1].criteria[1].code"]);
    let mut t = bac_kan();
    t[1].children[1].code = "I.9".into();
    assert_eq!(violations(&t), ["groups[1]"]);
}

#[test]
fn points_are_multiples_of_the_step() {
    let mut t = bac_kan();
    t[0].children[1].children[0].max_points = d("19.75");
    t[0].children[1].children[1].max_points = d("10.25");
    assert_eq!(
        violations(&t),
        [
            "groups[0].criteria[1].sub_criteria[0].max_points",
            "groups[0].criteria[1].sub_criteria[1].max_points"
        ]
    );
}

#[test]
fn events_sit_outside_the_scale() {
    let mut t = bac_kan();
    t.push(group(
        "III",
        "Điểm thưởng",
        "0",
        vec![leaf(
            "III.1",
            "Đã nhận Cờ thi đua của tỉnh năm trước",
            "0",
            Rule::Event {
                points: d("10"),
                register: None,
            },
            "",
        )],
    ));
    assert_eq!(violations(&t), Vec::<String>::new());
    t[2].children[0].max_points = d("10");
    assert!(violations(&t).contains(&"groups[2].criteria[0].max_points".to_owned()));
}

#[test]
fn every_violation_is_reported_at_once() {
    let mut t = bac_kan();
    t[0].title = " ".into();
    t[1].children[0].metric = String::new();
    t[1].children[1].code = "II.1".into();
    assert_eq!(violations(&t).len(), 3);
}

#[test]
fn rows_round_trip_and_name_rows() {
    let rows = tree_to_rows(&bac_kan());
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[1].cells[4], "proportional_with_bonus");
    assert_eq!(rows[1].cells[5], "bonus_per_percent=0.5");
    let (tree, index) = rows_to_tree(&rows).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tree, bac_kan());
    assert_eq!(index.get("I.2.b"), Some(&4));
    let mut t = bac_kan();
    t[0].children[1].children[0].max_points = d("25");
    let rows = tree_to_rows(&t);
    let (tree, index) = rows_to_tree(&rows).unwrap_or_else(|e| panic!("{e}"));
    let Err(Error::Invalid(v)) = check_tree(d("100"), d("0.5"), &tree, &Locator::Rows(&index))
    else {
        panic!("must fail");
    };
    assert_eq!(v[0].field, "rows[2].max_points");
}

#[test]
fn bad_rows_are_all_reported() {
    let mut rows = tree_to_rows(&bac_kan());
    rows[1].cells[2] = "ba mươi".into();
    rows[3].cells[4] = "tỷ lệ".into();
    rows[5].cells[0] = "III.1".into();
    rows[6].cells[7] = "có lẽ".into();
    let Err(Error::Invalid(v)) = rows_to_tree(&rows) else {
        panic!("must fail");
    };
    let fields: Vec<_> = v.iter().map(|v| v.field.as_str()).collect();
    // Renaming group II orphans its two criteria, and both rows say so.
    assert_eq!(
        fields,
        [
            "rows[1].max_points",
            "rows[3].rule",
            "rows[5].code",
            "rows[6].mandatory",
            "rows[6].code",
            "rows[7].code"
        ]
    );
}

#[test]
fn an_edit_replaces_a_draft_and_follows_a_published_version() {
    let mut v = crate::fixtures::table();
    assert_eq!(v.state, VersionState::Published);
    assert_eq!(
        v.edit_lands(Some(9)),
        EditLands::NewVersion {
            number: v.number + 1
        }
    );
    v.state = VersionState::Draft;
    assert_eq!(
        v.edit_lands(None),
        EditLands::Draft {
            number: v.number,
            expected: v.etag
        }
    );
    assert_eq!(
        v.edit_lands(Some(9)),
        EditLands::Draft {
            number: v.number,
            expected: 9
        }
    );
}
