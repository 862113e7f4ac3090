//! The rules say what the measures say, and a parent understands why (issue 20): plain answers
//! with place names, rules labelled apart from quotes, central urban lists named, and the public
//! coverage of all 13 measures — through GraphQL as the app calls them.

use integration_tests::{TestApp, code, field};
use serde_json::{Value, json};

const MEASURES_TEXT: &str = include_str!("../policy/source/guizhou-2025-migrant-children-measures.zh.txt");

const SCREEN: &str = "query($i: ScreeningInput!, $d: Date){ screenEligibility(input: $i, asOf: $d){
  scope { outcome note plain { why missing { facts questions anyOne } }
    centralUrbanList { city status source dated districts description }
    reasons { condition result clause basis quote rule source } }
  entitlements { code outcome crossProvince transProvincialService nextStep missingFacts
    plain { why missing { facts questions anyOne } whereToGo bring extraStep otherwise }
    trace { condition result clause basis quote rule source } } } }";

/// A ten-year-old who moved with her parents from 开阳县 to 南明区 (Guiyang) in March 2024.
fn pupil() -> Value {
    json!({
        "birthDate": "2015-03-01", "hukouRegionCode": "520121", "residenceRegionCode": "520102",
        "residenceSince": "2024-03-01", "movedWithGuardian": true, "hasResidencePermit": true,
        "residencePermitSince": "2024-04-01", "enrolledInSchoolAtResidence": true,
        "meetsResidenceDibaoTest": false, "meetsHukouDibaoTest": false, "familyEconomicHardship": false,
        "suddenHardship": false, "hasDisabilityCertificate": false, "orphanOrUnsupported": false,
        "seriousIllness": false, "diagnosedMentalDisorder": false, "guardianshipAbsent": false,
        "meetsHousingSupportConditions": false
    })
}

