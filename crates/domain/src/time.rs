//! Calendar dates and instants. The domain never reads the clock: callers pass "now" in.

use std::{fmt, str::FromStr};

use crate::error::FieldViolation;

/// A calendar date (ngày) without time zone; ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists in the proleptic Gregorian calendar (years 1..=9999).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        let month = u8::try_from(month).ok()?;
        let day = u8::try_from(day).ok()?;
        (day >= 1 && day <= days_in_month(year, month)).then_some(Self { year, month, day })
    }

    /// Validates the parts of an input date, naming `field` on failure.
    pub fn from_parts(
        field: &str,
        year: i32,
        month: i32,
        day: i32,
    ) -> Result<Self, FieldViolation> {
        let month = u32::try_from(month).unwrap_or(0);
        let day = u32::try_from(day).unwrap_or(0);
        Self::new(year, month, day).ok_or_else(|| {
            FieldViolation::new(
                field,
                crate::words!(
                    "not-a-date",
                    date = format!("{year:04}-{month:02}-{day:02}")
                ),
            )
        })
    }

    /// 1 January of `year`.
    pub fn first_of_year(year: i32) -> Option<Self> {
        Self::new(year, 1, 1)
    }

    /// 31 December of `year`.
    pub fn last_of_year(year: i32) -> Option<Self> {
        Self::new(year, 12, 31)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    pub fn days_since_epoch(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl Date {
    /// The date in a message: `dd/mm/yyyy` in Vietnamese, `yyyy-mm-dd` in English.
    pub fn words(self) -> crate::words::Words {
        crate::words!(
            "date",
            day = format!("{:02}", self.day),
            month = format!("{:02}", self.month),
            year = format!("{:04}", self.year)
        )
    }

    /// The date as Vietnamese documents write it, `dd/mm/yyyy`.
    pub fn vietnamese(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The text is not an ISO date `YYYY-MM-DD`.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a date of the form YYYY-MM-DD")]
pub struct DateParseError(String);

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError(s.to_owned());
        let mut parts = s.splitn(3, '-');
        let mut next = || {
            parts
                .next()
                .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let (Some(y), Some(m), Some(d)) = (next(), next(), next()) else {
            return Err(err());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        let day = d.parse().map_err(|_| err())?;
        Date::new(year, month, day).ok_or_else(err)
    }
}

/// An instant, in microseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Vietnam's time: UTC+7 all year (no daylight saving).
pub const VIETNAM: ::time::UtcOffset = match ::time::UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => ::time::UtcOffset::UTC,
};

impl Timestamp {
    /// The instant in Vietnam's time, or `None` outside the calendar's range.
    pub fn in_vietnam(self) -> Option<::time::OffsetDateTime> {
        ::time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000)
            .ok()
            .map(|t| t.to_offset(VIETNAM))
    }

    /// The day it falls on in Vietnam (a signature at 01:00 UTC on 27 April is made on 27
    /// April; one at 20:00 UTC, on the 28th).
    pub fn date_in_vietnam(self) -> Option<Date> {
        self.in_vietnam()
            .and_then(|t| Date::new(t.year(), u32::from(u8::from(t.month())), u32::from(t.day())))
    }
}

/// A half-open validity interval [from, to): a unit exists from `from` (unbounded when `None`)
/// until the day before `to` (still existing when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Validity {
    /// First day of existence.
    pub from: Option<Date>,
    /// First day of non-existence.
    pub to: Option<Date>,
}

impl Validity {
    /// Checks that the interval is not empty.
    pub fn new(from: Option<Date>, to: Option<Date>, field: &str) -> Result<Self, FieldViolation> {
        match (from, to) {
            (Some(f), Some(t)) if t <= f => Err(FieldViolation::new(
                field,
                crate::words!("validity-order", from => f.words(), to => t.words()),
            )),
            _ => Ok(Self { from, to }),
        }
    }

    /// True when the unit exists on `date`.
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date < t)
    }

    /// True when the unit exists on at least one day of the inclusive period [first, last].
    pub fn overlaps(&self, first: Date, last: Date) -> bool {
        self.from.is_none_or(|f| f <= last) && self.to.is_none_or(|t| first < t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_timestamp_falls_on_its_day_in_vietnam() {
        // 2022-04-27T20:00:00Z is 03:00 on the 28th in Hà Nội.
        let evening = Timestamp(1_651_089_600_000_000);
        assert_eq!(evening.date_in_vietnam(), Some(d("2022-04-28")));
        assert_eq!(
            Timestamp(1_651_021_200_000_000).date_in_vietnam(),
            Some(d("2022-04-27"))
        );
        assert_eq!(d("2022-04-28").vietnamese(), "28/04/2022");
    }

    #[test]
    fn dates_are_validated() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2100, 2, 29).is_none());
        assert!(Date::new(2022, 13, 1).is_none());
        assert!("2022-4-28".parse::<Date>().is_err());
        assert_eq!(d("2022-04-28").to_string(), "2022-04-28");
    }

    #[test]
    fn days_since_epoch() {
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2022-04-28").days_since_epoch(), 19_110);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
    }

    #[test]
    fn validity_is_half_open() {
        let legacy = Validity::new(None, Some(d("2025-07-01")), "v").unwrap_or_default();
        assert!(legacy.contains(d("2025-06-30")));
        assert!(!legacy.contains(d("2025-07-01")));
        assert!(legacy.overlaps(d("2025-01-01"), d("2025-12-31")));
        assert!(!legacy.overlaps(d("2026-01-01"), d("2026-12-31")));
        let new = Validity::new(Some(d("2025-07-01")), None, "v").unwrap_or_default();
        assert!(!new.overlaps(d("2022-01-01"), d("2022-12-31")));
        assert!(Validity::new(Some(d("2025-07-01")), Some(d("2025-07-01")), "v").is_err());
    }
}
