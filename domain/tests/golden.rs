//! Runs the golden cases of `golden.toml` against the real policy file. Every mismatch is
//! reported with the case name; all mismatches are listed before the test fails.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use domain::eligibility::{Facts, Lang, Outcome, ScreeningResult, TraceResult, screen};
use domain::policy::PolicySet;
use domain::policy::RuleKind;
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
    #[serde(default)]
    next_step_lacks: BTreeMap<String, String>,
    #[serde(default)]
    trans_provincial: BTreeMap<String, bool>,
    #[serde(default)]
    why_contains: BTreeMap<String, String>,
    scope_why_contains: Option<String>,
    #[serde(default)]
    otherwise_contains: BTreeMap<String, String>,
    #[serde(default)]
    extra_step_contains: BTreeMap<String, String>,
    #[serde(default)]
    where_contains: BTreeMap<String, String>,
    #[serde(default)]
    bring_contains: BTreeMap<String, String>,
    #[serde(default)]
    any_one: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    scope_basis: BTreeMap<String, RuleKind>,
    cites: Option<String>,
}

/// A plain answer must read as plain language: no region codes, no trace vocabulary.
fn plain_language(text: &str) -> Result<(), String> {
    let digits = text.as_bytes().windows(6).any(|w| w.iter().all(u8::is_ascii_digit));
    let jargon = ["UNKNOWN", "NOT_ELIGIBLE", "NEEDS_INFO", "：否", ": no", "_", "不满足以下条件"];
    match (digits, jargon.iter().find(|j| text.contains(**j))) {
        (true, _) => Err(format!("region code in plain answer: {text}")),
        (_, Some(j)) => Err(format!("`{j}` in plain answer: {text}")),
        _ => Ok(()),
    }
}

fn contains(what: &str, got: Option<&str>, want: &str, fail: &mut dyn FnMut(String)) {
    if !got.is_some_and(|s| s.contains(want)) {
        fail(format!("{what}: {got:?} does not contain {want:?}"));
    }
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
    if let Some(w) = &case.scope_why_contains {
        contains("scope why", Some(&r.scope.plain.why), w, &mut fail);
    }
    if let Err(e) = plain_language(&r.scope.plain.why) {
        fail(e);
    }
    for (code, kind) in &case.scope_basis {
        if !r.scope.reasons.iter().any(|t| &t.condition == code && t.basis == *kind) {
            fail(format!("scope condition `{code}` is not {kind:?}"));
        }
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
        .chain(case.why_contains.keys())
        .chain(case.any_one.keys())
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
        if let Some(t) = case.next_step_lacks.get(&e.code)
            && e.next_step.as_deref().is_some_and(|s| s.contains(t.as_str()))
        {
            fail(format!("{}: next step {:?} must not contain {t:?}", e.code, e.next_step));
        }
        if let Some(t) = case.trans_provincial.get(&e.code)
            && e.trans_provincial_service != *t
        {
            fail(format!("{}: trans_provincial_service expected {t}", e.code));
        }
        let p = &e.plain;
        let checks = [
            ("why", &case.why_contains, Some(p.why.as_str())),
            ("otherwise", &case.otherwise_contains, p.otherwise.as_deref()),
            ("extra step", &case.extra_step_contains, p.extra_step.as_deref()),
            ("where to go", &case.where_contains, p.where_to_go.as_deref()),
            ("bring", &case.bring_contains, p.bring.as_deref()),
        ];
        for (what, map, got) in checks {
            if let Some(want) = map.get(&e.code) {
                contains(&format!("{} {what}", e.code), got, want, &mut fail);
            }
        }
        if let Some(facts) = case.any_one.get(&e.code)
            && !p.missing.iter().any(|g| g.any_one && &g.facts == facts)
        {
            fail(format!("{}: no any-one group {facts:?} in {:?}", e.code, p.missing));
        }
        for text in [Some(p.why.as_str()), p.where_to_go.as_deref(), p.otherwise.as_deref()].into_iter().flatten() {
            if let Err(err) = plain_language(text) {
                fail(format!("{}: {err}", e.code));
            }
        }
        if p.why.is_empty() || (e.outcome == Outcome::NeedsInfo) == p.missing.is_empty() {
            fail(format!("{}: plain answer needs a why, and missing groups exactly for NEEDS_INFO: {p:?}", e.code));
        }
        if e.outcome == Outcome::Eligible && p.where_to_go.is_none() {
            fail(format!("{}: eligible without where to go", e.code));
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
    let source = include_str!("../../policy/source/guizhou-2025-migrant-children-measures.zh.txt");
    for case in &file.case {
        if let Some(c) = &case.cites
            && !source.contains(c.as_str())
        {
            errs.push(format!("[{}] cites text that is not in the measures: {c}", case.name));
        }
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
