use rust_decimal::Decimal;

use super::*;
use crate::{criteria::Criterion, unit::Scheme};

fn d(s: &str) -> Decimal {
    crate::decimal::parse("test", s).unwrap_or_else(|e| panic!("{e}"))
}

fn leaf(code: &str, max: &str, rule: Rule) -> Criterion {
    Criterion {
        code: code.into(),
        title: format!("Tiêu chí {code}"),
        max_points: d(max),
        rule: Some(rule),
        metric: "%".into(),
        ..Default::default()
    }
}

fn group(code: &str, max: &str, children: Vec<Criterion>) -> Criterion {
    Criterion {
        code: code.into(),
        title: format!("Nhóm {code}"),
        max_points: d(max),
        children,
        ..Default::default()
    }
}

fn unit(code: &str) -> UnitRef {
    UnitRef::new(Scheme::Qd124_2004, code)
}

fn score(node: &Criterion, target: &str, entry: Entry) -> String {
    crate::decimal::format(score_leaf(node, Some(d(target)), Some(entry), d("0.01")).points)
}

#[test]
fn threshold() {
    let n = leaf(
        "I.1",
        "10",
        Rule::Threshold {
            partial: Some(d("5")),
        },
    );
    assert_eq!(score(&n, "100", Entry::Actual(d("100"))), "10");
    assert_eq!(score(&n, "100", Entry::Actual(d("99.99"))), "5");
    let strict = leaf("I.1", "10", Rule::Threshold { partial: None });
    assert_eq!(score(&strict, "100", Entry::Actual(d("99"))), "0");
}

#[test]
fn proportional() {
    let n = leaf("I.1", "20", Rule::Proportional);
    assert_eq!(score(&n, "1000", Entry::Actual(d("800"))), "16");
    assert_eq!(score(&n, "1000", Entry::Actual(d("1500"))), "20");
    assert_eq!(score(&n, "1000", Entry::Actual(d("0"))), "0");
    assert_eq!(
        score(&n, "0", Entry::Actual(d("0"))),
        "20",
        "a zero target is reached by zero"
    );
}

#[test]
fn proportional_with_bonus_is_capped() {
    let n = Criterion {
        bonus_cap: Some(d("5")),
        ..leaf(
            "I.1",
            "20",
            Rule::ProportionalWithBonus {
                bonus_per_percent: d("0.5"),
            },
        )
    };
    assert_eq!(score(&n, "1000", Entry::Actual(d("1040"))), "22");
    assert_eq!(score(&n, "1000", Entry::Actual(d("1100"))), "25");
    assert_eq!(score(&n, "1000", Entry::Actual(d("1300"))), "25");
    assert_eq!(score(&n, "1000", Entry::Actual(d("900"))), "18");
    let s = score_leaf(
        &n,
        Some(d("1000")),
        Some(Entry::Actual(d("1040"))),
        d("0.01"),
    );
    assert_eq!(s.bonus, d("2"));
    let why = explain_leaf(
        n.rule.as_ref(),
        n.max_points,
        n.bonus_cap,
        Some(d("1000")),
        Some(Entry::Actual(d("1040"))),
        d("0.01"),
    );
    assert!(
        matches!(why.why, crate::scoring::Why::ShareWithBonus { .. }),
        "{why:?}"
    );
}

#[test]
fn deduction_per_shortfall_counts_started_steps_and_floors() {
    let n = leaf(
        "I.3",
        "10",
        Rule::DeductionPerShortfall {
            step_percent: d("1"),
            deduction: d("1"),
        },
    );
    assert_eq!(score(&n, "100", Entry::Actual(d("100"))), "10");
    assert_eq!(score(&n, "100", Entry::Actual(d("96"))), "6");
    assert_eq!(score(&n, "100", Entry::Actual(d("95.5"))), "5");
    assert_eq!(score(&n, "100", Entry::Actual(d("50"))), "0");
}

