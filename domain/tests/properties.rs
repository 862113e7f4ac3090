//! Properties of the engine for random inputs: it never panics, and forgetting a fact never
//! changes a definite answer (in particular never turns NOT_ELIGIBLE into ELIGIBLE) — for the
//! scope and for every entitlement.

use std::sync::OnceLock;

use chrono::NaiveDate;
use domain::eligibility::{FactId, Facts, Lang, Outcome, ScreenOptions, ScreeningResult, screen, screen_with};
use domain::policy::PolicySet;
use domain::regions::Divisions;
use proptest::prelude::*;

fn reference() -> &'static (Divisions, PolicySet) {
    static R: OnceLock<(Divisions, PolicySet)> = OnceLock::new();
    R.get_or_init(|| {
        let d = Divisions::from_csv(include_str!("../../data/divisions.csv")).expect("divisions");
        let p = PolicySet::builtin(&d).expect("policy");
        (d, p)
    })
}

/// Codes that exercise every place rule: central districts, counties and county-level cities of
/// one city, an override city, an autonomous prefecture, other provinces, a city without
/// counties, and invalid codes (township, prefecture, unknown).
const CODES: &[&str] = &[
    "520102",
    "520103",
    "520111",
    "520121",
    "520181",
    "520201",
    "520203",
    "520204",
    "522301",
    "522302",
    "522601",
    "510104",
    "110101",
    "441900",
    "520102016",
    "520100",
    "999999",
];

fn date(from: i32, to: i32) -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(from, 1, 1).expect("date");
    let days = (NaiveDate::from_ymd_opt(to, 12, 31).expect("date") - start).num_days();
    (0..=days).prop_map(move |n| start + chrono::Duration::days(n))
}

fn code() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::sample::select(CODES).prop_map(str::to_string))
}

fn b() -> impl Strategy<Value = Option<bool>> {
    proptest::option::of(any::<bool>())
}

fn facts() -> impl Strategy<Value = Facts> {
    let dates = (proptest::option::of(date(2005, 2028)), proptest::option::of(date(2005, 2029)), proptest::option::of(date(2005, 2029)));
    let places = (code(), code());
    let flags1 = (b(), b(), b(), b(), b(), b(), b(), b());
    let flags2 = (b(), b(), b(), b(), b(), proptest::option::of(0u8..=5));
    (dates, places, flags1, flags2).prop_map(|((birth, since, permit_since), (hukou, residence), f1, f2)| Facts {
        birth_date: birth,
        hukou_region_code: hukou,
        residence_region_code: residence,
        residence_since: since,
        moved_with_guardian: f1.0,
        has_residence_permit: f1.1,
        residence_permit_since: permit_since,
        enrolled_in_school_at_residence: f1.2,
        meets_residence_dibao_test: f1.3,
        meets_hukou_dibao_test: f1.4,
        family_economic_hardship: f1.5,
        sudden_hardship: f1.6,
        has_disability_certificate: f1.7,
        orphan_or_unsupported: f2.0,
        serious_illness: f2.1,
        diagnosed_mental_disorder: f2.2,
        guardianship_absent: f2.3,
        meets_housing_support_conditions: f2.4,
        disability_grade: f2.5,
    })
}

/// Facts biased towards valid, in-scope-looking children so that definite answers are common.
fn plausible_facts() -> impl Strategy<Value = Facts> {
    (
        facts(),
        date(2010, 2024),
        0i64..3000,
        proptest::sample::select(&CODES[..11]),
        proptest::sample::select(&CODES[..12]),
        proptest::option::of(1u8..=4),
    )
        .prop_map(|(mut f, birth, lived, h, r, grade)| {
            f.birth_date = Some(birth);
            f.residence_since = Some(birth + chrono::Duration::days(lived));
            f.hukou_region_code = Some(h.to_string());
            f.residence_region_code = Some(r.to_string());
            f.residence_permit_since = None;
            f.disability_grade = grade;
            f
        })
}

fn outcomes(r: &ScreeningResult) -> Vec<(String, Outcome)> {
    std::iter::once(("scope".to_string(), r.scope.outcome)).chain(r.entitlements.iter().map(|e| (e.code.clone(), e.outcome))).collect()
}

