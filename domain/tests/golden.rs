//! Runs the golden cases of `golden.toml` against the real policy file. Every mismatch is
//! reported with the case name; all mismatches are listed before the test fails.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use domain::eligibility::{Facts, Lang, Outcome, ScreeningResult, TraceResult, screen};
use domain::policy::PolicySet;
use domain::regions::Divisions;
use serde::Deserialize;

#[derive(Deserialize)]
struct GoldenFile {
    #[serde(default)]
    profiles: HashMap<String, toml::Table>,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    as_of: NaiveDate,
    lang: Option<Lang>,
    profile: Option<String>,
    #[serde(default)]
    facts: toml::Table,
    #[serde(default)]
    clear: Vec<String>,
    error: Option<String>,
    scope: Option<Outcome>,
    outside_platform: Option<bool>,
    scope_missing: Option<Vec<String>>,
    #[serde(default)]
    scope_fail: Vec<String>,
    #[serde(default)]
    outcomes: BTreeMap<String, Outcome>,
    others: Option<Outcome>,
    #[serde(default)]
    handled_at: BTreeMap<String, String>,
    #[serde(default)]
    cross_province: BTreeMap<String, bool>,
    #[serde(default)]
    missing: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    next_step_contains: BTreeMap<String, String>,
}

fn facts_of(file: &GoldenFile, case: &Case) -> Facts {
    let mut table = match &case.profile {
        Some(p) => file.profiles.get(p).unwrap_or_else(|| panic!("{}: unknown profile {p}", case.name)).clone(),
        None => toml::Table::new(),
    };
    for (k, v) in &case.facts {
        table.insert(k.clone(), v.clone());
    }
    for k in &case.clear {
        assert!(table.remove(k).is_some(), "{}: clear names absent fact {k}", case.name);
    }
    toml::Value::Table(table).try_into().unwrap_or_else(|e| panic!("{}: bad facts: {e}", case.name))
}

fn check(case: &Case, r: &ScreeningResult, errs: &mut Vec<String>) {
    let mut fail = |msg: String| errs.push(format!("[{}] {msg}", case.name));
    if let Some(s) = case.scope
        && r.scope.outcome != s
    {
        fail(format!("scope: expected {s:?}, got {:?}; reasons: {:#?}", r.scope.outcome, r.scope.reasons));
    }
    if let Some(o) = case.outside_platform
        && r.scope.outside_platform != o
    {
        fail(format!("outside_platform: expected {o}"));
    }
    if let Some(m) = &case.scope_missing
        && &r.scope.missing_facts != m
    {
        fail(format!("scope missing: expected {m:?}, got {:?}", r.scope.missing_facts));
    }
    for c in &case.scope_fail {
        if !r.scope.reasons.iter().any(|t| &t.condition == c && t.result == TraceResult::Fail) {
            fail(format!(
                "scope trace: `{c}` did not FAIL; trace: {:?}",
                r.scope.reasons.iter().map(|t| (&t.condition, t.result)).collect::<Vec<_>>()
            ));
        }
    }
    for code in case
        .outcomes
        .keys()
        .chain(case.handled_at.keys())
        .chain(case.cross_province.keys())
        .chain(case.missing.keys())
        .chain(case.next_step_contains.keys())
    {
        if !r.entitlements.iter().any(|e| &e.code == code) {
            fail(format!("unknown entitlement `{code}`"));
        }
    }
    for e in &r.entitlements {
        let expected = case.outcomes.get(&e.code).copied().or(case.others);
        if let Some(o) = expected
            && e.outcome != o
        {
            fail(format!("{}: expected {o:?}, got {:?} (missing {:?}); trace: {:#?}", e.code, e.outcome, e.missing_facts, e.trace));
        }
        if let Some(h) = case.handled_at.get(&e.code) {
            let got = serde_json::to_value(e.handled_at).expect("json");
            if got.as_str() != Some(h.as_str()) {
                fail(format!("{}: handled_at expected {h}, got {got}", e.code));
            }
        }
        if let Some(c) = case.cross_province.get(&e.code)
            && e.cross_province != *c
        {
            fail(format!("{}: cross_province expected {c}", e.code));
        }
        if let Some(m) = case.missing.get(&e.code)
            && &e.missing_facts != m
        {
            fail(format!("{}: missing expected {m:?}, got {:?}", e.code, e.missing_facts));
        }
        if let Some(t) = case.next_step_contains.get(&e.code)
            && !e.next_step.as_deref().is_some_and(|s| s.contains(t.as_str()))
        {
            fail(format!("{}: next step {:?} does not contain {t:?}", e.code, e.next_step));
        }
        // Invariants that hold for every case.
        if (e.outcome == Outcome::NeedsInfo) == e.missing_facts.is_empty() {
            fail(format!("{}: missing_facts must be non-empty exactly for NEEDS_INFO", e.code));
        }
        if e.outcome == Outcome::Eligible && e.next_step.is_none() {
            fail(format!("{}: eligible without next step", e.code));
        }
        if e.trace.is_empty() || e.trace.iter().any(|t| t.clause.is_empty() || t.description.is_empty()) {
            fail(format!("{}: trace rows need a clause and a description", e.code));
        }
    }
}

#[test]
fn golden_cases() {
    let divisions = Divisions::from_csv(include_str!("../../data/divisions.csv")).expect("divisions");
    let policies = PolicySet::builtin(&divisions).expect("policy");
    let file: GoldenFile = toml::from_str(include_str!("golden.toml")).expect("golden.toml parses");
    let mut errs = Vec::new();
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for case in &file.case {
        let facts = facts_of(&file, case);
        let lang = case.lang.unwrap_or(Lang::Zh);
        match (screen(&policies, &divisions, &facts, case.as_of, lang), &case.error) {
            (Err(e), Some(field)) => {
                if &e.field != field || e.message_zh.is_empty() || e.message_en.is_empty() {
                    errs.push(format!("[{}] expected error on {field}, got {e:?}", case.name));
                }
            }
            (Err(e), None) => errs.push(format!("[{}] unexpected error {e:?}", case.name)),
            (Ok(_), Some(field)) => errs.push(format!("[{}] expected a validation error on {field}", case.name)),
            (Ok(r), None) => {
                check(case, &r, &mut errs);
                for e in &r.entitlements {
                    if case.outcomes.get(&e.code).copied().or(case.others) == Some(e.outcome) {
                        seen.entry(e.code.clone()).or_default().insert(format!("{:?}", e.outcome));
                    }
                }
            }
        }
    }
    for e in &policies.latest().entitlements {
        let got = seen.get(&e.code).cloned().unwrap_or_default();
        if got.len() != 3 {
            errs.push(format!(
                "coverage: `{}` is asserted only as {got:?} in golden.toml; every entitlement needs ELIGIBLE, NOT_ELIGIBLE and NEEDS_INFO",
                e.code
            ));
        }
    }
    assert!(errs.is_empty(), "{} golden mismatch(es):\n{}", errs.len(), errs.join("\n"));
    assert!(file.case.len() >= 40, "golden.toml has {} cases", file.case.len());
}