#[test]
fn lower_is_better() {
    let n = leaf(
        "II.3",
        "20",
        Rule::LowerIsBetter {
            deduction_per_unit: d("5"),
        },
    );
    assert_eq!(score(&n, "0", Entry::Actual(d("0"))), "20");
    assert_eq!(score(&n, "0", Entry::Actual(d("2"))), "10");
    assert_eq!(score(&n, "0", Entry::Actual(d("7"))), "0");
    assert_eq!(score(&n, "3", Entry::Actual(d("2"))), "20");
}

#[test]
fn judged_and_events() {
    let judged = leaf("V.1", "15", Rule::Judged);
    assert_eq!(score(&judged, "0", Entry::Points(d("12.5"))), "12.5");
    assert_eq!(
        score(&judged, "0", Entry::Points(d("20"))),
        "15",
        "clamped to the maximum"
    );
    let flag = Criterion {
        bonus_cap: Some(d("10")),
        ..leaf(
            "VI.1",
            "0",
            Rule::Event {
                points: d("10"),
                register: None,
            },
        )
    };
    assert_eq!(score(&flag, "0", Entry::Event(true)), "10");
    assert_eq!(score(&flag, "0", Entry::Event(false)), "0");
    let violation = leaf(
        "VI.2",
        "0",
        Rule::Event {
            points: d("-5"),
            register: None,
        },
    );
    assert_eq!(score(&violation, "0", Entry::Event(true)), "-5");
}

#[test]
fn missing_inputs_score_zero_and_say_why() {
    let n = leaf("I.1", "20", Rule::Proportional);
    let why = |target: Option<Decimal>, entry: Option<Entry>| {
        explain_leaf(
            n.rule.as_ref(),
            n.max_points,
            n.bonus_cap,
            target,
            entry,
            d("0.5"),
        )
    };
    let s = score_leaf(&n, Some(d("1000")), None, d("0.5"));
    assert_eq!(s.points, Decimal::ZERO);
    assert_eq!(
        why(Some(d("1000")), None).why,
        crate::scoring::Why::NoResult
    );
    let s = score_leaf(&n, None, Some(Entry::Actual(d("5"))), d("0.5"));
    assert_eq!(s.points, Decimal::ZERO);
    assert_eq!(
        why(None, Some(Entry::Actual(d("5")))).why,
        crate::scoring::Why::NoTarget
    );
}

#[test]
fn rounding_happens_once_per_leaf_half_away_from_zero() {
    let n = leaf("I.1", "20", Rule::Proportional);
    // 20 × 0.9625 = 19.25 → 38.5 steps of 0.5 → 39 steps → 19.5.
    let s = score_leaf(
        &n,
        Some(d("1000")),
        Some(Entry::Actual(d("962.5"))),
        d("0.5"),
    );
    assert_eq!(s.points, d("19.5"));
    let why = explain_leaf(
        n.rule.as_ref(),
        n.max_points,
        n.bonus_cap,
        Some(d("1000")),
        Some(Entry::Actual(d("962.5"))),
        d("0.5"),
    );
    assert_eq!(why.rounded.map(|(_, p)| p), Some(d("19.5")), "{why:?}");
    assert_eq!(round_to_step(d("-2.25"), d("0.5")), d("-2.5"));
}

/// Ho Chi Minh City's rule: a unit at 97 with a prior city flag (+10) totals 107.
#[test]
fn bonuses_may_exceed_the_scale() {
    let table = vec![
        group("I", "100", vec![leaf("I.1", "100", Rule::Judged)]),
        group(
            "II",
            "0",
            vec![Criterion {
                bonus_cap: Some(d("10")),
                ..leaf(
                    "II.1",
                    "0",
                    Rule::Event {
                        points: d("10"),
                        register: None,
                    },
                )
            }],
        ),
    ];
    let u = unit("01843");
    let entries = Entries::from_iter([
        ((u.clone(), "I.1".to_owned()), Entry::Points(d("97"))),
        ((u.clone(), "II.1".to_owned()), Entry::Event(true)),
    ]);
    let board = score_members(
        &table,
        d("100"),
        d("0.5"),
        &[u],
        &Targets::default(),
        &entries,
        &ClassLevel::defaults(),
    );
    assert_eq!(board[0].total, d("107"));
    assert_eq!(board[0].node("I").map(|n| n.points), Some(d("97")));
    assert_eq!(board[0].node("II").map(|n| n.points), Some(d("10")));
}