/// Removing facts may only turn a definite outcome into NEEDS_INFO.
fn assert_monotone(full: &ScreeningResult, reduced: &ScreeningResult, what: &str) -> Result<(), TestCaseError> {
    for ((code, a), (_, b)) in outcomes(full).into_iter().zip(outcomes(reduced)) {
        prop_assert!(b == Outcome::NeedsInfo || a == b, "{code}: {a:?} became {b:?} after removing {what}");
        prop_assert!(!(a == Outcome::NotEligible && b == Outcome::Eligible), "{code}: NOT_ELIGIBLE became ELIGIBLE after removing {what}");
    }
    Ok(())
}

fn check(facts: &Facts, as_of: NaiveDate, removed: u32) -> Result<(), TestCaseError> {
    let (divisions, policies) = reference();
    let Ok(full) = screen(policies, divisions, facts, as_of, Lang::En) else { return Ok(()) };
    for id in FactId::ALL {
        let mut less = facts.clone();
        less.clear(id);
        let reduced = screen(policies, divisions, &less, as_of, Lang::En);
        prop_assert!(reduced.is_ok(), "removing {} made the facts invalid", id.api_name());
        if let Ok(reduced) = reduced {
            assert_monotone(&full, &reduced, id.api_name())?;
        }
    }
    let mut less = facts.clone();
    for id in FactId::ALL.iter().filter(|f| removed & (1 << (**f as u32)) != 0) {
        less.clear(*id);
    }
    if let Ok(reduced) = screen(policies, divisions, &less, as_of, Lang::Zh) {
        assert_monotone(&full, &reduced, "a set of facts")?;
    } else {
        prop_assert!(false, "removing facts made them invalid");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(facts in facts(), as_of in date(2024, 2030), zh in any::<bool>()) {
        let (divisions, policies) = reference();
        let lang = if zh { Lang::Zh } else { Lang::En };
        if let Ok(r) = screen(policies, divisions, &facts, as_of, lang) {
            prop_assert_eq!(r.entitlements.len(), policies.latest().entitlements.len());
            for e in &r.entitlements {
                prop_assert_eq!(e.outcome == Outcome::NeedsInfo, !e.missing_facts.is_empty());
            }
        }
    }

    /// The lean screening (no traces, no plain answers, no scope sentences) that queries
    /// selecting only outcomes get decides exactly what the full one decides.
    #[test]
    fn the_lean_screening_decides_what_the_full_one_decides(facts in plausible_facts(), as_of in date(2025, 2029), zh in any::<bool>()) {
        let (divisions, policies) = reference();
        let lang = if zh { Lang::Zh } else { Lang::En };
        let lean = ScreenOptions { trace: false, plain: false, explain_scope: false };
        match (screen(policies, divisions, &facts, as_of, lang), screen_with(policies, divisions, &facts, as_of, lang, lean)) {
            (Ok(full), Ok(quick)) => {
                prop_assert_eq!(full.scope.outcome, quick.scope.outcome);
                prop_assert_eq!(&full.scope.missing_facts, &quick.scope.missing_facts);
                prop_assert!(quick.scope.note.is_none() && quick.scope.reasons.is_empty());
                for (f, q) in full.entitlements.iter().zip(&quick.entitlements) {
                    prop_assert_eq!((&f.code, f.outcome, f.handled_at), (&q.code, q.outcome, q.handled_at));
                    prop_assert_eq!((&f.missing_facts, &f.next_step), (&q.missing_facts, &q.next_step));
                    prop_assert!(q.trace.is_empty());
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "one failed alone: {:?} / {:?}", a.err(), b.err()),
        }
    }

    #[test]
    fn removing_facts_is_monotone(facts in facts(), as_of in date(2025, 2030), removed in any::<u32>()) {
        check(&facts, as_of, removed)?;
    }

    #[test]
    fn removing_facts_is_monotone_for_plausible_children(facts in plausible_facts(), as_of in date(2025, 2029), removed in any::<u32>()) {
        check(&facts, as_of, removed)?;
    }
}