fn with(mut base: Value, changes: Value) -> Value {
    if let (Some(b), Some(c)) = (base.as_object_mut(), changes.as_object()) {
        for (k, v) in c {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

fn entitlement<'a>(r: &'a Value, code: &str) -> &'a Value {
    r["data"]["screenEligibility"]["entitlements"]
        .as_array()
        .and_then(|l| l.iter().find(|e| e["code"] == code))
        .unwrap_or_else(|| panic!("{code} missing in {r}"))
}

fn has_region_code(text: &str) -> bool {
    text.as_bytes().windows(6).any(|w| w.iter().all(u8::is_ascii_digit))
}

async fn screen(app: &TestApp, lang: &str, input: Value) -> Value {
    let r = app.gql_lang(None, lang, SCREEN, json!({"i": input, "d": "2025-06-01"})).await;
    assert!(r["errors"].is_null(), "{r}");
    r
}

#[tokio::test]
async fn a_poor_family_without_a_serious_illness_gets_medical_assistance_by_its_status() {
    let app = TestApp::spawn().await;
    let r = screen(&app, "zh-CN", with(pupil(), json!({"familyEconomicHardship": true}))).await;
    let m = entitlement(&r, "medical_assistance");
    assert_eq!(m["outcome"], "ELIGIBLE", "{m}");
    assert!(m["plain"]["why"].as_str().is_some_and(|w| w.contains("家庭经济困难")), "{m}");
    assert!(m["plain"]["whereToGo"].as_str().is_some_and(|w| w.contains("贵阳市南明区医疗保障局")), "{m}");
    assert!(m["plain"]["bring"].as_str().is_some_and(|b| b.contains("医保卡")), "{m}");
    assert_eq!(entitlement(&r, "major_illness")["outcome"], "NOT_ELIGIBLE");
    // A disabled ten-year-old: rehabilitation at the residence, the text sets no age limit.
    let r = screen(&app, "zh-CN", with(pupil(), json!({"hasDisabilityCertificate": true, "disabilityGrade": 3}))).await;
    assert_eq!(entitlement(&r, "rehabilitation")["outcome"], "ELIGIBLE");
}

#[tokio::test]
async fn not_in_scope_says_which_condition_failed_and_which_central_list_decided() {
    let app = TestApp::spawn().await;
    // 云岩区 → 南明区: both on Guiyang's list (platform default).
    let r = screen(&app, "zh-CN", with(pupil(), json!({"hukouRegionCode": "520103"}))).await;
    let scope = &r["data"]["screenEligibility"]["scope"];
    assert_eq!(scope["outcome"], "NOT_ELIGIBLE");
    let why = scope["plain"]["why"].as_str().unwrap_or_default();
    assert!(why.contains("贵阳市云岩区和贵阳市南明区都在贵阳市中心城区名单"), "{why}");
    assert!(scope["note"].as_str().is_some_and(|n| n.starts_with(why) && n.contains("儿童督导员")), "{scope}");
    assert!(!has_region_code(why), "{why}");
    let list = &scope["centralUrbanList"];
    assert_eq!(
        (list["city"].as_str(), list["status"].as_str(), list["dated"].as_str()),
        (Some("贵阳市"), Some("PLATFORM_DEFAULT"), Some("2025-02-17"))
    );
    assert!(list["districts"].as_array().is_some_and(|d| d.iter().any(|x| x == "贵阳市观山湖区")), "{list}");
    assert!(list["source"].as_str().is_some_and(|s| s.contains("待贵阳市民政局确认")), "{list}");
    // One day short of six months, in English: the failed condition, in words.
    let r = screen(&app, "en", with(pupil(), json!({"residenceSince": "2024-12-02"}))).await;
    let why = r["data"]["screenEligibility"]["scope"]["plain"]["why"].as_str().unwrap_or_default().to_string();
    assert!(why.contains("has lived in 贵阳市南明区 for less than 6 months"), "{why}");
    assert!(!why.contains("list"), "only the failed condition is named: {why}");
    // 开阳县 and 南明区 are both in Guiyang: the list was read, and is reported for staff.
    assert_eq!(r["data"]["screenEligibility"]["scope"]["centralUrbanList"]["city"], "贵阳市");
}

#[tokio::test]
async fn missing_facts_say_when_any_one_of_them_is_enough() {
    let app = TestApp::spawn().await;
    let mut input = pupil();
    if let Some(o) = input.as_object_mut() {
        for k in ["familyEconomicHardship", "meetsResidenceDibaoTest", "meetsHukouDibaoTest"] {
            o.remove(k);
        }
    }
    let r = screen(&app, "zh-CN", input).await;
    let m = entitlement(&r, "medical_assistance");
    assert_eq!(m["outcome"], "NEEDS_INFO");
    let groups = m["plain"]["missing"].as_array().cloned().unwrap_or_default();
    assert_eq!(groups.len(), 1, "{m}");
    assert_eq!(groups[0]["anyOne"], true);
    assert_eq!(groups[0]["facts"], json!(["meetsResidenceDibaoTest", "meetsHukouDibaoTest", "familyEconomicHardship"]));
    let why = m["plain"]["why"].as_str().unwrap_or_default();
    assert!(why.contains("以下任意一项（有一项就够）") && !why.contains("UNKNOWN") && !why.contains("：否"), "{why}");
}

#[tokio::test]
async fn school_enrolment_tells_a_family_without_a_residence_permit_what_to_do() {
    let app = TestApp::spawn().await;
    let mut input = with(pupil(), json!({"hasResidencePermit": false}));
    if let Some(o) = input.as_object_mut() {
        o.remove("residencePermitSince");
    }
    let r = screen(&app, "zh-CN", input).await;
    let school = entitlement(&r, "school_enrolment");
    assert_eq!(school["outcome"], "ELIGIBLE");
    assert!(
        school["plain"]["extraStep"].as_str().is_some_and(|s| s.contains("没有居住证也可以报名") && s.contains("贵阳市南明区公安派出所")),
        "{school}"
    );
    assert!(school["nextStep"].as_str().is_some_and(|s| s.contains("没有居住证也可以报名")), "{school}");
    // Two years without a permit: (三) coordinates the hukou-place allowance only under one year.
    let dibao = entitlement(&r, "dibao_hukou");
    assert_eq!(dibao["outcome"], "NOT_ELIGIBLE");
    let r = screen(&app, "zh-CN", with(pupil(), json!({"hasResidencePermit": true}))).await;
    assert!(entitlement(&r, "school_enrolment")["plain"]["extraStep"].is_null());
}

#[tokio::test]
async fn cross_province_coordination_promises_跨省通办_only_where_the_text_names_it() {
    let app = TestApp::spawn().await;
    let input = with(
        pupil(),
        json!({"hukouRegionCode": "510104", "residenceSince": "2024-09-01", "meetsHukouDibaoTest": true, "orphanOrUnsupported": true}),
    );
    let r = screen(&app, "zh-CN", input).await;
    let dibao = entitlement(&r, "dibao_hukou");
    assert_eq!(
        (dibao["outcome"].as_str(), dibao["crossProvince"].as_bool(), dibao["transProvincialService"].as_bool()),
        (Some("ELIGIBLE"), Some(true), Some(false))
    );
    assert!(dibao["nextStep"].as_str().is_some_and(|s| !s.contains("跨省通办") && !s.contains("无需返回户籍地")), "{dibao}");
    let orphan = entitlement(&r, "orphan_allowance");
    assert_eq!(orphan["transProvincialService"], true);
    assert!(orphan["nextStep"].as_str().is_some_and(|s| s.contains("跨省通办")), "{orphan}");
}

/// Every quoted condition in every trace is verbatim measure text; every rule is labelled, has a
/// source, is not the measures' text and is not in quotation marks.
#[tokio::test]
async fn every_quote_in_a_trace_is_verbatim_and_no_rule_is_shown_as_a_quote() {
    let app = TestApp::spawn().await;
    let hard =
        json!({"familyEconomicHardship": true, "hasDisabilityCertificate": true, "disabilityGrade": 1, "meetsResidenceDibaoTest": true});
    for lang in ["zh-CN", "en"] {
        let r = screen(&app, lang, with(pupil(), hard.clone())).await;
        let s = &r["data"]["screenEligibility"];
        let rows = s["scope"]["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(s["entitlements"].as_array().into_iter().flatten().flat_map(|e| e["trace"].as_array().into_iter().flatten()));
        let (mut quotes, mut rules) = (0, 0);
        for row in rows {
            let clause = row["clause"].as_str().unwrap_or_default();
            if row["basis"] == "MEASURE_QUOTE" {
                quotes += 1;
                let q = row["quote"].as_str().unwrap_or_default();
                assert!(!q.is_empty() && MEASURES_TEXT.contains(q), "not verbatim: {row}");
                assert!(clause.contains(&format!("“{q}”")) && row["rule"].is_null(), "{row}");
            } else {
                rules += 1;
                let rule = row["rule"].as_str().unwrap_or_default();
                assert!(row["quote"].is_null() && !rule.is_empty() && !MEASURES_TEXT.contains(rule), "{row}");
                assert!(row["source"].as_str().is_some_and(|s| !s.is_empty()), "{row}");
                assert!(!clause.contains('“') && !clause.contains('”'), "rule shown as a quote: {row}");
                assert!(
                    clause.starts_with("平台规则") || clause.starts_with("本地规则") || clause.contains("rule (not the measures' text)"),
                    "{row}"
                );
            }
        }
        assert!(quotes > 50 && rules >= 2, "{quotes} quotes, {rules} rules");
    }
}

const COVERAGE: &str = "query($d: Date){ policyCoverage(asOf: $d){ measure title responsibility
  departments { code } entitlements { code } routedTo { code }
  duties { kind quote description departments { code } } } }";

