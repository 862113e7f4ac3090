//! Plausible windows for dates typed by people, by the server's "today".
//!
//! Why: the API's date types accept anything from year 1 to 9999, and a date outside any real
//! window (a child born in year 1, a session on 9999-12-31) is a typo or an attack that breaks
//! ages, deadlines and sorting downstream. Each input is bounded where its meaning ends.

use chrono::{Months, NaiveDate};

/// A child's record describes a minor: born at most this many years before today.
pub const MINOR_YEARS: u32 = 18;
/// Sessions and due dates are planned at most this many years ahead.
pub const PLANNING_YEARS: u32 = 2;
/// A paper form (a screening's consent) is entered at most this many years after it was signed.
pub const PAPER_FORM_YEARS: u32 = 2;

/// `today` moved back by `years` (29 February falls back to the 28th).
fn years_before(today: NaiveDate, years: u32) -> NaiveDate {
    today.checked_sub_months(Months::new(12 * years)).unwrap_or(NaiveDate::MIN)
}

/// The earliest birth date of a minor today.
pub fn earliest_birth(today: NaiveDate) -> NaiveDate {
    years_before(today, MINOR_YEARS)
}

/// A child's birth date: not after today and not before [`earliest_birth`].
pub fn is_plausible_birth(birth: NaiveDate, today: NaiveDate) -> bool {
    birth <= today && birth >= earliest_birth(today)
}

/// The last day something may be planned for.
pub fn latest_planned(today: NaiveDate) -> NaiveDate {
    today.checked_add_months(Months::new(12 * PLANNING_YEARS)).unwrap_or(NaiveDate::MAX)
}

/// A date something is planned for: after today, at most [`PLANNING_YEARS`] ahead.
pub fn is_plausible_plan(day: NaiveDate, today: NaiveDate) -> bool {
    day > today && day <= latest_planned(today)
}

/// The day a paper form was signed: not after today, at most [`PAPER_FORM_YEARS`] ago.
pub fn is_plausible_signature(day: NaiveDate, today: NaiveDate) -> bool {
    day <= today && day >= years_before(today, PAPER_FORM_YEARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_birth_date_is_a_minors() {
        let today = d("2026-12-03");
        assert!(!is_plausible_birth(d("0001-01-01"), today));
        assert!(!is_plausible_birth(d("2008-12-02"), today));
        assert!(is_plausible_birth(d("2008-12-03"), today));
        assert!(is_plausible_birth(today, today));
        assert!(!is_plausible_birth(d("2026-12-04"), today));
    }

    #[test]
    fn plans_are_in_the_next_two_years() {
        let today = d("2026-12-03");
        assert!(!is_plausible_plan(today, today));
        assert!(is_plausible_plan(d("2028-12-03"), today));
        assert!(!is_plausible_plan(d("2028-12-04"), today));
        assert!(!is_plausible_plan(d("9999-12-31"), today));
        assert!(!is_plausible_signature(d("1900-01-01"), today));
        assert!(is_plausible_signature(today, today));
    }
}
