//! Targets (chỉ tiêu): for each quantitative criterion of a term's table, a default value and
//! per-member assigned values (chỉ tiêu giao), registered before the covenant is signed.

use rustc_hash::FxHashMap as HashMap;

use rust_decimal::Decimal;

use crate::unit::UnitRef;

/// A term's targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets {
    /// Default value per criterion code, for members without an assigned value.
    pub defaults: HashMap<String, Decimal>,
    /// Assigned values by member, then criterion code; keyed so lookups borrow, not clone.
    pub assigned: HashMap<UnitRef, HashMap<String, Decimal>>,
}

impl Targets {
    /// Sets a member's assigned value.
    pub fn assign(&mut self, unit: UnitRef, code: String, value: Decimal) {
        self.assigned.entry(unit).or_default().insert(code, value);
    }

    /// A member's assigned value, if any.
    pub fn assigned_value(&self, unit: &UnitRef, code: &str) -> Option<Decimal> {
        self.assigned.get(unit).and_then(|m| m.get(code)).copied()
    }

    /// The value that applies to `unit` for `code`: its assigned value, else the default.
    pub fn effective(&self, unit: &UnitRef, code: &str) -> Option<Decimal> {
        self.assigned_value(unit, code)
            .or_else(|| self.defaults.get(code).copied())
    }

    /// Every (member, criterion) that has no value, members and codes in the order given.
    pub fn missing(&self, members: &[UnitRef], codes: &[String]) -> Vec<(UnitRef, String)> {
        members
            .iter()
            .flat_map(|m| codes.iter().map(move |c| (m, c)))
            .filter(|(m, c)| self.effective(m, c).is_none())
            .map(|(m, c)| (m.clone(), c.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::Scheme;

    #[test]
    fn assigned_values_override_the_default_and_gaps_are_listed() {
        let phung_chi_kien = UnitRef::new(Scheme::Qd124_2004, "01843");
        let duc_xuan = UnitRef::new(Scheme::Qd124_2004, "01840");
        let mut t = Targets::default();
        t.assign(phung_chi_kien.clone(), "I.1".into(), Decimal::new(12500, 0));
        t.defaults.insert("II.1".into(), Decimal::ONE_HUNDRED);
        assert_eq!(
            t.effective(&phung_chi_kien, "I.1"),
            Some(Decimal::new(12500, 0))
        );
        assert_eq!(t.effective(&duc_xuan, "II.1"), Some(Decimal::ONE_HUNDRED));
        let missing = t.missing(
            &[phung_chi_kien, duc_xuan.clone()],
            &["I.1".into(), "II.1".into()],
        );
        assert_eq!(missing, [(duc_xuan, "I.1".to_owned())]);
    }
}