#[tokio::test]
async fn policy_coverage_lists_all_13_measures_and_accounts_for_every_department() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, COVERAGE, json!({"d": "2025-06-01"})).await;
    assert!(r["errors"].is_null(), "{r}");
    let measures = r["data"]["policyCoverage"].as_array().cloned().unwrap_or_default();
    let codes: Vec<&str> = measures.iter().filter_map(|m| m["measure"].as_str()).collect();
    assert_eq!(codes, ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)", "(十一)", "(十二)", "(十三)"]);
    let mut involved = std::collections::BTreeSet::new();
    for m in &measures {
        assert!(MEASURES_TEXT.contains(m["responsibility"].as_str().unwrap_or("?")), "{m}");
        let served = m["entitlements"].as_array().is_some_and(|e| !e.is_empty()) || m["duties"].as_array().is_some_and(|d| !d.is_empty());
        assert!(served, "measure with neither entitlements nor duties: {m}");
        for d in m["duties"].as_array().into_iter().flatten() {
            assert!(MEASURES_TEXT.contains(d["quote"].as_str().unwrap_or("?")), "{d}");
            assert!(d["description"].as_str().is_some_and(|s| !s.is_empty()), "{d}");
        }
        let codes_in = |key: &str| -> Vec<String> {
            m[key].as_array().into_iter().flatten().filter_map(|d| d["code"].as_str().map(str::to_owned)).collect()
        };
        involved.extend(codes_in("routedTo"));
        for d in m["duties"].as_array().into_iter().flatten() {
            involved.extend(d["departments"].as_array().into_iter().flatten().filter_map(|x| x["code"].as_str().map(str::to_owned)));
        }
    }
    // (七): the reprimands of police, procuratorate and courts are outside the API, and say so.
    let seven = &measures[6];
    assert!(
        seven["duties"].as_array().is_some_and(|d| d
            .iter()
            .any(|x| x["kind"] == "OUTSIDE" && x["departments"].as_array().is_some_and(|ds| ds.iter().any(|y| y["code"] == "court")))),
        "{seven}"
    );
    // Every department that nothing routes to is listed in some duty.
    for d in ["finance", "statistics", "sasac", "radio_tv", "cyberspace", "political_legal", "social_work", "court", "procuratorate"] {
        assert!(involved.contains(d), "{d} is neither routed to nor listed");
    }
    // Requests under (三) go to civil affairs, housing; the catalogue and coverage agree.
    let three = &measures[2];
    let routed: Vec<&str> = three["routedTo"].as_array().into_iter().flatten().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(routed, ["civil_affairs", "housing"]);
    // English titles and descriptions.
    let r = app.gql_lang(None, "en", COVERAGE, json!({"d": "2025-06-01"})).await;
    assert_eq!(r["data"]["policyCoverage"][0]["title"], "Dynamic monitoring");
}

#[tokio::test]
async fn policy_coverage_refuses_a_day_without_a_policy_in_force() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, COVERAGE, json!({"d": "2024-01-01"})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert_eq!(field(&r), "asOf");
    assert!(r["data"].is_null() || r["data"]["policyCoverage"].is_null());
}
