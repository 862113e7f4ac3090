//! Loading the real policy file, and one test per validation error kind asserting the line.

use chrono::NaiveDate;
use domain::policy::{GUIZHOU_2025, GUIZHOU_CENTRAL_DISTRICTS, HandlingPlace, PolicySet, RuleKind};
use domain::regions::Divisions;

const FILE: &str = "policy/guizhou-2025.toml";
const SOURCE_TEXT: &str = include_str!("../../policy/source/guizhou-2025-migrant-children-measures.zh.txt");

fn divisions() -> Divisions {
    Divisions::from_csv(include_str!("../../data/divisions.csv")).expect("divisions")
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn load(text: &str) -> Result<PolicySet, domain::policy::PolicyError> {
    PolicySet::load(&[(FILE, text)], &divisions())
}

/// Replaces the first occurrence of `find` (which must exist) and returns the new text and the
/// 1-based line where it was.
fn mutate(find: &str, replace: &str) -> (String, usize) {
    let text = GUIZHOU_2025.1;
    let at = text.find(find).unwrap_or_else(|| panic!("`{find}` not in policy file"));
    let line = text[..at].matches('\n').count() + 1;
    (text.replacen(find, replace, 1), line)
}

fn expect_error(text: &str, line: usize, needle: &str) {
    let err = load(text).expect_err("policy must not load");
    assert_eq!(err.file, FILE);
    assert_eq!(err.line, line, "wrong line in `{err}`");
    assert!(err.message.contains(needle), "`{err}` does not mention `{needle}`");
    assert!(err.to_string().starts_with(&format!("{FILE}:{line}: ")), "display: {err}");
}

#[test]
fn real_policy_loads_with_every_entitlement() {
    let set = PolicySet::builtin(&divisions()).expect("policy loads");
    let p = set.latest();
    assert_eq!(p.version, "guizhou-2025.1");
    assert_eq!(p.effective_from, d("2025-02-17"));
    assert_eq!(p.departments.len(), 23);
    let codes: Vec<&str> = p.entitlements.iter().map(|e| e.code.as_str()).collect();
    let expected = [
        "dibao_residence",
        "dibao_hukou",
        "temporary_assistance",
        "state_guardianship",
        "orphan_allowance",
        "disability_subsidies",
        "public_housing",
        "transit_card",
        "kindergarten",
        "school_enrolment",
        "education_aid",
        "exams_at_residence",
        "public_health",
        "vaccination",
        "childcare",
        "medical_insurance",
        "medical_assistance",
        "major_illness",
        "rehabilitation",
        "family_education",
        "mental_health",
        "hotline_12355",
        "psychiatric_rehab",
        "legal_safety",
        "cultural_services",
        "city_integration",
        "parent_employment",
    ];
    assert_eq!(codes, expected);
    for e in &p.entitlements {
        assert_eq!(e.requestable, e.routing.is_some(), "{}", e.code);
        if e.requestable {
            let r = e.routing_at(d("2025-06-01")).expect("routing in force");
            assert!(r.high_risk_resolution_working_days <= r.resolution_working_days, "{}", e.code);
            assert!(r.first_response_working_days >= 1 && r.warn_share > 0.0 && r.warn_share < 1.0);
            assert!(p.department(&r.queue_department).is_some());
        }
    }
    let dibao = p.entitlement("dibao_residence").expect("dibao");
    let r = dibao.routing_at(d("2025-06-01")).expect("routing");
    assert_eq!(
        (r.queue_department.as_str(), r.resolution_working_days, r.high_risk_resolution_working_days, r.warn_share),
        ("civil_affairs", 30, 15, 0.75)
    );
    assert_eq!(p.entitlement("hotline_12355").map(|e| e.handled_at), Some(HandlingPlace::None));
    assert!(set.version_at(d("2025-02-16")).is_none());
    assert!(set.version_at(d("2030-01-01")).is_some());
}

/// Every clause and quote in the policy file is verbatim policy text.
#[test]
fn clauses_and_quotes_are_verbatim() {
    fn walk(v: &toml::Value, key: &str, found: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    walk(v, k, found);
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|v| walk(v, key, found)),
            toml::Value::String(s) if key == "quote" => found.push(s.clone()),
            _ => {}
        }
    }
    let v: toml::Value = toml::from_str(GUIZHOU_2025.1).expect("toml");
    let mut found = Vec::new();
    walk(&v, "", &mut found);
    for e in v["entitlement"].as_array().expect("entitlements") {
        found.push(e["clause"].as_str().expect("clause").to_string());
    }
    found.push(v["scope"]["clause"].as_str().expect("scope clause").to_string());
    assert!(found.len() > 60, "{}", found.len());
    for q in found {
        assert!(SOURCE_TEXT.contains(&q), "not verbatim in the policy text: {q}");
    }
}

