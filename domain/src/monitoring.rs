//! Monitoring rules of measures (一)(二), kept apart from storage so their boundaries are tested as
//! plain functions: when a record falls due for the six-monthly verification (半年比对核实), the age
//! bands of the statistics, the reasons of the key-care ledger, and the day a child leaves scope.

use chrono::{Duration, NaiveDate};

use crate::calendar::{add_months, birthday};

/// Months between two verifications of a child record ("每半年比对核实").
pub const VERIFICATION_MONTHS: u32 = 6;

/// True when a record last verified on `last` is due on `today`: from the day six calendar months
/// later on (exactly six months is due; month ends clamp as in [`crate::calendar`]).
pub fn verification_due(last: NaiveDate, today: NaiveDate) -> bool {
    add_months(last, VERIFICATION_MONTHS).is_some_and(|d| d <= today)
}

/// The latest verification day that is due on `today`: every record verified on or before it is
/// due, every later one is not. Lets the database filter with one comparison.
pub fn verification_cutoff(today: NaiveDate) -> NaiveDate {
    last_satisfying(today.checked_sub_months(chrono::Months::new(VERIFICATION_MONTHS)), |d| verification_due(d, today))
}

/// The latest birth date of a child who is 16 or older on `today`: children born after it are
/// under 16 and in the register; the others have left scope.
pub fn sixteen_cutoff(today: NaiveDate) -> NaiveDate {
    last_satisfying(today.checked_sub_months(chrono::Months::new(16 * 12)), |b| leaves_scope_on(b).is_some_and(|d| d <= today))
}

/// The last day satisfying `pred`, for a predicate true up to some day and false after it, starting
/// from a guess within a few days of that day (month-end clamping maps several days onto one).
fn last_satisfying(guess: Option<NaiveDate>, pred: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    let mut c = guess.unwrap_or(NaiveDate::MIN);
    while let Some(next) = c.checked_add_signed(Duration::days(1)) {
        if !pred(next) {
            break;
        }
        c = next;
    }
    while !pred(c) {
        match c.checked_sub_signed(Duration::days(1)) {
            Some(p) => c = p,
            None => break,
        }
    }
    c
}

/// The day a child leaves the migrant-children scope for age (the 16th birthday, 29 February
/// counting from 28 February in non-leap years).
pub fn leaves_scope_on(birth: NaiveDate) -> Option<NaiveDate> {
    birthday(birth, 16)
}

/// Age bands of the statistics: infants and toddlers, kindergarten, primary, lower secondary.
pub const AGE_BANDS: [(&str, u32, u32); 4] = [("0-2", 0, 2), ("3-5", 3, 5), ("6-11", 6, 11), ("12-15", 12, 15)];

/// The band of an age in completed years; none from 16 on.
pub fn age_band(age: u32) -> Option<&'static str> {
    AGE_BANDS.iter().find(|(_, lo, hi)| (*lo..=*hi).contains(&age)).map(|(b, _, _)| *b)
}

/// Reasons of the key-care ledger (重点关爱服务对象), DOMAIN.md §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCareReason {
    /// 家庭困难.
    FamilyHardship,
    /// 自身残疾.
    Disability,
    /// 监护缺失.
    GuardianshipAbsent,
    /// 流浪.
    Vagrancy,
    /// 心理、行为异常.
    PsychologicalOrBehavioural,
    /// 家庭主动求助: admits a child outside scope (e.g. a cross-township move inside one county).
    FamilyRequest,
}

impl KeyCareReason {
    /// Every reason, in ledger order.
    pub const ALL: [KeyCareReason; 6] = [
        KeyCareReason::FamilyHardship,
        KeyCareReason::Disability,
        KeyCareReason::GuardianshipAbsent,
        KeyCareReason::Vagrancy,
        KeyCareReason::PsychologicalOrBehavioural,
        KeyCareReason::FamilyRequest,
    ];

