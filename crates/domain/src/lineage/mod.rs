//! Lineage (lịch sử hình thành): mergers, splits and renamings of units, by legal act. A link
//! never rewrites the past: results stay with the unit as it was.

pub mod import;
pub mod record;

use std::str::FromStr;

use crate::{
    error::{FieldViolation, Violations},
    time::{Date, Timestamp},
    unit::{Unit, UnitRef},
};

/// The kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineageKind {
    /// The unit was merged into the related unit.
    MergedInto,
    /// The unit was split from the related unit.
    SplitFrom,
    /// The unit was renamed and continues as the related unit.
    RenamedTo,
    /// The unit was divided, and this part of it went into the related unit (chia tách); the
    /// unit ceases. Its [`Share`] says whether the related unit took most of it.
    SplitInto,
}

/// How much of a unit went into the related unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Share {
    /// All of it (a merger, a renaming, a split from an existing unit).
    Whole,
    /// Most of a divided unit: its default successor.
    Main,
    /// Another part of a divided unit.
    Part,
}

impl Share {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Share::Whole => "whole",
            Share::Main => "main",
            Share::Part => "part",
        }
    }
}

impl FromStr for Share {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "whole" => Ok(Share::Whole),
            "main" => Ok(Share::Main),
            "part" => Ok(Share::Part),
            _ => Err(()),
        }
    }
}

impl LineageKind {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            LineageKind::MergedInto => "merged_into",
            LineageKind::SplitFrom => "split_from",
            LineageKind::RenamedTo => "renamed_to",
            LineageKind::SplitInto => "split_into",
        }
    }

    /// True when the subject unit ceases to exist on the effective date.
    pub fn ends_subject(self) -> bool {
        matches!(
            self,
            LineageKind::MergedInto | LineageKind::RenamedTo | LineageKind::SplitInto
        )
    }
}

impl FromStr for LineageKind {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "merged_into" => Ok(LineageKind::MergedInto),
            "split_from" => Ok(LineageKind::SplitFrom),
            "renamed_to" => Ok(LineageKind::RenamedTo),
            "split_into" => Ok(LineageKind::SplitInto),
            _ => Err(()),
        }
    }
}

/// A recorded link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageLink {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: LineageKind,
    /// Subject.
    pub unit: UnitRef,
    /// Other side.
    pub related: UnitRef,
    /// How much of the subject went into the related unit.
    pub share: Share,
    /// Legal act.
    pub legal_act: String,
    /// Effective date.
    pub effective_date: Date,
    /// Note.
    pub note: String,
    /// When recorded.
    pub created_at: Timestamp,
}

impl LineageLink {
    /// The link as (older unit, newer unit): a merger, renaming or division leads from its
    /// subject to the related unit; a split leads from the unit split from to the subject.
    pub fn older_newer(&self) -> (&UnitRef, &UnitRef) {
        if self.kind.ends_subject() {
            (&self.unit, &self.related)
        } else {
            (&self.related, &self.unit)
        }
    }
}

/// Whether a link from `older` to `newer` would close a cycle in `links`: `newer` already
/// leads, through later units, back to `older`. Time only runs one way, so such a link is
/// refused.
pub fn closes_cycle(older: &UnitRef, newer: &UnitRef, links: &[LineageLink]) -> bool {
    if older == newer {
        return true;
    }
    let mut seen: std::collections::HashSet<&UnitRef> = std::collections::HashSet::from([newer]);
    let mut frontier = vec![newer];
    while let Some(at) = frontier.pop() {
        for l in links {
            let (from, to) = l.older_newer();
            if from == at {
                if to == older {
                    return true;
                }
                if seen.insert(to) {
                    frontier.push(to);
                }
            }
        }
    }
    false
}

