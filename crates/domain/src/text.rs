//! Vietnamese text: names stored NFC-normalised, and a folded key for search and uniqueness,
//! computed here because SQLite's `lower()` and `LIKE` only fold ASCII.

use unicode_normalization::{
    IsNormalized, UnicodeNormalization, char::is_combining_mark, is_nfc_quick,
};

use crate::error::FieldViolation;

/// A name as stored: NFC, trimmed, inner runs of white space collapsed to one space.
pub fn normalize(text: &str) -> String {
    // Most text already is (codes, references, names typed once): copied as it is, without
    // decomposing and composing it again; an import normalises a field of every row.
    if is_nfc_quick(text.chars()) == IsNormalized::Yes && single_spaced(text) {
        return text.to_owned();
    }
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when the only white space of `text` is single ASCII spaces between words.
fn single_spaced(text: &str) -> bool {
    let mut previous_space = true;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space && (c != ' ' || previous_space) {
            return false;
        }
        previous_space = space;
    }
    !previous_space || text.is_empty()
}

/// A label in sentence case, the one capitalisation rule of classification names
/// (`hoàn thành tốt nhiệm vụ` → `Hoàn thành tốt nhiệm vụ`): normalised, first letter capital,
/// the rest as written (proper names keep theirs).
pub fn sentence_case(text: &str) -> String {
    let text = normalize(text);
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The search key of a text: diacritics removed, `đ` folded to `d`, lower case, white space
/// collapsed. `Phùng Chí Kiên`, `PHÙNG CHÍ KIÊN` and `phung chi kien` share one key.
pub fn search_key(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Validates and normalises a required name of at most `max` characters.
pub fn required_name(field: &str, text: &str, max: usize) -> Result<String, FieldViolation> {
    let name = normalize(text);
    if name.is_empty() {
        return Err(FieldViolation::new(field, crate::words!("text-empty")));
    }
    optional_text(field, &name, max)
}

/// Characters of a piece of input quoted back in an error, at most.
pub const QUOTED_CHARS: usize = 40;

/// `text` cut to at most `chars` characters, the cut marked with `…`.
pub fn cut(text: &str, chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(chars) {
        None => text.into(),
        Some((end, _)) => format!("{}…", &text[..end]).into(),
    }
}

/// `text` as an error quotes it: at most [`QUOTED_CHARS`] characters, cut with `…`.
pub fn quote(text: &str) -> String {
    cut(text, QUOTED_CHARS).into_owned()
}

/// Bidirectional formatting characters: embeddings and overrides (U+202A–U+202E), isolates
/// (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). In a name they make it display
/// differently from what it is (`U+202E` shows the rest reversed).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Validates and normalises an optional text of at most `max` characters; control characters
/// other than line breaks, and bidirectional formatting characters, are refused.
pub fn optional_text(field: &str, text: &str, max: usize) -> Result<String, FieldViolation> {
    let value: String = text.trim().nfc().collect();
    let count = value.chars().count();
    if count > max {
        return Err(FieldViolation::new(
            field,
            crate::words!("text-too-long", count = count, max = max),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FieldViolation::new(
            field,
            crate::words!("text-control-characters"),
        ));
    }
    if value.chars().any(is_bidi_control) {
        return Err(FieldViolation::new(
            field,
            crate::words!("text-bidi-characters"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_a_bidirectional_override_is_refused() {
        assert!(required_name("display_name", "Phường Đức Xuân", 200).is_ok());
        for c in ['\u{202E}', '\u{2067}', '\u{200F}'] {
            let spoofed = format!("Phường {c}nâuX cứĐ");
            assert!(
                required_name("display_name", &spoofed, 200).is_err(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn search_key_folds_case_and_diacritics() {
        let key = search_key("Phùng Chí Kiên");
        assert_eq!(key, "phung chi kien");
        assert_eq!(search_key("PHÙNG CHÍ KIÊN"), key);
        assert_eq!(search_key("  phung   chi kien "), key);
        assert_eq!(search_key("Đức Xuân"), "duc xuan");
        assert_eq!(search_key("Nông Thượng"), "nong thuong");
        assert_eq!(search_key("Xuất Hóa"), search_key("Xuất Hoá"));
    }

    #[test]
    fn classification_names_take_sentence_case() {
        assert_eq!(
            sentence_case("hoàn thành  tốt nhiệm vụ"),
            "Hoàn thành tốt nhiệm vụ"
        );
        assert_eq!(sentence_case("đạt"), "Đạt");
        assert_eq!(sentence_case(""), "");
    }

    #[test]
    fn normalize_produces_nfc() {
        let decomposed = "Đu\u{0301}c Xua\u{0302}n";
        let stored = normalize(decomposed);
        assert_eq!(stored, "Đúc Xuân".nfc().collect::<String>());
        assert!(stored.chars().all(|c| !is_combining_mark(c)));
        for (written, stored) in [
            ("Phùng Chí Kiên", "Phùng Chí Kiên"),
            (" Nông  Thượng ", "Nông Thượng"),
            ("Đức\tXuân", "Đức Xuân"),
            ("Đức\u{a0}Xuân", "Đức Xuân"),
            ("", ""),
            ("   ", ""),
            ("QĐ-UBND số 215", "QĐ-UBND số 215"),
        ] {
            assert_eq!(normalize(written), stored, "{written:?}");
        }
    }

    #[test]
    fn names_must_not_be_empty_or_too_long() {
        assert!(required_name("name", "   ", 200).is_err());
        assert!(required_name("name", &"ă".repeat(201), 200).is_err());
        assert_eq!(
            required_name("name", " Sông  Cầu ", 200).ok().as_deref(),
            Some("Sông Cầu")
        );
        assert!(optional_text("text", "a\u{0007}b", 10).is_err());
    }
}
