//! Working days for request deadlines: weekends and public holidays are rest days, adjusted
//! weekend working days (调休) are working days. The calendar is data (`data/holidays.toml`),
//! read at start-up and reloadable, because the State Council publishes each year's arrangement
//! only weeks before the year begins.

use std::collections::{BTreeSet, HashSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The holiday calendar.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
    years: BTreeSet<i32>,
}

#[derive(Deserialize)]
struct Raw {
    year: Vec<RawYear>,
}

#[derive(Deserialize)]
struct RawYear {
    year: i32,
    holidays: Vec<NaiveDate>,
    workdays: Vec<NaiveDate>,
}

impl WorkCalendar {
    /// Parses the calendar file.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut c = WorkCalendar::default();
        for y in raw.year {
            if !c.years.insert(y.year) {
                return Err(format!("year {} is listed twice", y.year));
            }
            if let Some(d) = y.holidays.iter().chain(&y.workdays).find(|d| d.year() != y.year) {
                return Err(format!("{d} is listed under year {}", y.year));
            }
            c.holidays.extend(y.holidays);
            c.workdays.extend(y.workdays);
        }
        if let Some(d) = c.holidays.intersection(&c.workdays).next() {
            return Err(format!("{d} is both a holiday and a working day"));
        }
        Ok(c)
    }

    /// The last day the calendar knows: 31 December of the last year of the unbroken run of
    /// years from the first one listed. After it, holidays would silently count as working days.
    pub fn covered_until(&self) -> Option<NaiveDate> {
        let first = *self.years.first()?;
        let mut last = first;
        while self.years.contains(&(last + 1)) {
            last += 1;
        }
        NaiveDate::from_ymd_opt(last, 12, 31)
    }

    /// Whether every day from `today` through `today + days` is covered.
    pub fn covers(&self, today: NaiveDate, days: u32) -> bool {
        let first = self.years.first().and_then(|y| NaiveDate::from_ymd_opt(*y, 1, 1));
        let until = today.checked_add_days(chrono::Days::new(u64::from(days)));
        matches!((first, self.covered_until(), until), (Some(f), Some(c), Some(u)) if f <= today && u <= c)
    }

    /// Whether offices work on `day`.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days from `today` to the deadline day `due`, as a clerk counts them: days after
    /// today up to and including `due`; negative (days overdue) when `due` has passed.
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> i32 {
        let (from, to, sign) = if due >= today { (today, due, 1) } else { (due, today, -1) };
        let days = from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count();
        sign * i32::try_from(days).unwrap_or(i32::MAX)
    }

    /// The day on which `n` working days after `start` have passed (the deadline day): the
    /// submission day itself does not count, as in administrative practice.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_left_skip_weekends_and_count_back_when_overdue() {
        let c = WorkCalendar::from_toml("[[year]]\nyear = 2026\nholidays = []\nworkdays = []\n").expect("calendar");
        let fri = NaiveDate::from_ymd_opt(2026, 12, 4).expect("day");
        let tue = NaiveDate::from_ymd_opt(2026, 12, 8).expect("day");
        assert_eq!(c.working_days_left(fri, tue), 2);
        assert_eq!(c.working_days_left(tue, fri), -2);
        assert_eq!(c.working_days_left(fri, fri), 0);
    }

    #[test]
    fn coverage_ends_with_the_last_unbroken_year() {
        let c = WorkCalendar::from_toml(
            "[[year]]\nyear = 2030\nholidays = []\nworkdays = []\n[[year]]\nyear = 2031\nholidays = []\nworkdays = []\n[[year]]\nyear = 2033\nholidays = []\nworkdays = []\n",
        )
        .expect("calendar");
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(c.covered_until(), Some(d(2031, 12, 31)), "2032 is missing, so 2033 does not count");
        assert!(c.covers(d(2031, 10, 1), 60));
        assert!(!c.covers(d(2031, 11, 15), 60));
        assert!(!c.covers(d(2029, 12, 1), 10), "before the first year is not covered either");
    }

    #[test]
    fn a_date_under_the_wrong_year_or_a_year_twice_is_refused() {
        let wrong = "[[year]]\nyear = 2030\nholidays = [\"2031-01-01\"]\nworkdays = []\n";
        assert!(WorkCalendar::from_toml(wrong).is_err());
        let twice = "[[year]]\nyear = 2030\nholidays = []\nworkdays = []\n[[year]]\nyear = 2030\nholidays = []\nworkdays = []\n";
        assert!(WorkCalendar::from_toml(twice).is_err());
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::from_toml(include_str!("../../data/holidays.toml")).expect("calendar")
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn weekends_are_skipped() {
        // Friday 2026-11-27 + 1 working day = Monday 2026-11-30.
        assert_eq!(cal().add_working_days(d("2026-11-27"), 1), d("2026-11-30"));
        assert_eq!(cal().add_working_days(d("2026-11-23"), 5), d("2026-11-30"));
    }

    #[test]
    fn the_national_day_week_is_skipped_and_the_adjusted_saturday_counts() {
        // 2026-09-30 (Wed) + 1 → holidays 10-01..10-07 → Thursday 10-08.
        assert_eq!(cal().add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
        // Saturday 2026-10-10 is an adjusted working day.
        assert!(cal().is_working_day(d("2026-10-10")));
        assert_eq!(cal().add_working_days(d("2026-10-09"), 1), d("2026-10-10"));
    }

    #[test]
    fn zero_days_is_the_same_day() {
        assert_eq!(cal().add_working_days(d("2026-11-29"), 0), d("2026-11-29"));
    }
}
