//! The language a caller reads error messages in: Vietnamese unless the request's
//! `grpc-accept-language` (or `accept-language`) prefers English. The front door
//! (`auth.rs`) sets it for the call's task; [`crate::status::to_status`] then words the
//! domain's refusals in it and adds a `google.rpc.LocalizedMessage` saying what the error's
//! reason means, from the server's own Fluent catalogue per language (`i18n/vi.ftl`,
//! `i18n/en.ftl`). `ErrorInfo.reason` and the field violations' paths stay as they are, for
//! programs. The same catalogues say why a criterion has its points ([`explanation`]).

use std::sync::LazyLock;

use rust_decimal::Decimal;
use thidua_domain::{
    Words,
    error::Reason,
    scoring::{Entry, Explanation, Why},
    words::Catalogues,
};

const VI: &str = include_str!("../i18n/vi.ftl");
const EN: &str = include_str!("../i18n/en.ftl");

pub use thidua_domain::Language;

/// The language a request asks for: the first tag of `grpc-accept-language`, else of
/// `accept-language`, that names English or Vietnamese (`en-US;q=0.8` counts as `en`);
/// Vietnamese when none does.
pub fn language_of(headers: &http::HeaderMap) -> Language {
    ["grpc-accept-language", "accept-language"]
        .iter()
        .filter_map(|h| headers.get(*h)?.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| {
            tag.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .find_map(|tag| match tag.split('-').next() {
            Some("vi") => Some(Language::Vi),
            Some("en") => Some(Language::En),
            _ => None,
        })
        .unwrap_or(Language::Vi)
}

tokio::task_local! {
    static LANGUAGE: Language;
}

/// Runs a call's future in `language`.
pub async fn speaking<F: Future>(language: Language, call: F) -> F::Output {
    LANGUAGE.scope(language, call).await
}

/// Runs `f` in `language`, for work done before a call's future exists (an early refusal).
pub fn speaking_now<T>(language: Language, f: impl FnOnce() -> T) -> T {
    LANGUAGE.sync_scope(language, f)
}

/// The language of the call running on this task (Vietnamese outside one).
pub fn current() -> Language {
    LANGUAGE.try_with(|l| *l).unwrap_or(Language::Vi)
}

/// The server's own words; the tests below see that every id used is there.
static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(|| Catalogues::new(VI, EN));

/// The server's message `id` with `args`, in `language`.
pub fn text(language: Language, id: &str, args: &[(&'static str, String)]) -> String {
    CATALOGUES.format(language, id, args)
}

/// `words` in the language of the call running on this task.
pub fn say(words: &Words) -> String {
    words.in_language(current())
}

/// Each of `words` in the language of the call running on this task.
pub fn say_all(words: &[Words]) -> Vec<String> {
    words.iter().map(say).collect()
}

/// What `reason` means, in `language`.
pub fn reason_text(reason: Reason, language: Language) -> String {
    text(language, &format!("reason-{}", reason.as_str()), &[])
}

/// What was entered for a criterion (a value reported, points given, an event), in `language`.
pub fn entry(e: Entry, language: Language) -> String {
    let d = |v: Decimal| thidua_domain::decimal::format(v);
    match e {
        Entry::Actual(v) => text(language, "entry-reported", &[("value", d(v))]),
        Entry::Points(p) => text(language, "why-given", &[("points", d(p))]),
        Entry::Event(true) => text(language, "entry-happened", &[]),
        Entry::Event(false) => text(language, "entry-not-happened", &[]),
    }
}

/// Why a criterion has its points, in `language`.
pub fn explanation(e: &Explanation, language: Language) -> String {
    let d = |v: Decimal| thidua_domain::decimal::format(v);
    let (id, args): (&str, Vec<(&'static str, String)>) = match e.why {
        Why::Given { points } => ("why-given", vec![("points", d(points))]),
        Why::Sum { children } => ("why-sum", vec![("children", children.to_string())]),
        Why::NotALeaf => ("why-not-a-leaf", vec![]),
        Why::Event { points } => ("why-event", vec![("points", d(points))]),
        Why::NoEvent => ("why-no-event", vec![]),
        Why::NotJudgedYet => ("why-not-judged", vec![]),
        Why::NoResult => ("why-no-result", vec![]),
        Why::NoTarget => ("why-no-target", vec![]),
        Why::Reached {
            actual,
            target,
            lower_is_better,
        } => (
            if lower_is_better {
                "why-reached-lower"
            } else {
                "why-reached"
            },
            vec![("actual", d(actual)), ("target", d(target))],
        ),
        Why::Below {
            actual,
            target,
            points,
        } => (
            "why-below",
            vec![
                ("actual", d(actual)),
                ("target", d(target)),
                ("points", d(points)),
            ],
        ),
        Why::Share {
            percent,
            target,
            max,
        } => (
            "why-share",
            vec![
                ("percent", d(percent)),
                ("target", d(target)),
                ("max", d(max)),
            ],
        ),
        Why::ShareWithBonus {
            percent,
            target,
            base,
            bonus,
            above,
            per_percent,
            cap,
        } => (
            "why-share-bonus",
            vec![
                ("percent", d(percent)),
                ("target", d(target)),
                ("base", d(base)),
                ("bonus", d(bonus)),
                ("above", d(above)),
                ("per_percent", d(per_percent)),
                ("cap", d(cap)),
            ],
        ),
        Why::ShortBy {
            percent,
            target,
            steps,
            deduction,
        } => (
            "why-short-by",
            vec![
                ("percent", d(percent)),
                ("target", d(target)),
                ("steps", d(steps)),
                ("deduction", d(deduction)),
            ],
        ),
        Why::Over {
            over,
            target,
            per_unit,
        } => (
            "why-over",
            vec![
                ("over", d(over)),
                ("target", d(target)),
                ("per_unit", d(per_unit)),
            ],
        ),
        Why::NotQuantitative => ("why-not-quantitative", vec![]),
    };
    let said = text(language, id, &args);
    match e.rounded {
        Some((raw, points)) => text(
            language,
            "why-rounded",
            &[("text", said), ("raw", d(raw)), ("points", d(points))],
        ),
        None => said,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_words_in_both_languages() {
        for source in [VI, EN] {
            assert!(fluent_bundle::FluentResource::try_new(source.to_owned()).is_ok());
        }
        for reason in Reason::ALL {
            for language in [Language::Vi, Language::En] {
                let text = reason_text(reason, language);
                assert!(!text.starts_with("reason-"), "{reason:?} in {language:?}");
            }
        }
        assert_eq!(
            reason_text(Reason::WrongStage, Language::Vi),
            "Kỳ thi đua không ở giai đoạn cho phép việc này."
        );
    }

    #[test]
    fn explanations_are_said_in_both_languages_with_their_numbers() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        let e = Explanation {
            why: Why::Share {
                percent: d("66.67"),
                target: d("3"),
                max: d("20"),
            },
            rounded: Some((d("13.333"), d("13.5"))),
        };
        assert_eq!(
            explanation(&e, Language::Vi),
            "đạt 66.67% chỉ tiêu 3 × 20; ≈13.333 làm tròn thành 13.5"
        );
        assert_eq!(
            explanation(&e, Language::En),
            "66.67% of target 3 × 20; ≈13.333 rounded to 13.5"
        );
        let every = [
            (Why::Given { points: d("1") }, "1 points given"),
            (Why::Sum { children: 2 }, "sum of 2 item(s)"),
            (Why::NotALeaf, "not a leaf"),
            (Why::Event { points: d("10") }, "event occurred: 10 points"),
            (Why::NoEvent, "event did not occur"),
            (Why::NotJudgedYet, "no points given yet"),
            (Why::NoResult, "no result reported"),
            (Why::NoTarget, "no target registered"),
            (
                Why::Reached {
                    actual: d("1"),
                    target: d("2"),
                    lower_is_better: true,
                },
                "1 ≤ target 2: full points",
            ),
            (
                Why::Reached {
                    actual: d("3"),
                    target: d("2"),
                    lower_is_better: false,
                },
                "3 ≥ target 2: full points",
            ),
            (
                Why::Below {
                    actual: d("1"),
                    target: d("2"),
                    points: d("0"),
                },
                "1 < target 2: 0 points",
            ),
            (
                Why::Share {
                    percent: d("50"),
                    target: d("4"),
                    max: d("10"),
                },
                "50% of target 4 × 10",
            ),
            (
                Why::ShareWithBonus {
                    percent: d("107.14"),
                    target: d("9800"),
                    base: d("15"),
                    bonus: d("3"),
                    above: d("7.14"),
                    per_percent: d("0.5"),
                    cap: d("3"),
                },
                "107.14% of target 9800: 15 base + 3 bonus (7.14% above × 0.5, cap 3)",
            ),
            (
                Why::ShortBy {
                    percent: d("4.5"),
                    target: d("100"),
                    steps: d("5"),
                    deduction: d("1"),
                },
                "4.5% short of target 100: 5 step(s) × 1 deducted",
            ),
            (
                Why::Over {
                    over: d("2"),
                    target: d("0"),
                    per_unit: d("5"),
                },
                "2 over target 0: 5 deducted per unit",
            ),
            (Why::NotQuantitative, "not a quantitative rule"),
        ];
        for (why, english) in every {
            let e = Explanation { why, rounded: None };
            assert_eq!(explanation(&e, Language::En), english, "{why:?}");
            assert!(
                !explanation(&e, Language::Vi).starts_with("why-"),
                "{why:?}"
            );
        }
        for e in [
            Entry::Actual(d("13800")),
            Entry::Points(d("5")),
            Entry::Event(true),
            Entry::Event(false),
        ] {
            for language in [Language::Vi, Language::En] {
                assert!(!entry(e, language).starts_with("entry-"), "{e:?}");
            }
        }
        assert_eq!(
            entry(Entry::Actual(d("13800")), Language::Vi),
            "báo cáo 13800"
        );
        assert_eq!(entry(Entry::Event(true), Language::En), "happened");
    }

    /// Every `text(…, "status-…", …)` of the status module is in both catalogues.
    #[test]
    fn the_status_messages_are_in_both_languages() {
        let source = include_str!("status.rs");
        let ids: Vec<&str> = source
            .match_indices("\"status-")
            .filter_map(|(at, _)| source[at + 1..].split('"').next())
            .collect();
        assert!(ids.len() >= 10, "{ids:?}");
        for id in ids {
            for language in [Language::Vi, Language::En] {
                assert_ne!(text(language, id, &[]), id, "{id} in {language:?}");
            }
        }
    }

    #[test]
    fn the_request_chooses_the_language() {
        let with = |name: &'static str, value: &'static str| {
            let mut h = http::HeaderMap::new();
            h.insert(name, http::HeaderValue::from_static(value));
            language_of(&h)
        };
        assert_eq!(language_of(&http::HeaderMap::new()), Language::Vi);
        assert_eq!(with("grpc-accept-language", "en"), Language::En);
        assert_eq!(with("accept-language", "fr-FR, en-US;q=0.8"), Language::En);
        assert_eq!(with("grpc-accept-language", "vi-VN,en;q=0.5"), Language::Vi);
    }
}