fn judged_table() -> Vec<Criterion> {
    vec![
        group(
            "I",
            "50",
            vec![
                leaf("I.1", "25", Rule::Judged),
                leaf("I.2", "25", Rule::Judged),
            ],
        ),
        group(
            "II",
            "50",
            vec![
                leaf("II.1", "25", Rule::Judged),
                leaf("II.2", "25", Rule::Judged),
            ],
        ),
        group(
            "III",
            "0",
            vec![leaf(
                "III.1",
                "0",
                Rule::Event {
                    points: d("-5"),
                    register: None,
                },
            )],
        ),
    ]
}

fn board(members: &[(&str, [&str; 4], bool)]) -> Vec<MemberScore> {
    let mut entries = Entries::default();
    let units: Vec<UnitRef> = members.iter().map(|(c, _, _)| unit(c)).collect();
    for (code, points, penalty) in members {
        for (crit, p) in ["I.1", "I.2", "II.1", "II.2"].iter().zip(points) {
            entries.insert(unit(code), (*crit).to_owned(), Entry::Points(d(p)));
        }
        entries.insert(unit(code), "III.1".to_owned(), Entry::Event(*penalty));
    }
    score_members(
        &judged_table(),
        d("100"),
        d("0.5"),
        &units,
        &Targets::default(),
        &entries,
        &ClassLevel::defaults(),
    )
}

#[test]
fn classification_gates() {
    let table = vec![group(
        "I",
        "100",
        vec![
            leaf("I.1", "50", Rule::Judged),
            leaf("I.2", "25", Rule::Judged),
            leaf("I.3", "25", Rule::Judged),
        ],
    )];
    let run = |p: [&str; 3]| {
        let u = unit("01840");
        let entries: Entries = ["I.1", "I.2", "I.3"]
            .iter()
            .zip(p)
            .map(|(c, v)| ((u.clone(), (*c).to_owned()), Entry::Points(d(v))))
            .collect();
        score_members(
            &table,
            d("100"),
            d("0.5"),
            &[u],
            &Targets::default(),
            &entries,
            &ClassLevel::defaults(),
        )
        .remove(0)
    };
    let m = run(["50", "23", "20"]);
    assert_eq!(m.total, d("93"));
    assert_eq!(
        m.classification.level.as_deref(),
        Some("Hoàn thành tốt nhiệm vụ"),
        "93 with one criterion at 80% is not excellent"
    );
    assert_eq!(
        m.classification
            .note
            .in_language(crate::words::Language::Vi),
        "chưa đạt mức Hoàn thành xuất sắc nhiệm vụ: I.3 dưới 85% điểm tối đa"
    );
    assert_eq!(
        run(["50", "23", "22"]).classification.level.as_deref(),
        Some("Hoàn thành xuất sắc nhiệm vụ")
    );
    assert_eq!(
        run(["40", "20", "18"]).classification.level.as_deref(),
        Some("Hoàn thành nhiệm vụ")
    );
    assert_eq!(
        run(["40", "20", "15"]).classification.level,
        None,
        "75 with one criterion at 60% is not completed"
    );
    assert_eq!(run(["30", "20", "15"]).classification.level, None);
}

#[test]
fn ties_are_broken_by_a_group_subtotal() {
    let b = board(&[
        ("01834", ["20", "20", "25", "25"], false),
        ("01837", ["25", "20", "20", "25"], false),
    ]);
    let placed = rank(&b, &[TieBreak::Subtotal("I".into())]);
    assert_eq!(placed[0].unit, unit("01837"));
    assert_eq!((placed[0].rank, placed[1].rank), (1, 2));
    assert!(
        placed[1].tie_note.contains("subtotal of I (45 vs 40)"),
        "{}",
        placed[1].tie_note
    );
}

