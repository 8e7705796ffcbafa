//! What the rules tell a person when they refuse something (lời báo lỗi): a message of the
//! catalogues with its arguments, worded in the reader's language only when it is shown. One
//! Fluent catalogue per language (`i18n/vi.ftl`, `i18n/en.ftl`, embedded, read with
//! `fluent-bundle`); Vietnamese is the default everywhere, English on request. A refusal's
//! `Display` is English, for logs and tests.
//!
//! Write a message with [`words!`](crate::words!): `words!("listed-twice", unit = u)`.
//! The tests below read every `words!` in the workspace's sources and check that both
//! catalogues have its id with exactly its arguments.

use std::{fmt, sync::LazyLock};

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};

const VI: &str = include_str!("../i18n/vi.ftl");
const EN: &str = include_str!("../i18n/en.ftl");

/// A language people read the system in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Tiếng Việt, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 tag of the language (sent with a `google.rpc.LocalizedMessage`).
    pub fn tag(self) -> &'static str {
        match self {
            Language::Vi => "vi-VN",
            Language::En => "en",
        }
    }
}

/// Something to tell a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Words {
    /// A message of the catalogues and its arguments (already written as text: numbers at
    /// their table's step, names as stored).
    Message {
        /// The message's id in both catalogues.
        id: &'static str,
        /// Its arguments, by name.
        args: Vec<(&'static str, Words)>,
    },
    /// Several things told at once, each in the same language, joined by "; ".
    List(Vec<Words>),
    /// Text that is the same in every language: a value quoted back, another system's own
    /// message (a parser's, the database's), or a text a client sent.
    Verbatim(String),
}

/// A catalogue message: `words!("id", name = value, …)`; each value is written with its
/// `Display`, except one given as `name => words`: a message itself (a stage's or an award's
/// name), worded in the same language as the message around it.
#[macro_export]
macro_rules! words {
    (@arg = $value:expr) => {
        $crate::words::Words::Verbatim(($value).to_string())
    };
    (@arg => $value:expr) => {
        $value
    };
    ($id:literal $(, $name:ident $op:tt $value:expr)* $(,)?) => {
        $crate::words::Words::Message {
            id: $id,
            args: vec![$((stringify!($name), $crate::words!(@arg $op $value))),*],
        }
    };
}

impl Words {
    /// The words in `language`.
    pub fn in_language(&self, language: Language) -> String {
        match self {
            Words::Verbatim(text) => text.clone(),
            Words::List(all) => all
                .iter()
                .map(|w| w.in_language(language))
                .collect::<Vec<_>>()
                .join("; "),
            Words::Message { id, args } => format(language, id, args),
        }
    }

    /// True when the text (in English) contains `needle`: what the rules' tests check.
    #[cfg(test)]
    pub(crate) fn contains(&self, needle: &str) -> bool {
        self.to_string().contains(needle)
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.in_language(Language::En))
    }
}

/// Nothing to say (an empty list): a note that was not needed.
impl Default for Words {
    fn default() -> Self {
        Words::List(Vec::new())
    }
}

impl From<String> for Words {
    fn from(text: String) -> Self {
        Words::Verbatim(text)
    }
}

impl From<&str> for Words {
    fn from(text: &str) -> Self {
        Words::Verbatim(text.to_owned())
    }
}

/// A Fluent catalogue per language, embedded in the program: the domain's refusals here, the
/// server's and the CLI's own words in theirs.
pub struct Catalogues([FluentBundle<FluentResource>; 2]);

impl Catalogues {
    /// The catalogues of Vietnamese (`vi`) and English (`en`) sources. They are part of the
    /// program and checked by their crate's tests: a broken one is a build that does not pass,
    /// never a failure at run time, so a source that does not parse is left empty here.
    pub fn new(vi: &str, en: &str) -> Self {
        let bundle = |source: &str, tag: &str| {
            let mut bundle = FluentBundle::new_concurrent(vec![tag.parse().unwrap_or_default()]);
            // Read in terminals, documents and JSON: no Unicode isolation marks around
            // arguments.
            bundle.set_use_isolating(false);
            if let Ok(resource) = FluentResource::try_new(source.to_owned()) {
                let _ = bundle.add_resource(resource);
            }
            bundle
        };
        Self([bundle(vi, "vi"), bundle(en, "en")])
    }

    /// The message `id` with `args` in `language`; the id itself when the catalogue lacks it.
    pub fn format(&self, language: Language, id: &str, args: &[(&str, String)]) -> String {
        let bundle = &self.0[match language {
            Language::Vi => 0,
            Language::En => 1,
        }];
        let mut fluent = FluentArgs::new();
        for (k, v) in args {
            fluent.set(*k, v.clone());
        }
        bundle
            .get_message(id)
            .and_then(|m| m.value())
            .map(|p| {
                let mut errors = Vec::new();
                bundle
                    .format_pattern(p, Some(&fluent), &mut errors)
                    .into_owned()
            })
            .unwrap_or_else(|| id.to_owned())
    }
}

/// The domain's catalogues; the tests below see that every id used is there.
static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(|| Catalogues::new(VI, EN));

