//! The language a caller reads error messages in: Vietnamese unless the request's
//! `grpc-accept-language` (or `accept-language`) prefers English. The front door
//! (`auth.rs`) sets it for the call's task; [`crate::status::to_status`] then adds a
//! `google.rpc.LocalizedMessage` saying what the error's reason means in that language, from
//! one Fluent catalogue per language (`i18n/vi.ftl`, `i18n/en.ftl`). `ErrorInfo.reason`, the
//! field violations' paths and the status's own message stay as they are, for programs.

use std::sync::LazyLock;

use fluent_bundle::{FluentResource, concurrent::FluentBundle};
use thidua_domain::error::Reason;

const VI: &str = include_str!("../i18n/vi.ftl");
const EN: &str = include_str!("../i18n/en.ftl");

/// A language of error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Tiếng Việt, the default.
    Vi,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 tag sent with the message.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Vi => "vi-VN",
            Language::En => "en",
        }
    }

    /// The language a request asks for: the first tag of `grpc-accept-language`, else of
    /// `accept-language`, that names English or Vietnamese (`en-US;q=0.8` counts as `en`).
    pub fn of(headers: &http::HeaderMap) -> Self {
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

fn bundle(source: &str, tag: &str) -> FluentBundle<FluentResource> {
    let id = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    // The catalogues are part of the program and checked by the tests below: a broken one is
    // a build that does not pass, never a failure at run time.
    if let Ok(resource) = FluentResource::try_new(source.to_owned()) {
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static CATALOGUES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [bundle(VI, "vi"), bundle(EN, "en")]);

/// What `reason` means, in `language`.
pub fn reason_text(reason: Reason, language: Language) -> String {
    let bundle = &CATALOGUES[match language {
        Language::Vi => 0,
        Language::En => 1,
    }];
    let id = format!("reason-{}", reason.as_str());
    bundle
        .get_message(&id)
        .and_then(|m| m.value())
        .map(|p| {
            let mut errors = Vec::new();
            bundle.format_pattern(p, None, &mut errors).into_owned()
        })
        .unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_words_in_both_languages() {
        for source in [VI, EN] {
            assert!(FluentResource::try_new(source.to_owned()).is_ok());
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
    fn the_request_chooses_the_language() {
        let with = |name: &'static str, value: &'static str| {
            let mut h = http::HeaderMap::new();
            h.insert(name, http::HeaderValue::from_static(value));
            Language::of(&h)
        };
        assert_eq!(Language::of(&http::HeaderMap::new()), Language::Vi);
        assert_eq!(with("grpc-accept-language", "en"), Language::En);
        assert_eq!(with("accept-language", "fr-FR, en-US;q=0.8"), Language::En);
        assert_eq!(with("grpc-accept-language", "vi-VN,en;q=0.5"), Language::Vi);
    }
}
