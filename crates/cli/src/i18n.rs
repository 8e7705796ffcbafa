//! The CLI's language: Vietnamese by default, English with `--lang en`. Messages come from one
//! Fluent catalogue per language (`i18n/vi.ftl`, `i18n/en.ftl`, embedded), read with
//! `fluent-bundle`. What a person reads — tables' titles, column names and the values of
//! enumerations, the CLI's own sentences — is translated; what a program reads (JSON keys,
//! CSV headers, enum values in JSON and CSV) stays English and stable.

use std::sync::OnceLock;

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};

use crate::failure::Failure;

const VI: &str = include_str!("../i18n/vi.ftl");
const EN: &str = include_str!("../i18n/en.ftl");

/// A language of the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The tag sent as `grpc-accept-language`, so the server's messages match.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// Whether the run speaks Vietnamese.
pub fn vietnamese() -> bool {
    CATALOGUE.get().is_some_and(|(lang, _)| *lang == Lang::Vi)
}

/// The run's language and catalogue, set once at start: every line printed in one command
/// uses the same language, so it is not threaded through each call.
static CATALOGUE: OnceLock<(Lang, FluentBundle<FluentResource>)> = OnceLock::new();

fn bundle(lang: Lang) -> Result<FluentBundle<FluentResource>, String> {
    let tag = lang.tag();
    let source = match lang {
        Lang::Vi => VI,
        Lang::En => EN,
    };
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| format!("the {tag} catalogue does not parse: {errors:?}"))?;
    let id = tag
        .parse()
        .map_err(|e| format!("language tag {tag}: {e}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Terminal output: no Unicode isolation marks around arguments.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("the {tag} catalogue repeats ids: {errors:?}"))?;
    Ok(bundle)
}

/// Chooses the run's language.
pub fn set(lang: Lang) -> Result<(), Failure> {
    let b = bundle(lang).map_err(Failure::other)?;
    // A second call (there is none) would keep the first language.
    let _ = CATALOGUE.set((lang, b));
    Ok(())
}

fn format(id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let (_, bundle) = CATALOGUE.get()?;
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned(),
    )
}

/// The message `id`, or `id` itself when the catalogue has none (a bug the tests catch).
pub fn text(id: &str) -> String {
    format(id, None).unwrap_or_else(|| id.to_owned())
}

/// The message `id` with its arguments.
pub fn text_with(id: &str, args: &[(&'static str, String)]) -> String {
    let mut fluent = FluentArgs::new();
    for (k, v) in args {
        fluent.set(*k, v.clone());
    }
    format(id, Some(&fluent)).unwrap_or_else(|| id.to_owned())
}

/// Whether `s` can be part of a Fluent id (letters, digits, `_`, `-`).
fn id_part(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A column's name for people; a column without one (a criteria group's code) as it is.
pub fn column(header: &str) -> String {
    if id_part(header) {
        format(&format!("col-{header}"), None).unwrap_or_else(|| header.to_owned())
    } else {
        header.to_owned()
    }
}

/// The id of a section's title: lowercase, words joined by `-`.
pub fn section_id(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("section-{}", words.join("-"))
}

/// A section's title for people.
pub fn section(title: &str) -> String {
    format(&section_id(title), None).unwrap_or_else(|| title.to_owned())
}

/// A value of column `header` for people: an enumeration's value translated, anything else
/// (names, numbers, codes) as it is.
pub fn value(header: &str, cell: &str) -> String {
    if id_part(header) && id_part(cell) {
        format(&format!("val-{header}-{cell}"), None).unwrap_or_else(|| cell.to_owned())
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_bundle::FluentResource;

    use super::*;

    fn ids(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, e)| panic!("does not parse: {e:?}"));
        resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_id_is_in_both_catalogues() {
        let (vi, en) = (ids(VI), ids(EN));
        assert!(vi.len() > 200, "{}", vi.len());
        assert_eq!(
            vi.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "ids in one catalogue only"
        );
        assert!(bundle(Lang::Vi).is_ok() && bundle(Lang::En).is_ok());
    }

    /// The sources of the commands (every file of `src/` but this one).
    fn command_sources() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|entry| entry.unwrap_or_else(|e| panic!("{e}")).path())
            .filter(|path| !path.ends_with("i18n.rs"))
            .map(|path| std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    /// Every message the commands say by id (`i18n::text("…")`, `i18n::text_with("…", …)`) is
    /// in the catalogues.
    #[test]
    fn every_message_said_by_id_is_in_the_catalogues() {
        let known = ids(VI);
        let (mut missing, mut checked) = (BTreeSet::new(), 0);
        for source in command_sources() {
            for call in ["i18n::text(", "i18n::text_with("] {
                for (at, _) in source.match_indices(call) {
                    let rest = source[at + call.len()..].trim_start();
                    // A literal id; an id built at run time is checked where it is built.
                    let Some(id) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) else {
                        continue;
                    };
                    checked += 1;
                    if !known.contains(id) {
                        missing.insert(id.to_owned());
                    }
                }
            }
        }
        assert!(checked > 30, "{checked} ids read");
        assert!(missing.is_empty(), "not in the catalogues: {missing:?}");
    }

    /// Every column, field and section the commands print has its name in the catalogues.
    #[test]
    fn every_column_and_section_of_the_commands_has_a_name() {
        let known = ids(VI);
        let mut missing = BTreeSet::new();
        let (mut sections, mut checked) = (0, 0);
        for source in command_sources() {
            for call in ["Section::new(", "Section::fields("] {
                for (at, _) in source.match_indices(call) {
                    let rest = source[at + call.len()..].trim_start();
                    let Some(title) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let title = &title[..title.find('"').unwrap_or(0)];
                    sections += 1;
                    if !known.contains(&section_id(title)) {
                        missing.insert(section_id(title));
                    }
                    // The headers or field names: the quoted strings of a `vec![…]` written
                    // in the call (a list built elsewhere is checked where it is built).
                    let after = rest[title.len() + 2..].trim_start_matches([',', ' ', '\n']);
                    let Some(list) = after.strip_prefix("vec![") else {
                        continue;
                    };
                    let end = if call == "Section::fields(" {
                        // The vector's end: `]` closing the list, not an index in a value.
                        ["])", "],"]
                            .iter()
                            .filter_map(|e| list.find(e))
                            .min()
                            .unwrap_or(list.len())
                    } else {
                        list.find(']').unwrap_or(list.len())
                    };
                    let list = &list[..end];
                    let names: Vec<&str> = if call == "Section::fields(" {
                        // `("name", value)` pairs: the name follows the pair's parenthesis.
                        list.split("(\"")
                            .skip(1)
                            .filter_map(|p| p.split('"').next())
                            .collect()
                    } else {
                        list.split('"').skip(3).step_by(2).collect()
                    };
                    for name in names {
                        checked += 1;
                        if id_part(name) && !known.contains(&format!("col-{name}")) {
                            missing.insert(format!("col-{name}"));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "without a name: {missing:?}");
        assert!(
            sections > 40 && checked > 200,
            "the scan found {sections} sections and {checked} names"
        );
    }
}