    /// Storage and export code.
    pub fn code(self) -> &'static str {
        match self {
            KeyCareReason::FamilyHardship => "family_hardship",
            KeyCareReason::Disability => "disability",
            KeyCareReason::GuardianshipAbsent => "guardianship_absent",
            KeyCareReason::Vagrancy => "vagrancy",
            KeyCareReason::PsychologicalOrBehavioural => "psychological_or_behavioural",
            KeyCareReason::FamilyRequest => "family_request",
        }
    }

    /// Parses a storage code.
    pub fn parse(code: &str) -> Option<KeyCareReason> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Chinese label, as in the national system's ledger.
    pub fn label_zh(self) -> &'static str {
        match self {
            KeyCareReason::FamilyHardship => "家庭困难",
            KeyCareReason::Disability => "自身残疾",
            KeyCareReason::GuardianshipAbsent => "监护缺失",
            KeyCareReason::Vagrancy => "流浪",
            KeyCareReason::PsychologicalOrBehavioural => "心理行为异常",
            KeyCareReason::FamilyRequest => "家庭主动求助",
        }
    }
}

/// Why a child may not be added to the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmissionError {
    /// No reason given.
    NoReason,
    /// Not a migrant child in scope, and the family did not ask for help.
    OutOfScopeWithoutRequest,
}

/// Measure (二): children in scope are added for any reason; a child outside scope (a
/// cross-township move inside one county, say) only when the family itself asked for help.
pub fn admit(reasons: &[KeyCareReason], in_scope: bool) -> Result<(), AdmissionError> {
    if reasons.is_empty() {
        Err(AdmissionError::NoReason)
    } else if !in_scope && !reasons.contains(&KeyCareReason::FamilyRequest) {
        Err(AdmissionError::OutOfScopeWithoutRequest)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_record_is_due_exactly_six_months_after_its_verification() {
        assert!(!verification_due(d(2026, 5, 29), d(2026, 11, 28)));
        assert!(verification_due(d(2026, 5, 29), d(2026, 11, 29)));
        assert!(verification_due(d(2026, 5, 29), d(2026, 11, 30)));
    }

    #[test]
    fn the_cutoff_agrees_with_the_rule_on_every_day_of_two_years() {
        let mut today = d(2026, 1, 1);
        while today < d(2028, 1, 1) {
            let c = verification_cutoff(today);
            assert!(verification_due(c, today), "{today}: cutoff {c} must be due");
            assert!(!verification_due(c + Duration::days(1), today), "{today}: the day after {c} must not be due");
            today += Duration::days(1);
        }
    }

    #[test]
    fn the_sixteen_cutoff_separates_the_register_from_those_who_left_it() {
        let mut today = d(2024, 1, 1);
        while today < d(2026, 12, 31) {
            let c = sixteen_cutoff(today);
            assert!(leaves_scope_on(c).is_some_and(|x| x <= today), "{today}: born {c} is 16");
            assert!(leaves_scope_on(c + Duration::days(1)).is_some_and(|x| x > today), "{today}: born the day after {c} is 15");
            today += Duration::days(1);
        }
    }

    #[test]
    fn month_ends_clamp_so_late_august_is_due_at_the_end_of_february() {
        assert_eq!(verification_cutoff(d(2027, 2, 28)), d(2026, 8, 31));
        assert!(verification_due(d(2026, 8, 31), d(2027, 2, 28)));
    }

    #[test]
    fn a_child_leaves_scope_on_the_sixteenth_birthday() {
        assert_eq!(leaves_scope_on(d(2010, 11, 29)), Some(d(2026, 11, 29)));
        assert_eq!(leaves_scope_on(d(2008, 2, 29)), Some(d(2024, 2, 29)));
        assert_eq!(leaves_scope_on(d(2012, 2, 29)), Some(d(2028, 2, 29)));
        assert_eq!(leaves_scope_on(d(2009, 2, 28)), Some(d(2025, 2, 28)));
    }

    #[test]
    fn ages_fall_into_one_band_until_sixteen() {
        assert_eq!(age_band(0), Some("0-2"));
        assert_eq!(age_band(5), Some("3-5"));
        assert_eq!(age_band(6), Some("6-11"));
        assert_eq!(age_band(15), Some("12-15"));
        assert_eq!(age_band(16), None);
    }

    #[test]
    fn out_of_scope_children_enter_the_ledger_only_on_the_familys_request() {
        use KeyCareReason::*;
        assert_eq!(admit(&[], true), Err(AdmissionError::NoReason));
        assert_eq!(admit(&[Vagrancy], true), Ok(()));
        assert_eq!(admit(&[Vagrancy], false), Err(AdmissionError::OutOfScopeWithoutRequest));
        assert_eq!(admit(&[FamilyHardship, FamilyRequest], false), Ok(()));
        for r in KeyCareReason::ALL {
            assert_eq!(KeyCareReason::parse(r.code()), Some(r));
        }
    }
}
