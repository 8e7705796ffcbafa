//! Exact decimals (points, target values): parsed from plain text only, never from floats.

use rust_decimal::Decimal;

use crate::{error::FieldViolation, text::quote};

/// Parses a plain decimal: optional sign, digits, optional dot and digits (`97.5`, `-10`).
/// Exponents, thousands separators, `NaN` and friends are refused.
pub fn parse(field: &str, text: &str) -> Result<Decimal, FieldViolation> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    if !plain {
        return Err(FieldViolation::new(
            field,
            crate::words!("not-a-decimal", text = quote(text)),
        ));
    }
    let value = Decimal::from_str_exact(t).map_err(|_| {
        FieldViolation::new(field, crate::words!("out-of-range", text = quote(text)))
    })?;
    if value.is_zero() && t.starts_with('-') {
        return Err(FieldViolation::new(
            field,
            crate::words!("negative-zero", text = quote(text)),
        ));
    }
    Ok(value)
}

/// Parses an optional decimal: empty text is `None`.
pub fn parse_optional(field: &str, text: &str) -> Result<Option<Decimal>, FieldViolation> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse(field, text).map(Some)
    }
}

/// The canonical text of a decimal: no trailing zeros after the point (`97.50` → `97.5`).
pub fn format(d: Decimal) -> String {
    d.normalize().to_string()
}

/// True when `value` is a whole multiple of `step`.
pub fn is_multiple(value: Decimal, step: Decimal) -> bool {
    !step.is_zero() && (value % step).is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_zero_is_refused_and_long_input_is_quoted_short() {
        assert!(parse("value", "-0").is_err());
        assert!(parse("value", "-0.00").is_err());
        assert_eq!(parse("value", "0").ok(), Some(Decimal::ZERO));
        assert!(parse("value", "-0.5").is_ok());
        let long = "9x".repeat(2500);
        let refused = parse("value", &long).err().map(|v| v.description);
        assert!(refused.is_some_and(|d| d.to_string().chars().count() < 100));
    }

    #[test]
    fn only_plain_decimals_parse() {
        assert_eq!(parse("x", "97.5").map(format).ok().as_deref(), Some("97.5"));
        assert_eq!(parse("x", "-10").map(format).ok().as_deref(), Some("-10"));
        assert_eq!(parse("x", "0.50").map(format).ok().as_deref(), Some("0.5"));
        for bad in ["1e3", "1,5", "NaN", "", ".5", "5.", "+5", "1 000"] {
            assert!(parse("x", bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn multiples_of_the_step() {
        let d = |s: &str| parse("x", s).unwrap_or_default();
        assert!(is_multiple(d("7.5"), d("0.5")));
        assert!(!is_multiple(d("7.25"), d("0.5")));
        assert!(is_multiple(d("7.25"), d("0.01")));
        assert!(!is_multiple(d("1"), d("0")));
    }
}
