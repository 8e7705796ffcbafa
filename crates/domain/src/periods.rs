//! A unit's name, kind and parent through time (tên gọi theo thời kỳ). A renaming, a change of
//! kind (a commune becoming a ward) or of parent takes effect on a day; until then the unit was
//! what it was, and a term, scoreboard, export or report of an earlier year shows it so. The
//! unit as stored is its current period; each earlier one is kept with the day it ended.

use crate::{
    error::{Error, Violations},
    time::Date,
    unit::{Unit, UnitDraft, UnitKind, UnitRef},
};

/// An earlier period of a unit: what it was until `until` (exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastPeriod {
    /// The unit.
    pub unit: UnitRef,
    /// The first day it was no longer so.
    pub until: Date,
    /// Its name then.
    pub name: String,
    /// Its kind then.
    pub kind: UnitKind,
    /// Its parent then.
    pub parent: Option<UnitRef>,
}

/// Plans a change that takes effect on `from`: `unit` as stored becomes a past period ending
/// that day, and `draft` the current one. The day lies within the unit's validity and after the
/// last recorded change (`last_until`); the change is of name, kind or parent, and not of the
/// validity (a separate update).
pub fn new_period(
    unit: &Unit,
    draft: &UnitDraft,
    from: Date,
    last_until: Option<Date>,
) -> Result<PastPeriod, Error> {
    let mut v = Violations::default();
    if draft.name == unit.name && draft.kind == unit.kind && draft.parent == unit.parent {
        v.add("effective_date", crate::words!("period-change-empty"));
    }
    if draft.validity != unit.validity {
        v.add("effective_date", crate::words!("period-validity-apart"));
    }
    if let Some(start) = unit.validity.from
        && from <= start
    {
        v.add(
            "effective_date",
            crate::words!(
                "period-before-start",
                unit = unit.id,
                start => start.words(),
                date => from.words()
            ),
        );
    }
    if let Some(end) = unit.validity.to
        && from >= end
    {
        v.add(
            "effective_date",
            crate::words!(
                "period-after-end",
                unit = unit.id,
                end => end.words(),
                date => from.words()
            ),
        );
    }
    if let Some(last) = last_until
        && from <= last
    {
        v.add(
            "effective_date",
            crate::words!("period-order", unit = unit.id, last => last.words()),
        );
    }
    v.finish(PastPeriod {
        unit: unit.id.clone(),
        until: from,
        name: unit.name.clone(),
        kind: unit.kind,
        parent: unit.parent.clone(),
    })
}

/// The name a unit bore on `day`: that of the earliest past period ending after it, else the
/// current one. `periods` are the unit's.
pub fn name_on<'a>(current: &'a str, periods: &'a [PastPeriod], day: Date) -> &'a str {
    periods
        .iter()
        .filter(|p| p.until > day)
        .min_by_key(|p| p.until)
        .map_or(current, |p| p.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{stored_unit, unit};

    fn day(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn kien() -> Unit {
        stored_unit(
            unit("01843"),
            "Phùng Chí Kiên",
            None,
            Some(day("2025-07-01")),
        )
        .1
    }

    fn renamed(u: &Unit, name: &str) -> UnitDraft {
        UnitDraft {
            name: name.into(),
            ..u.to_draft()
        }
    }

    #[test]
    fn a_rename_in_2025_leaves_2022_with_the_old_name() {
        let u = kien();
        let past = new_period(&u, &renamed(&u, "Bắc Kạn"), day("2025-03-01"), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(past.name, "Phùng Chí Kiên");
        let periods = [past];
        assert_eq!(
            name_on("Bắc Kạn", &periods, day("2022-12-31")),
            "Phùng Chí Kiên"
        );
        assert_eq!(
            name_on("Bắc Kạn", &periods, day("2025-02-28")),
            "Phùng Chí Kiên"
        );
        assert_eq!(name_on("Bắc Kạn", &periods, day("2025-03-01")), "Bắc Kạn");
        assert_eq!(name_on("Bắc Kạn", &[], day("2022-12-31")), "Bắc Kạn");
    }

    #[test]
    fn two_renames_each_name_their_own_years() {
        let periods = [
            PastPeriod {
                unit: unit("01843"),
                until: day("2010-01-01"),
                name: "Minh Khai".into(),
                kind: UnitKind::Ward,
                parent: None,
            },
            PastPeriod {
                unit: unit("01843"),
                until: day("2020-01-01"),
                name: "Phùng Chí Kiên".into(),
                kind: UnitKind::Ward,
                parent: None,
            },
        ];
        assert_eq!(name_on("Bắc Kạn", &periods, day("2005-06-01")), "Minh Khai");
        assert_eq!(
            name_on("Bắc Kạn", &periods, day("2015-06-01")),
            "Phùng Chí Kiên"
        );
        assert_eq!(name_on("Bắc Kạn", &periods, day("2022-06-01")), "Bắc Kạn");
    }

    #[test]
    fn a_dated_change_is_within_validity_after_the_last_and_changes_something() {
        let u = kien();
        let fields = |r: Result<PastPeriod, Error>| match r {
            Err(Error::Invalid(v)) => v.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields(new_period(&u, &u.to_draft(), day("2024-01-01"), None)),
            1
        );
        assert_eq!(
            fields(new_period(
                &u,
                &renamed(&u, "Bắc Kạn"),
                day("2025-07-01"),
                None
            )),
            1,
            "ceased that day"
        );
        assert_eq!(
            fields(new_period(
                &u,
                &renamed(&u, "Bắc Kạn"),
                day("2024-01-01"),
                Some(day("2024-06-01"))
            )),
            1,
            "before the last change"
        );
        let mut moved = renamed(&u, "Bắc Kạn");
        moved.validity.to = None;
        assert_eq!(fields(new_period(&u, &moved, day("2024-01-01"), None)), 1);
    }
}
