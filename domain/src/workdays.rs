//! Working days for request deadlines: weekends and public holidays are rest days, adjusted
//! weekend working days (调休) are working days. The calendar is data (`data/holidays.toml`).

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The holiday calendar.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
}

#[derive(Deserialize)]
struct Raw {
    year: Vec<RawYear>,
}

#[derive(Deserialize)]
struct RawYear {
    #[allow(dead_code)]
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
            c.holidays.extend(y.holidays);
            c.workdays.extend(y.workdays);
        }
        if let Some(d) = c.holidays.intersection(&c.workdays).next() {
            return Err(format!("{d} is both a holiday and a working day"));
        }
        Ok(c)
    }

    /// Whether offices work on `day`.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
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
