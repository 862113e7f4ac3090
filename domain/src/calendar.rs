//! Calendar arithmetic for ages and residence lengths.
//!
//! Why one module: the policy's boundaries ("不满十六周岁", "六个月以上", "连续居住满1年") must be
//! computed the same way everywhere, and the edge cases are conventions that need to be explicit:
//!
//! * months are calendar months: `add_months(d, n)` keeps the day of month and clamps it to the
//!   last day of the target month (31 Aug + 6 months = 28/29 Feb);
//! * a duration of *n* months is reached on `add_months(start, n)` itself ("六个月以上" includes
//!   exactly six months);
//! * a year is twelve months, so a child born on 29 February turns one year older on
//!   28 February in non-leap years (and on 29 February in leap years).

use chrono::{Datelike, Months, NaiveDate};

/// `date` plus `months` calendar months, clamping the day to the end of the target month.
/// `None` only when the result is outside chrono's range.
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// True when at least `months` calendar months have passed from `start` to `on` (inclusive of
/// the anniversary day itself). A `start` after `on` never satisfies a positive duration.
pub fn months_at_least(start: NaiveDate, on: NaiveDate, months: u32) -> bool {
    add_months(start, months).is_some_and(|d| d <= on)
}

/// Whole calendar months from `start` to `on` (0 when `on` is before `start`).
pub fn months_between(start: NaiveDate, on: NaiveDate) -> u32 {
    if on < start {
        return 0;
    }
    let raw = (on.year() - start.year()) * 12 + on.month() as i32 - start.month() as i32;
    let mut n = u32::try_from(raw.max(0)).unwrap_or(0);
    while n > 0 && !months_at_least(start, on, n) {
        n -= 1;
    }
    n
}

/// Age in completed years on `on` (0 before birth). The birthday of a child born on
/// 29 February counts from 28 February in non-leap years.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    months_between(birth, on) / 12
}

/// The day on which a child born on `birth` turns `years` old (29 Feb → 28 Feb in non-leap years).
pub fn birthday(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    add_months(birth, years.checked_mul(12)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn sixteenth_birthday_boundary() {
        let birth = d(2009, 5, 10);
        assert_eq!(age_on(birth, d(2025, 5, 9)), 15);
        assert_eq!(age_on(birth, d(2025, 5, 10)), 16);
    }

    #[test]
    fn leap_day_birthday_counts_from_28_february_in_common_years() {
        let birth = d(2020, 2, 29);
        assert_eq!(age_on(birth, d(2021, 2, 27)), 0);
        assert_eq!(age_on(birth, d(2021, 2, 28)), 1);
        assert_eq!(age_on(birth, d(2023, 2, 27)), 2);
        assert_eq!(age_on(birth, d(2023, 2, 28)), 3);
        assert_eq!(age_on(birth, d(2024, 2, 28)), 3, "leap year: birthday is 29 Feb");
        assert_eq!(age_on(birth, d(2024, 2, 29)), 4);
        assert_eq!(birthday(birth, 3), Some(d(2023, 2, 28)));
        assert_eq!(birthday(d(2008, 2, 29), 16), Some(d(2024, 2, 29)));
    }

    #[test]
    fn month_end_clamping() {
        assert_eq!(add_months(d(2024, 8, 31), 6), Some(d(2025, 2, 28)));
        assert_eq!(add_months(d(2023, 8, 31), 6), Some(d(2024, 2, 29)));
        assert_eq!(add_months(d(2025, 1, 31), 1), Some(d(2025, 2, 28)));
        assert!(months_at_least(d(2024, 8, 31), d(2025, 2, 28), 6));
        assert!(!months_at_least(d(2024, 8, 31), d(2025, 2, 27), 6));
    }

    #[test]
    fn six_months_exactly_counts() {
        let since = d(2024, 9, 15);
        assert!(months_at_least(since, d(2025, 3, 15), 6));
        assert!(!months_at_least(since, d(2025, 3, 14), 6));
        assert_eq!(months_between(since, d(2025, 3, 14)), 5);
        assert_eq!(months_between(since, d(2025, 3, 15)), 6);
    }

    #[test]
    fn one_year_from_leap_day_residence() {
        let since = d(2024, 2, 29);
        assert!(months_at_least(since, d(2025, 2, 28), 12));
        assert!(!months_at_least(since, d(2025, 2, 27), 12));
    }

    #[test]
    fn before_start_is_zero() {
        assert_eq!(months_between(d(2025, 1, 1), d(2024, 1, 1)), 0);
        assert_eq!(age_on(d(2025, 1, 1), d(2024, 1, 1)), 0);
        assert!(!months_at_least(d(2025, 1, 1), d(2024, 1, 1), 0));
        assert!(months_at_least(d(2025, 1, 1), d(2025, 1, 1), 0));
    }
}