#[test]
fn ties_are_broken_by_full_points_then_penalties() {
    let b = board(&[
        ("01840", ["25", "20", "22.5", "22.5"], false),
        ("01843", ["25", "20", "25", "20"], false),
        ("01846", ["25", "20", "25", "25"], true),
    ]);
    assert!(b.iter().all(|m| m.total == d("90")));
    let placed = rank(&b, &[TieBreak::FullPointsCount, TieBreak::FewerPenalties]);
    let order: Vec<_> = placed.iter().map(|p| p.unit.code.as_str()).collect();
    assert_eq!(order, ["01846", "01843", "01840"]);
    assert!(
        placed[1]
            .tie_note
            .contains("criteria at full points (3 vs 2)"),
        "{}",
        placed[1].tie_note
    );
    let placed = rank(&b, &[TieBreak::FewerPenalties, TieBreak::FullPointsCount]);
    let order: Vec<_> = placed.iter().map(|p| p.unit.code.as_str()).collect();
    assert_eq!(order, ["01843", "01840", "01846"]);
    assert!(
        placed[2].tie_note.contains("fewer penalties (0 vs 1)"),
        "{}",
        placed[2].tie_note
    );
}

#[test]
fn a_tie_no_rule_breaks_is_reported_until_a_decision() {
    let b = board(&[
        ("01849", ["25", "20", "25", "20"], false),
        ("01852", ["25", "20", "25", "20"], false),
        ("01855", ["20", "20", "20", "20"], false),
    ]);
    let placed = rank(
        &b,
        &[TieBreak::Subtotal("I".into()), TieBreak::FullPointsCount],
    );
    assert_eq!((placed[0].rank, placed[1].rank, placed[2].rank), (1, 1, 3));
    assert!(placed[0].unresolved_tie && placed[1].unresolved_tie && !placed[2].unresolved_tie);
    assert!(
        placed[0].tie_note.contains("decision"),
        "{}",
        placed[0].tie_note
    );
    let decided = TieBreak::Decision {
        order: vec![unit("01852"), unit("01849")],
        record: "biên bản họp cụm ngày 15/12/2022".into(),
    };
    let placed = rank(&b, &[TieBreak::Subtotal("I".into()), decided]);
    assert_eq!(placed[0].unit, unit("01852"));
    assert_eq!((placed[0].rank, placed[1].rank), (1, 2));
    assert!(!placed[0].unresolved_tie && !placed[1].unresolved_tie);
    assert!(
        placed[1].tie_note.contains("biên bản họp cụm"),
        "{}",
        placed[1].tie_note
    );
}

#[test]
fn the_same_inputs_give_the_same_board() {
    let members = [
        ("01834", ["20", "20", "25", "25"], false),
        ("01837", ["25", "20", "20", "25"], true),
    ];
    assert_eq!(board(&members), board(&members));
    let b = board(&members);
    assert_eq!(rank(&b, &[]), rank(&b, &[]));
}

/// A small deterministic generator, so the property tests need no extra crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }

    fn decimal(&mut self) -> Decimal {
        Decimal::new(i64::try_from(self.next(2_000_000)).unwrap_or(0), 2)
    }
}