fn format(language: Language, id: &str, args: &[(&'static str, Words)]) -> String {
    let args: Vec<(&str, String)> = args
        .iter()
        .map(|(k, v)| (*k, v.in_language(language)))
        .collect();
    CATALOGUES.format(language, id, &args)
}

#[cfg(test)]
mod tests {
    use std::{
        collections::{BTreeMap, BTreeSet},
        path::Path,
    };

    use fluent_syntax::{ast, parser};

    use super::*;
    use crate::unit::Level;

    /// Each message of a catalogue with the variables it uses.
    fn messages(source: &'static str) -> BTreeMap<String, BTreeSet<String>> {
        let resource = parser::parse(source).unwrap_or_else(|(_, e)| panic!("{e:?}"));
        let mut out = BTreeMap::new();
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    variables(p, &mut vars);
                }
                assert!(
                    out.insert(m.id.name.to_owned(), vars).is_none(),
                    "{} twice",
                    m.id.name
                );
            }
        }
        out
    }

    fn variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }

    fn expression_variables(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline_variables(i, out),
            ast::Expression::Select { selector, variants } => {
                inline_variables(selector, out);
                for v in variants {
                    variables(&v.value, out);
                }
            }
        }
    }

    fn inline_variables(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => {
                expression_variables(expression, out);
            }
            _ => {}
        }
    }

    /// Every `words!("id", a = …, b = …)` in the Rust sources under `dir`: (id, argument names,
    /// where).
    fn uses(dir: &Path, out: &mut Vec<(String, BTreeSet<String>, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                uses(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap_or_default();
                for (at, _) in source.match_indices("words!(") {
                    let line = &source[source[..at].rfind('\n').map_or(0, |i| i + 1)..at];
                    if line.trim_start().starts_with("//") {
                        // Documentation.
                        continue;
                    }
                    let rest = &source[at + "words!(".len()..];
                    let Some(call) = call_arguments(rest) else {
                        continue;
                    };
                    let mut parts = split_top_level(call).into_iter();
                    let Some(id) = parts
                        .next()
                        .and_then(|p| p.trim().strip_prefix('"')?.strip_suffix('"'))
                    else {
                        // The macro's own definition and its documentation.
                        continue;
                    };
                    let args = parts
                        .filter_map(|p| Some(p.split('=').next()?.trim().to_owned()))
                        .filter(|a| !a.is_empty())
                        .collect();
                    out.push((id.to_owned(), args, path.display().to_string()));
                }
            }
        }
    }

    /// The characters of `s` outside string literals, with their byte offsets.
    fn outside_strings(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
        let (mut in_string, mut escaped) = (false, false);
        s.char_indices().filter(move |&(_, c)| {
            if in_string {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => escaped = false,
                }
                return false;
            }
            in_string = c == '"';
            !in_string
        })
    }

    /// The text between a call's parentheses (`rest` starts just after the opening one).
    fn call_arguments(rest: &str) -> Option<&str> {
        let mut depth = 0usize;
        for (i, c) in outside_strings(rest) {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' if depth == 0 => return Some(&rest[..i]),
                ')' | ']' | '}' => depth = depth.checked_sub(1)?,
                _ => {}
            }
        }
        None
    }

    /// `s` split at the commas outside brackets and strings.
    fn split_top_level(s: &str) -> Vec<&str> {
        let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
        for (i, c) in outside_strings(s) {
            match c {
                '(' | '[' | '{' | '<' => depth += 1,
                ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&s[start..]);
        parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
    }

    #[test]
    fn both_catalogues_say_the_same_messages_with_the_same_arguments() {
        let (vi, en) = (messages(VI), messages(EN));
        assert_eq!(
            vi.keys().collect::<Vec<_>>(),
            en.keys().collect::<Vec<_>>(),
            "the catalogues differ in their ids"
        );
        for (id, vars) in &vi {
            assert_eq!(Some(vars), en.get(id), "{id}: the arguments differ");
        }
    }

    #[test]
    fn every_message_used_is_in_the_catalogues_with_its_arguments() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut found = Vec::new();
        uses(&crates, &mut found);
        assert!(found.len() > 50, "the sources were not read: {found:?}");
        let (vi, en) = (messages(VI), messages(EN));
        let mut used = BTreeSet::new();
        for (id, args, place) in found {
            for (name, catalogue) in [("vi", &vi), ("en", &en)] {
                let vars = catalogue
                    .get(&id)
                    .unwrap_or_else(|| panic!("{id} (in {place}) is not in {name}.ftl"));
                assert_eq!(vars, &args, "{id} (in {place}): arguments in {name}.ftl");
            }
            used.insert(id);
        }
        let unused: Vec<_> = vi.keys().filter(|id| !used.contains(*id)).collect();
        assert!(unused.is_empty(), "not used anywhere: {unused:?}");
    }

    #[test]
    fn a_message_reads_in_the_language_asked_for_and_in_english_by_display() {
        let w = crate::words!(
            "code-width",
            code = "1843",
            width = 5,
            kind = "ward",
            scheme = "qd124-2004"
        );
        assert_eq!(
            w.in_language(Language::Vi),
            "\"1843\" không phải mã 5 chữ số như loại \"ward\" cần theo hệ mã qd124-2004"
        );
        assert_eq!(
            w.to_string(),
            "\"1843\" is not a 5-digit code, as a ward needs in qd124-2004"
        );
        let nested = crate::words!("needs-parent", kind = "ward", level => Level::Province.words());
        assert_eq!(
            nested.in_language(Language::Vi),
            "đơn vị loại \"ward\" cần đơn vị cha cấp tỉnh"
        );
        assert_eq!(
            nested.to_string(),
            "a ward needs a parent of province level"
        );
        assert_eq!(
            Words::from("Nông Thượng").in_language(Language::En),
            "Nông Thượng"
        );
    }
}