/// Checks a link against the two units. For a merger or renaming the subject must exist until
/// the effective date and the related unit from it; for a split the related unit must exist on
/// the day before and the subject from the effective date.
pub fn check_link(
    kind: LineageKind,
    unit: &Unit,
    related: &Unit,
    legal_act: &str,
    effective: Date,
) -> Result<(), Vec<FieldViolation>> {
    let mut v = Violations::default();
    if unit.id == related.id {
        v.add("link.related_unit", crate::words!("link-itself"));
    }
    if legal_act.trim().is_empty() {
        v.add("link.legal_act", crate::words!("legal-act-missing"));
    }
    let (ending, starting) = if kind.ends_subject() {
        (unit, related)
    } else {
        (related, unit)
    };
    if let Some(start) = ending.validity.from
        && start >= effective
    {
        v.add(
            "link.effective_date",
            crate::words!(
                "link-end-before-start",
                unit = ending.id,
                start => start.words(),
                date => effective.words()
            ),
        );
    }
    if ending.validity.to.is_some_and(|t| t != effective) {
        v.add(
            "link.effective_date",
            crate::words!("link-ceased-otherwise", unit = ending.id),
        );
    }
    if !starting.validity.contains(effective) {
        v.add(
            "link.effective_date",
            crate::words!(
                "unit-absent-on-date",
                unit = starting.id,
                date => effective.words()
            ),
        );
    }
    if v.is_empty() {
        Ok(())
    } else {
        Err(v.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        time::Validity,
        unit::{Scheme, UnitKind},
    };

    fn unit(scheme: Scheme, code: &str, from: Option<&str>, to: Option<&str>) -> Unit {
        Unit {
            id: UnitRef::new(scheme, code),
            name: "Bắc Kạn".into(),
            kind: UnitKind::Ward,
            parent: None,
            validity: Validity {
                from: from.and_then(|s| s.parse().ok()),
                to: to.and_then(|s| s.parse().ok()),
            },
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
            version: 1,
        }
    }

    #[test]
    fn a_link_back_to_an_earlier_unit_closes_a_cycle() {
        let (a, b, c) = (
            UnitRef::new(Scheme::Qd124_2004, "01834"),
            UnitRef::new(Scheme::Qd19_2025, "01840"),
            UnitRef::new(Scheme::Local, "bac-kan-moi"),
        );
        let link = |kind, unit: &UnitRef, related: &UnitRef| LineageLink {
            id: String::new(),
            kind,
            unit: unit.clone(),
            related: related.clone(),
            share: Share::Whole,
            legal_act: "Nghị quyết 1683/NQ-UBTVQH15".into(),
            effective_date: "2025-07-01".parse().unwrap_or_else(|e| panic!("{e}")),
            note: String::new(),
            created_at: Timestamp(0),
        };
        // a → b (merger), c split from b: a is older than b, b older than c.
        let links = [
            link(LineageKind::MergedInto, &a, &b),
            link(LineageKind::SplitFrom, &c, &b),
        ];
        assert!(closes_cycle(&c, &a, &links), "c → a would close a → b → c");
        assert!(closes_cycle(&b, &a, &links));
        assert!(closes_cycle(&a, &a, &links));
        assert!(!closes_cycle(&a, &c, &links), "a → c runs forward");
    }

    #[test]
    fn a_merger_needs_the_successor_to_exist() {
        let reform: Date = "2025-07-01".parse().unwrap_or_else(|e| panic!("{e}"));
        let old = unit(Scheme::Qd124_2004, "01843", None, None);
        let new = unit(Scheme::Qd19_2025, "01843", Some("2025-07-01"), None);
        assert!(
            check_link(
                LineageKind::MergedInto,
                &old,
                &new,
                "NQ 1683/NQ-UBTVQH15",
                reform
            )
            .is_ok()
        );
        let early: Date = "2025-01-01".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            check_link(
                LineageKind::MergedInto,
                &old,
                &new,
                "NQ 1683/NQ-UBTVQH15",
                early
            )
            .is_err()
        );
        assert!(check_link(LineageKind::MergedInto, &old, &new, "", reform).is_err());
        assert!(check_link(LineageKind::MergedInto, &old, &old, "NQ", reform).is_err());
    }
}
