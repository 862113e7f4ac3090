//! The public screener and the service catalogue, through GraphQL as the app calls them.

use integration_tests::{TestApp, code, field};
use serde_json::{Value, json};

const SCREEN: &str = "query($i: ScreeningInput!, $d: Date){ screenEligibility(input: $i, asOf: $d){
  policyVersion asOf
  scope { outcome outsidePlatform note reasons { condition fact value result clause } }
  entitlements { code name outcome measure handledAt crossProvince missingFacts nextStep requestable bookable
    departments { code name } trace { condition fact value result clause } } } }";

/// A seven-year-old who moved from 播州区 (Zunyi) to 南明区 (Guiyang) with her mother in 2025.
fn pupil() -> Value {
    json!({
        "birthDate": "2019-03-10",
        "hukouRegionCode": "520304",
        "residenceRegionCode": "520102",
        "residenceSince": "2025-02-01",
        "movedWithGuardian": true,
        "hasResidencePermit": true,
        "residencePermitSince": "2025-03-01",
        "enrolledInSchoolAtResidence": true
    })
}

fn entitlement<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["data"]["screenEligibility"]["entitlements"]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["code"] == code))
        .unwrap_or_else(|| panic!("{code} missing in {r}"))
}

#[tokio::test]
async fn a_migrant_pupil_is_in_scope_and_may_enrol_at_the_residence_with_the_clause_cited() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, SCREEN, json!({"i": pupil(), "d": "2026-09-01"})).await;
    assert!(r["errors"].is_null(), "{r}");
    let s = &r["data"]["screenEligibility"];
    assert_eq!(s["scope"]["outcome"], "ELIGIBLE");
    assert_eq!(s["asOf"], "2026-09-01");
    let school = entitlement(&r, "school_enrolment");
    assert_eq!(school["outcome"], "ELIGIBLE");
    assert_eq!(school["measure"], "(四)");
    assert_eq!(school["handledAt"], "RESIDENCE");
    assert_eq!(school["departments"][0]["code"], "education");
    assert!(
        school["trace"].as_array().is_some_and(|t| !t.is_empty() && t.iter().all(|c| !c["clause"].as_str().unwrap_or_default().is_empty()))
    );
    assert!(school["nextStep"].as_str().is_some_and(|s| !s.is_empty()));
    // The catalogue covers the whole basic service list.
    assert!(s["entitlements"].as_array().is_some_and(|l| l.len() >= 26));
}

#[tokio::test]
async fn unknown_facts_give_needs_info_naming_them_never_a_guess() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, SCREEN, json!({"i": {"residenceRegionCode": "520102"}, "d": "2026-09-01"})).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["screenEligibility"]["scope"]["outcome"], "NEEDS_INFO");
    let school = entitlement(&r, "school_enrolment");
    assert_eq!(school["outcome"], "NEEDS_INFO");
    assert!(school["missingFacts"].as_array().is_some_and(|m| m.iter().any(|f| f == "birthDate")), "{school}");
}

#[tokio::test]
async fn the_next_step_speaks_the_callers_language() {
    let app = TestApp::spawn().await;
    let zh = app.gql_lang(None, "zh-CN", SCREEN, json!({"i": pupil(), "d": "2026-09-01"})).await;
    let en = app.gql_lang(None, "en", SCREEN, json!({"i": pupil(), "d": "2026-09-01"})).await;
    let (a, b) = (entitlement(&zh, "school_enrolment"), entitlement(&en, "school_enrolment"));
    assert_ne!(a["nextStep"], b["nextStep"]);
    assert!(b["nextStep"].as_str().is_some_and(|s| s.contains("Bring")), "{b}");
    assert!(a["nextStep"].as_str().is_some_and(|s| s.contains("携带") || s.contains("材料")), "{a}");
    assert_eq!(b["departments"][0]["name"], "Education");
}

#[tokio::test]
async fn a_hukou_in_another_province_goes_through_cross_province_coordination() {
    let app = TestApp::spawn().await;
    let mut facts = pupil();
    facts["hukouRegionCode"] = json!("430102"); // 长沙市芙蓉区, Hunan
    facts["orphanOrUnsupported"] = json!(true);
    let r = app.gql(None, SCREEN, json!({"i": facts, "d": "2026-09-01"})).await;
    assert_eq!(r["data"]["screenEligibility"]["scope"]["outcome"], "ELIGIBLE", "{r}");
    let orphan = entitlement(&r, "orphan_allowance");
    assert_eq!(orphan["handledAt"], "RESIDENCE_WITH_HUKOU");
    assert_eq!(orphan["crossProvince"], true);
}

#[tokio::test]
async fn a_residence_outside_guizhou_is_outside_the_platform_and_says_so() {
    let app = TestApp::spawn().await;
    let mut facts = pupil();
    facts["residenceRegionCode"] = json!("430102");
    let r = app.gql(None, SCREEN, json!({"i": facts, "d": "2026-09-01"})).await;
    assert_eq!(r["data"]["screenEligibility"]["scope"]["outsidePlatform"], true, "{r}");
    assert!(r["data"]["screenEligibility"]["scope"]["note"].as_str().is_some_and(|n| !n.is_empty()));
}