#[test]
fn points_stay_within_bounds_and_more_never_scores_less() {
    let cap = d("5");
    let rules = [
        Rule::Threshold {
            partial: Some(d("2.5")),
        },
        Rule::Proportional,
        Rule::ProportionalWithBonus {
            bonus_per_percent: d("0.25"),
        },
        Rule::DeductionPerShortfall {
            step_percent: d("2"),
            deduction: d("1.5"),
        },
    ];
    let mut rng = Lcg(20_220_428);
    for rule in rules {
        let node = Criterion {
            bonus_cap: Some(cap),
            ..leaf("I.1", "20", rule.clone())
        };
        for _ in 0..2_000 {
            let target = rng.decimal();
            let a = rng.decimal();
            let b = rng.decimal();
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let p_low = score_leaf(&node, Some(target), Some(Entry::Actual(low)), d("0.5")).points;
            let p_high =
                score_leaf(&node, Some(target), Some(Entry::Actual(high)), d("0.5")).points;
            assert!(
                p_low >= Decimal::ZERO && p_high <= node.max_points + cap,
                "{rule:?}: {p_low} {p_high}"
            );
            assert!(
                p_low <= p_high,
                "{rule:?} target {target}: {low} → {p_low}, {high} → {p_high}"
            );
        }
    }
    let lower = leaf(
        "II.1",
        "20",
        Rule::LowerIsBetter {
            deduction_per_unit: d("0.5"),
        },
    );
    for _ in 0..2_000 {
        let target = rng.decimal();
        let (a, b) = (rng.decimal(), rng.decimal());
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let p_low = score_leaf(&lower, Some(target), Some(Entry::Actual(low)), d("0.5")).points;
        let p_high = score_leaf(&lower, Some(target), Some(Entry::Actual(high)), d("0.5")).points;
        assert!(p_high <= p_low && p_high >= Decimal::ZERO && p_low <= d("20"));
    }
}

/// A layer's score is set after the result it overrides: the engine counts the pair set last,
/// whichever kind each is, and leaves the member's other leaves alone.
#[test]
fn the_entry_set_last_counts() {
    let table = vec![group(
        "I",
        "40",
        vec![
            leaf("I.1", "20", Rule::Proportional),
            leaf("I.2", "20", Rule::Proportional),
        ],
    )];
    let u = unit("01843");
    let mut targets = Targets::default();
    targets.defaults.insert("I.1".into(), d("1000"));
    targets.defaults.insert("I.2".into(), d("1000"));
    let mut entries = Entries::default();
    entries.insert(u.clone(), "I.1", Entry::Actual(d("800")));
    entries.insert(u.clone(), "I.2", Entry::Actual(d("500")));
    entries.insert(u.clone(), "I.1", Entry::Points(d("12.5")));
    assert_eq!(entries.get(&u, "I.1"), Some(Entry::Points(d("12.5"))));
    let scores = score_members(
        &table,
        d("40"),
        d("0.5"),
        std::slice::from_ref(&u),
        &targets,
        &entries,
        &ClassLevel::defaults(),
    );
    let points = |code: &str| {
        scores[0]
            .node(code)
            .map(|s| crate::decimal::format(s.points))
    };
    assert_eq!(
        points("I.1").as_deref(),
        Some("12.5"),
        "the later pair counts"
    );
    assert_eq!(
        points("I.2").as_deref(),
        Some("10"),
        "the other leaf keeps its result"
    );
    assert_eq!(scores[0].total, d("22.5"));
}

#[test]
fn a_tie_decision_names_two_members_once_each_with_who_and_why() {
    use crate::{fixtures::term, stage::Stage};
    let mut t = term(&["01843", "01840", "01852"]);
    t.stage = Stage::Review;
    let order = [unit("01840"), unit("01843")];
    let meeting = "Hội nghị tổng kết cụm";
    let why = "Phường Đức Xuân hoàn thành chỉ tiêu thu ngân sách sớm hơn";
    assert!(check_tie_decision(&t, &order, meeting, why).is_ok());
    let Err(crate::Error::Invalid(v)) =
        check_tie_decision(&t, &[unit("01840"), unit("01840"), unit("01855")], " ", "")
    else {
        panic!("a bad decision must be refused");
    };
    let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["units[1]", "units[2]", "decided_by", "reason"]);
    t.stage = Stage::Adopted;
    assert!(check_tie_decision(&t, &order, meeting, why).is_err());
}