#[test]
fn unknown_fact_names_its_line() {
    let (text, line) =
        mutate(r#"fact = "hasResidencePermit", quote = "持有居住证" }"#, r#"fact = "hasResidencePermt", quote = "持有居住证" }"#);
    expect_error(&text, line, "unknown fact `hasResidencePermt`");
}

#[test]
fn unknown_department_names_its_line() {
    let (text, line) = mutate(r#"lead_department = "education""#, r#"lead_department = "educaton""#);
    expect_error(&text, line, "unknown department `educaton`");
    let (text, line) = mutate(r#"coordinating_departments = ["disabled_federation"]"#, r#"coordinating_departments = ["disabled_fed"]"#);
    expect_error(&text, line, "unknown department `disabled_fed`");
    let (text, line) = mutate(r#"routing = { queue_department = "housing""#, r#"routing = { queue_department = "housin""#);
    expect_error(&text, line, "unknown department `housin`");
}

#[test]
fn overlapping_effective_ranges_name_the_later_line() {
    let mut text = GUIZHOU_2025.1.to_string();
    let extra = "\n[[parameter]]\nname = \"scope_age_limit\"\nvalue = 18\nunit = \"years\"\neffective_from = 2026-01-01\n";
    let line = text.matches('\n').count() + 1 + 5;
    text.push_str(extra);
    expect_error(&text, line, "overlaps");

    let (file, lists) = GUIZHOU_CENTRAL_DISTRICTS;
    let extra = "\n[[city]]\nprefecture = \"520300\"\nname = \"遵义市\"\ndistricts = [\"520302\"]\nstatus = \"confirmed\"\nsource = \"遵义市民政局\"\ndated = 2026-01-01\neffective_from = 2026-01-01\n";
    let line = lists.matches('\n').count() + 1 + 8;
    let text = format!("{lists}{extra}");
    let err = PolicySet::load_with(&[GUIZHOU_2025], (file, &text), &divisions()).expect_err("overlap");
    assert_eq!((err.file.as_str(), err.line), (file, line), "{err}");
    assert!(err.message.contains("overlaps"), "{err}");
}

#[test]
fn overlapping_policy_versions_are_rejected() {
    let divisions = divisions();
    let second = GUIZHOU_2025.1.replacen(r#"version = "guizhou-2025.1""#, r#"version = "guizhou-2026.1""#, 1).replacen(
        "effective_from = 2025-02-17",
        "effective_from = 2026-01-01",
        1,
    );
    let line = second.lines().position(|l| l == "effective_from = 2026-01-01").expect("line") + 1;
    let err = PolicySet::load(&[GUIZHOU_2025, ("policy/guizhou-2026.toml", &second)], &divisions).expect_err("overlap");
    assert_eq!((err.file.as_str(), err.line), ("policy/guizhou-2026.toml", line), "{err}");
    assert!(err.message.contains("overlaps"), "{err}");
}

#[test]
fn condition_referring_to_nothing_names_its_line() {
    let (text, line) = mutate(r#"param = "childcare_age_limit""#, r#"param = "childcare_limit""#);
    expect_error(&text, line, "refers to nothing");
    let (text, line) = mutate(
        r#"{ kind = "fact_true", fact = "suddenHardship", quote = "符合临时救助" }"#,
        r#"{ kind = "fact_true", quote = "符合临时救助" }"#,
    );
    expect_error(&text, line, "refers to nothing");
    let (text, line) = mutate(r#"resolution_working_days = "sla_resolution_working_days""#, r#"resolution_working_days = "sla_missing""#);
    expect_error(&text, line, "refers to nothing");
}

#[test]
fn requestable_without_routing_names_its_line() {
    let find = "requestable = true\nbookable = false\nrouting = { queue_department = \"hrss\"";
    let at = GUIZHOU_2025.1.find(find).expect("parent_employment routing");
    let line = GUIZHOU_2025.1[..at].matches('\n').count() + 1;
    let end = GUIZHOU_2025.1[at..].find("\nnext_step_zh").expect("next step") + at;
    let text = format!("{}requestable = true\nbookable = false{}", &GUIZHOU_2025.1[..at], &GUIZHOU_2025.1[end..]);
    expect_error(&text, line, "requestable but has no routing");
}

#[test]
fn other_errors_name_their_line() {
    let (text, line) = mutate(r#"kind = "different_county""#, r#"kind = "different_countyy""#);
    expect_error(&text, line, "unknown condition kind");
    let (text, line) = mutate(r#"handled_at = "none""#, r#"handled_at = "nowhere""#);
    expect_error(&text, line, "unknown handled_at");
    let (file, lists) = GUIZHOU_CENTRAL_DISTRICTS;
    let at = lists.find(r#"districts = ["520201", "520204"]"#).expect("六盘水 list");
    let line = lists[..at].matches('\n').count() + 1;
    let text = lists.replacen(r#"districts = ["520201", "520204"]"#, r#"districts = ["520201", "520102"]"#, 1);
    let err = PolicySet::load_with(&[GUIZHOU_2025], (file, &text), &divisions()).expect_err("foreign district");
    assert_eq!((err.file.as_str(), err.line), (file, line), "{err}");
    assert!(err.message.contains("not a county-level division of 520200"), "{err}");
    let (text, line) = mutate(
        r#"rule_kind = "platform", rule = "本平台服务居住地在贵州省的儿童""#,
        r#"rule_kind = "platform", quote = "本平台服务居住地在贵州省的儿童""#,
    );
    expect_error(&text, line, "");
    let (text, line) = mutate("value = 16\nunit = \"years\"", "value = 15.5\nunit = \"years\"");
    expect_error(&text, line, "whole number");
    let (text, line) = mutate("next_step_zh = \"持学生证", "next_step_zh = \"{school}持学生证");
    expect_error(&text, line, "unknown placeholder");
    let (text, line) = mutate("bookable = true\n", "bookable = yes\n");
    expect_error(&text, line, "");
    let (text, line) = mutate("name_zh = \"普惠托育服务\"", "name_zh = \"普惠托育服务\"\ncolour = \"red\"");
    expect_error(&text, line + 1, "colour");
}

/// The text of one measure: from "(三)" to the next measure's number (or the end of the text).
fn measure_text(code: &str) -> &'static str {
    let body = &SOURCE_TEXT[SOURCE_TEXT.find("关于加强流动儿童关爱保护的若干措施\n").expect("title")..];
    let start = body.find(code).unwrap_or_else(|| panic!("{code} not in the text"));
    let rest = &body[start + code.len()..];
    let end = rest.find("\n(").unwrap_or(rest.len());
    &rest[..end]
}

/// Every quote of every condition is verbatim text of its own measure; platform and local rules
/// carry a source, are not the measures' text, and are never shown in quotation marks.
#[test]
fn every_quote_is_verbatim_in_its_measure_and_no_rule_poses_as_a_quote() {
    let set = PolicySet::builtin(&divisions()).expect("policy");
    let p = set.latest();
    let mut quotes = 0;
    let mut rules = 0;
    let bases = p.entitlements.iter().flat_map(|e| e.bases().into_iter().map(move |b| (e.code.as_str(), b)));
    for (owner, b) in p.scope_bases().into_iter().map(|b| ("scope", b)).chain(bases) {
        match b.kind {
            RuleKind::MeasureQuote => {
                quotes += 1;
                assert!(measure_text(&b.measure).contains(&b.text), "{owner}: not verbatim in {}: {}", b.measure, b.text);
            }
            RuleKind::PlatformRule | RuleKind::LocalRule => {
                rules += 1;
                assert!(b.source.as_deref().is_some_and(|s| !s.trim().is_empty()), "{owner}: rule without a source: {}", b.text);
                assert!(!SOURCE_TEXT.contains(&b.text), "{owner}: a rule must not pass as the measures' text: {}", b.text);
                for lang in [domain::eligibility::Lang::Zh, domain::eligibility::Lang::En] {
                    let shown = b.display(lang);
                    assert!(!shown.contains('“') && !shown.contains('”'), "{owner}: rule shown as a quote: {shown}");
                }
            }
        }
    }
    for e in &p.entitlements {
        assert!(measure_text(&e.measure).contains(&e.clause), "{}: clause not verbatim in {}", e.code, e.measure);
    }
    for m in &p.measures {
        let text = measure_text(&m.code);
        assert!(text.starts_with(&m.title_zh), "{}: title", m.code);
        assert!(text.contains(&m.responsibility), "{}: responsibility not verbatim", m.code);
        for d in &m.duties {
            assert!(text.contains(&d.quote), "{}: duty quote not verbatim: {}", m.code, d.quote);
        }
    }
    assert!(quotes > 60 && rules >= 5, "quotes {quotes}, rules {rules}");
    assert_eq!(p.measures.len(), 13);
}

#[test]
fn a_department_nobody_routes_to_and_no_duty_lists_is_rejected() {
    let (text, _) = mutate(r#"departments = ["finance"], zh = "经费保障"#, r#"departments = [], zh = "经费保障"#);
    let err = load(&text).expect_err("finance unmentioned");
    assert!(err.message.contains("`finance`"), "{err}");
}