#[tokio::test]
async fn bad_facts_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        ("residenceRegionCode", json!("520100")), // a prefecture, not a county
        ("hukouRegionCode", json!("999999")),
        ("birthDate", json!("2027-01-01")),
        ("residenceSince", json!("2018-01-01")), // before birth
        ("disabilityGrade", json!(5)),
    ];
    for (f, value) in cases {
        let mut facts = pupil();
        facts[f] = value;
        let r = app.gql(None, SCREEN, json!({"i": facts, "d": "2026-09-01"})).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", f), "{r}");
    }
}

#[tokio::test]
async fn the_service_catalogue_lists_every_entitlement_with_measure_and_departments() {
    let app = TestApp::spawn().await;
    let r = app
        .gql_lang(
            None,
            "en",
            "{ serviceCatalog { code name measure clause handledAt requestable bookable departments { code } } }",
            json!({}),
        )
        .await;
    let list = r["data"]["serviceCatalog"].as_array().expect("list");
    let codes: Vec<&str> = list.iter().filter_map(|e| e["code"].as_str()).collect();
    for c in
        ["dibao_residence", "school_enrolment", "transit_card", "vaccination", "cultural_services", "parent_employment", "hotline_12355"]
    {
        assert!(codes.contains(&c), "{c} missing");
    }
    assert!(
        list.iter()
            .all(|e| e["measure"].as_str().is_some_and(|m| m.starts_with('(')) && !e["departments"].as_array().is_none_or(Vec::is_empty))
    );
    assert!(list.iter().any(|e| e["requestable"] == true) && list.iter().any(|e| e["bookable"] == true));
}

#[tokio::test]
async fn traces_are_built_only_when_selected_and_outcomes_do_not_change() {
    let app = TestApp::spawn().await;
    let lean = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome missingFacts } } }";
    let full = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome reasons { result } } entitlements { code outcome missingFacts trace { result } } } }";
    let a = app.gql(None, lean, json!({"i": pupil()})).await;
    let b = app.gql(None, full, json!({"i": pupil()})).await;
    let strip = |v: &Value| -> Vec<(Value, Value)> {
        v["data"]["screenEligibility"]["entitlements"]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| (e["code"].clone(), e["outcome"].clone()))
            .collect()
    };
    assert_eq!(strip(&a), strip(&b));
    assert!(b["data"]["screenEligibility"]["scope"]["reasons"].as_array().is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn fragments_aliases_and_directives_give_the_same_entitlements_as_plain_fields() {
    let app = TestApp::spawn().await;
    // Every field of `EntitlementResult` from introspection, so a field added to the type is
    // compared too.
    let all_fields = format!("__typename {}", app.every_field("EntitlementResult").await);
    let plain =
        format!("query($i: ScreeningInput!){{ screenEligibility(input: $i, asOf: \"2026-09-01\"){{ entitlements {{ {all_fields} }} }} }}");
    // Each entitlement asked for through a fragment, an inline fragment, aliases and @include: the
    // generic resolution path, which must agree with the fast one.
    let fancy = format!(
        "query($i: ScreeningInput!, $yes: Boolean!){{ screenEligibility(input: $i, asOf: \"2026-09-01\"){{ entitlements {{
        ...All ... on EntitlementResult {{ measure handledAt crossProvince requestable bookable }} nextStep @include(if: $yes) }} }} }}
        fragment All on EntitlementResult {{ {all_fields} }}"
    );
    let aliased = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ entitlements {
        c: code o: outcome } } }";
    let a = app.gql(None, &plain, json!({"i": pupil()})).await;
    let b = app.gql(None, &fancy, json!({"i": pupil(), "yes": true})).await;
    assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
    let (ea, eb) = (&a["data"]["screenEligibility"]["entitlements"], &b["data"]["screenEligibility"]["entitlements"]);
    assert_eq!(ea.as_array().map(Vec::len), Some(27), "26 of the list plus major_illness (issue 20)");
    // Same values; key order follows the query, so compare as maps.
    let maps = |v: &Value| -> Vec<std::collections::BTreeMap<String, Value>> {
        v.as_array().expect("list").iter().map(|o| o.as_object().expect("object").clone().into_iter().collect()).collect()
    };
    assert_eq!(maps(ea), maps(eb));
    assert_eq!(ea[0]["__typename"], "EntitlementResult");
    assert!(eb[0]["departments"][0]["name"].is_string(), "departments asked for inside a fragment are named: {b}");
    let c = app.gql(None, aliased, json!({"i": pupil()})).await;
    let first = &c["data"]["screenEligibility"]["entitlements"][0];
    assert_eq!((&first["c"], &first["o"]), (&ea[0]["code"], &ea[0]["outcome"]), "{c}");
    assert!(first.get("code").is_none(), "aliases name the keys");
}
