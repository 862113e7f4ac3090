//! Decisions are reproducible "as of" a date: the policy version and parameter values in force
//! on that day are used, whatever was loaded later.

use chrono::NaiveDate;
use domain::eligibility::{Facts, Lang, Outcome, screen};
use domain::policy::{GUIZHOU_2025, PolicySet};
use domain::regions::Divisions;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn divisions() -> Divisions {
    Divisions::from_csv(include_str!("../../data/divisions.csv")).expect("divisions")
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not found");
    text.replacen(from, to, 1)
}

/// Version 1 closed on 2026-12-31; version 2 from 2027-01-01 lowers the residence minimum for the
/// residence-place dibao from 12 to 6 months.
fn two_versions() -> (String, String) {
    let v1 = replace_once(GUIZHOU_2025.1, "effective_from = 2025-02-17\n", "effective_from = 2025-02-17\neffective_to = 2026-12-31\n");
    let v2 = replace_once(GUIZHOU_2025.1, "version = \"guizhou-2025.1\"", "version = \"guizhou-2027.1\"");
    let v2 = replace_once(&v2, "effective_from = 2025-02-17\n", "effective_from = 2027-01-01\n");
    let v2 = replace_once(&v2, "name = \"dibao_residence_min_months\"\nvalue = 12\n", "name = \"dibao_residence_min_months\"\nvalue = 6\n");
    (v1, v2)
}

fn child() -> Facts {
    Facts {
        birth_date: Some(d("2016-04-10")),
        hukou_region_code: Some("520121".into()),
        residence_region_code: Some("520102".into()),
        residence_since: Some(d("2026-05-01")),
        moved_with_guardian: Some(true),
        has_residence_permit: Some(true),
        meets_residence_dibao_test: Some(true),
        meets_hukou_dibao_test: Some(false),
        ..Facts::default()
    }
}

fn dibao(policies: &PolicySet, as_of: NaiveDate) -> (String, Outcome) {
    let r = screen(policies, &divisions(), &child(), as_of, Lang::Zh).expect("screening");
    let e = r.entitlements.iter().find(|e| e.code == "dibao_residence").expect("dibao_residence");
    (r.policy_version, e.outcome)
}

#[test]
fn each_date_uses_the_version_in_force() {
    let divisions = divisions();
    let (v1, v2) = two_versions();
    let set = PolicySet::load(&[("policy/guizhou-2025.toml", &v1), ("policy/guizhou-2027.toml", &v2)], &divisions).expect("two versions");
    assert_eq!(set.versions().len(), 2);
    assert_eq!(set.latest().version, "guizhou-2027.1");
    // Seven months of residence on both days.
    assert_eq!(dibao(&set, d("2026-12-31")), ("guizhou-2025.1".to_string(), Outcome::NotEligible));
    assert_eq!(dibao(&set, d("2027-01-01")), ("guizhou-2027.1".to_string(), Outcome::Eligible));
}

#[test]
fn a_past_decision_is_reproduced_after_a_new_version_is_added() {
    let divisions = divisions();
    let (v1, v2) = two_versions();
    let before = PolicySet::load(&[("policy/guizhou-2025.toml", &v1)], &divisions).expect("v1");
    let after = PolicySet::load(&[("policy/guizhou-2025.toml", &v1), ("policy/guizhou-2027.toml", &v2)], &divisions).expect("v1+v2");
    for day in ["2026-06-01", "2026-11-01", "2026-12-31"] {
        let then = screen(&before, &divisions, &child(), d(day), Lang::En).expect("then");
        let now = screen(&after, &divisions, &child(), d(day), Lang::En).expect("now");
        assert_eq!(then, now, "decision as of {day} changed after adding a version");
    }
    // After the first version ends, only the new file can answer.
    assert!(screen(&before, &divisions, &child(), d("2027-01-01"), Lang::En).is_err_and(|e| e.field == "asOf"));
}

#[test]
fn parameters_with_effective_dates_change_routing_and_rules_on_their_date() {
    let divisions = divisions();
    let mut text = replace_once(
        GUIZHOU_2025.1,
        "name = \"sla_warn_share\"\nvalue = 0.75\n",
        "name = \"sla_warn_share\"\nvalue = 0.75\neffective_to = 2025-12-31\n",
    );
    text.push_str("\n[[parameter]]\nname = \"sla_warn_share\"\nvalue = 0.8\nunit = \"share\"\neffective_from = 2026-01-01\n");
    let mut text = replace_once(
        &text,
        "name = \"kindergarten_min_age\"\nvalue = 3\n",
        "name = \"kindergarten_min_age\"\nvalue = 3\neffective_to = 2025-12-31\n",
    );
    text.push_str("\n[[parameter]]\nname = \"kindergarten_min_age\"\nvalue = 2\nunit = \"years\"\neffective_from = 2026-01-01\n");
    let set = PolicySet::load(&[("policy/guizhou-2025.toml", &text)], &divisions).expect("dated parameters");
    let e = set.latest().entitlement("school_enrolment").expect("school");
    assert_eq!(e.routing_at(d("2025-12-31")).map(|r| r.warn_share), Some(0.75));
    assert_eq!(e.routing_at(d("2026-01-01")).map(|r| r.warn_share), Some(0.8));

    let toddler = Facts { birth_date: Some(d("2023-06-01")), residence_since: Some(d("2024-01-01")), ..child() };
    let kg = |day: &str| {
        let r = screen(&set, &divisions, &toddler, d(day), Lang::Zh).expect("screen");
        r.entitlements.iter().find(|e| e.code == "kindergarten").map(|e| e.outcome)
    };
    assert_eq!(kg("2025-12-31"), Some(Outcome::NotEligible));
    assert_eq!(kg("2026-01-01"), Some(Outcome::Eligible));
}

#[test]
fn a_gap_between_parameter_values_is_rejected() {
    let mut text = replace_once(
        GUIZHOU_2025.1,
        "name = \"sla_warn_share\"\nvalue = 0.75\n",
        "name = \"sla_warn_share\"\nvalue = 0.75\neffective_to = 2025-12-31\n",
    );
    text.push_str("\n[[parameter]]\nname = \"sla_warn_share\"\nvalue = 0.8\nunit = \"share\"\neffective_from = 2026-02-01\n");
    let err = PolicySet::load(&[("policy/guizhou-2025.toml", &text)], &divisions()).expect_err("gap");
    let line = text.lines().position(|l| l == "effective_from = 2026-02-01").expect("line") + 1;
    assert_eq!(err.line, line, "{err}");
    assert!(err.message.contains("no value in force"), "{err}");
}
