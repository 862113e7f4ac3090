//! Monitoring for civil affairs, measures (一)(二): grassroots screening, the six-monthly
//! verification, the key-care ledger with risk levels and care measures, statistics and export.

use api::auth::Role;
use chrono::{Duration, Months};
use integration_tests::{
    TestApp, code, field,
    fixtures::{id_number, service, session, verified_org},
};
use serde_json::{Value, json};

/// Tokens outlive the half-year these scenarios move through.
async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.jwt_access_ttl_secs = 800 * 24 * 3600).await
}

const DUE: &str =
    "query($r: String!){ dueVerifications(regionCode: $r, first: 50){ edges { node { id verificationDue source awaitingGuardian } } } }";
const VERIFY: &str = "mutation($c: ID!, $i: VerificationInput){ verifyChildRecord(childId: $c, input: $i){ id verificationDue lastVerifiedAt residenceTownship { code } } }";
const ADD: &str =
    "mutation($c: ID!, $r: [KeyCareReason!]!){ addToKeyCare(childId: $c, reasons: $r){ id version inScope reasons riskLevel } }";
const ASSESS: &str = "mutation($c: ID!, $i: RiskAssessmentInput!){ assessRisk(childId: $c, input: $i){ version riskLevel riskScore assessments { level score rubricVersion } } }";
const LEDGER: &str =
    "query($r: String!){ keyCareLedger(regionCode: $r, first: 50){ edges { node { id child { id name } reasons riskLevel } } } }";
const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id dueAt priority } }";
const STAFF_GET: &str = "query($id: ID!){ request(id: $id){ id status dueAt priority childAgedOutOn history { kind public note } } }";
const REGISTER_SCREENED: &str = "mutation($i: ChildInput!, $c: PaperConsentInput!){ registerScreenedChild(input: $i, consent: $c){ id source awaitingGuardian idNumberMasked } }";

fn ids(r: &Value, op: &str) -> Vec<String> {
    r["data"][op]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{op}: {r}"))
        .iter()
        .map(|e| e["node"]["child"]["id"].as_str().or(e["node"]["id"].as_str()).unwrap_or_default().to_owned())
        .collect()
}

fn answers(levels: [i32; 5]) -> Value {
    let codes = ["guardianship", "family_hardship", "health", "psychological", "safety"];
    json!(codes.iter().zip(levels).map(|(c, l)| json!({"criterion": c, "level": l})).collect::<Vec<_>>())
}

/// A child found in screening in 新华路街道 (520102016) of 南明区.
fn screened_child(name: &str, id: &str) -> Value {
    json!({"name": name, "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": id, "hukouRegionCode": "520304",
           "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01", "movedWithGuardian": true})
}

fn paper(day: &str) -> Value {
    json!({"signedBy": "王某（母亲）", "signedOn": day, "textVersion": "2026-11"})
}

#[tokio::test]
async fn a_record_falls_due_exactly_six_months_after_its_verification_and_a_verification_clears_it() {
    let app = app().await;
    let g = app.guardian("due@example.org").await;
    let child = app.child(&g, "2018-05-01", "520304", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let today = app.state.clock.today();
    let due_day = domain::calendar::add_months(today, 6).expect("date");

    app.state.clock.advance(Duration::days((due_day - today).num_days() - 1));
    let r = app.gql(Some(&ca), DUE, json!({"r": "520102"})).await;
    assert!(ids(&r, "dueVerifications").is_empty(), "one day short of six months is not due: {r}");

    app.state.clock.advance(Duration::days(1));
    let r = app.gql(Some(&ca), DUE, json!({"r": "520102"})).await;
    assert_eq!(ids(&r, "dueVerifications"), vec![child.clone()], "exactly six months is due");
    assert_eq!(r["data"]["dueVerifications"]["edges"][0]["node"]["verificationDue"], true);

    // No child director covers this record (it has no township): the county's civil affairs are
    // reminded instead, once, without the child's name.
    assert_eq!(api::services::screening::notify_due(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::screening::notify_due(&app.state).await.expect("job"), 0);
    let reminders: Vec<String> =
        app.emails_to("ca@nanming.gov.cn").await.into_iter().filter(|m| m.contains("verified for six months")).collect();
    assert_eq!(reminders.len(), 1);
    assert!(!reminders[0].contains("小明"));

    // The guardian confirms the record in the app; it leaves the due list.
    let v = app.gql(Some(&g), VERIFY, json!({"c": child})).await;
    assert_eq!(v["data"]["verifyChildRecord"]["verificationDue"], false, "{v}");
    assert!(ids(&app.gql(Some(&ca), DUE, json!({"r": "520102"})).await, "dueVerifications").is_empty());

    // Staff correct the township; a wrong one changes nothing.
    let bad = app.gql(Some(&ca), VERIFY, json!({"c": child, "i": {"residenceTownshipCode": "520103001"}})).await;
    assert_eq!((code(&bad), field(&bad)), ("VALIDATION", "residenceTownshipCode"));
    let ok = app.gql(Some(&ca), VERIFY, json!({"c": child, "i": {"residenceTownshipCode": "520102017", "note": "入户核实"}})).await;
    assert_eq!(ok["data"]["verifyChildRecord"]["residenceTownship"]["code"], "520102017", "{ok}");

    // Out of area or wrong role.
    let other = app.staff("ca@yunyan.gov.cn", Role::CivilAffairs, None, "520103").await;
    assert_eq!(code(&app.gql(Some(&other), VERIFY, json!({"c": child})).await), "NOT_FOUND");
    assert_eq!(code(&app.gql(Some(&other), DUE, json!({"r": "520102"})).await), "NOT_FOUND");
    let teacher = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    assert_eq!(code(&app.gql(Some(&teacher), DUE, json!({"r": "520102"})).await), "FORBIDDEN");
    let stranger = app.guardian("stranger@example.org").await;
    assert_eq!(code(&app.gql(Some(&stranger), VERIFY, json!({"c": child})).await), "NOT_FOUND");
}

#[tokio::test]
async fn a_screened_child_is_registered_on_paper_consent_reminded_once_and_taken_over_by_the_guardian() {
    let app = app().await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let elsewhere = app.staff("director@xihu.gov.cn", Role::ChildDirector, None, "520102017").await;
    let idn = id_number("520304", "20160402", "128");
    let today = app.state.clock.today().to_string();

    let bad = app.gql(Some(&director), REGISTER_SCREENED, json!({"i": screened_child("王小花", &idn), "c": paper("2099-01-01")})).await;
    assert_eq!((code(&bad), field(&bad)), ("VALIDATION", "consent.signedOn"));
    let foreign = app.gql(Some(&elsewhere), REGISTER_SCREENED, json!({"i": screened_child("王小花", &idn), "c": paper(&today)})).await;
    assert_eq!(code(&foreign), "FORBIDDEN", "a director registers children of their own area only");
    let g = app.guardian("wang@example.org").await;
    assert_eq!(
        code(&app.gql(Some(&g), REGISTER_SCREENED, json!({"i": screened_child("王小花", &idn), "c": paper(&today)})).await),
        "FORBIDDEN"
    );

    let r = app.gql(Some(&director), REGISTER_SCREENED, json!({"i": screened_child("王小花", &idn), "c": paper(&today)})).await;
    let child = r["data"]["registerScreenedChild"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    assert_eq!(r["data"]["registerScreenedChild"]["awaitingGuardian"], true);
    assert!(r["data"]["registerScreenedChild"]["idNumberMasked"].as_str().is_some_and(|m| m.contains('*')));

    // Half a year later the director is reminded once, without the child's name in the mail.
    let days = (domain::calendar::add_months(app.state.clock.today(), 6).expect("d") - app.state.clock.today()).num_days();
    app.state.clock.advance(Duration::days(days));
    assert_eq!(api::services::screening::notify_due(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::screening::notify_due(&app.state).await.expect("job"), 0, "twice is once");
    let mails: Vec<String> =
        app.emails_to("director@xinhua.gov.cn").await.into_iter().filter(|m| m.contains("verified for six months")).collect();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("1 名") && !mails[0].contains("王小花"));
    assert!(!app.emails_to("director@xihu.gov.cn").await.iter().any(|m| m.contains("verified for six months")));
    let due = app.gql(Some(&director), DUE, json!({"r": "520102016"})).await;
    assert_eq!(ids(&due, "dueVerifications"), vec![child.clone()]);

    // The mother registers in the app with the same ID number and the claim code the director
    // wrote on her copy of the consent form: the record becomes hers.
    app.child(&g, "2010-01-01", "520304", "520102").await; // creates household and consent
    let mut input = screened_child("王小花", &idn);
    input["movedWith"] = json!("MOTHER");
    let issued = app.gql(Some(&director), "mutation($c: ID!){ issueClaimCode(childId: $c){ code } }", json!({"c": child})).await;
    let claim = issued["data"]["issueClaimCode"]["code"].as_str().unwrap_or_else(|| panic!("{issued}")).to_owned();
    let linked = app
        .gql(Some(&g), "mutation($i: ChildInput!, $k: String){ addChild(input: $i, claimCode: $k){ id } }", json!({"i": input, "k": claim}))
        .await;
    assert_eq!(linked["data"]["addChild"]["id"], child, "{linked}");
    let due = app.gql(Some(&director), DUE, json!({"r": "520102016"})).await;
    assert!(ids(&due, "dueVerifications").is_empty(), "the guardian's entry verified the record: {due}");
    let listed = app
        .gql(
            Some(&director),
            "query($r: String!){ registeredChildren(regionCode: $r){ edges { node { id } } } }",
            json!({"r": "520102016"}),
        )
        .await;
    assert_eq!(ids(&listed, "registeredChildren"), vec![child.clone()], "one record, not two");
    // The same number without the code is not handed over.
    let other = app.guardian("other@example.org").await;
    app.child(&other, "2012-01-01", "520304", "520102").await;
    let grab =
        app.gql(Some(&other), "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": screened_child("李四", &idn)})).await;
    assert_eq!(code(&grab), "CONFLICT");
}

#[tokio::test]
async fn a_child_turning_sixteen_leaves_scope_that_day_and_open_requests_stay_marked() {
    let app = app().await;
    let g = app.guardian("sixteen@example.org").await;
    let birthday = app.state.clock.today() + Duration::days(3);
    let birth = birthday.checked_sub_months(Months::new(16 * 12)).expect("birth");
    let child = app.child(&g, &birth.to_string(), "520304", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let input = json!({"i": {"childId": child, "entitlementCode": "education_aid", "details": "高中资助", "idempotencyKey": "k16"}});
    let rid = app.gql(Some(&g), SUBMIT, input).await["data"]["submitRequest"]["id"].as_str().expect("request").to_owned();
    let in_scope = |r: &Value| r["data"]["statistics"]["childrenInScope"].as_i64().unwrap_or_else(|| panic!("{r}"));
    let stats = "query{ statistics(regionCode: \"520102\"){ childrenInScope verification { records } } }";

    app.state.clock.advance(Duration::days(2)); // the day before the birthday
    assert_eq!(api::services::screening::mark_aged_out(&app.state).await.expect("job"), 0);
    assert_eq!(in_scope(&app.gql(Some(&ca), stats, json!({})).await), 1);

    app.state.clock.advance(Duration::days(1)); // the 16th birthday
    assert_eq!(api::services::screening::mark_aged_out(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::screening::mark_aged_out(&app.state).await.expect("job"), 0);
    let s = app.gql(Some(&ca), stats, json!({})).await;
    assert_eq!(in_scope(&s), 0, "out of scope on the birthday");
    assert_eq!(s["data"]["statistics"]["verification"]["records"], 0, "and out of the register");
    let r = app.gql(Some(&edu), STAFF_GET, json!({"id": rid})).await;
    assert_eq!(r["data"]["request"]["status"], "ROUTED", "the request stays open: {r}");
    assert_eq!(r["data"]["request"]["childAgedOutOn"], birthday.to_string());
    let mine = app.gql(Some(&g), STAFF_GET, json!({"id": rid})).await;
    assert!(mine["data"]["request"]["history"].to_string().contains("aged_out"), "the family sees why: {mine}");
}

#[tokio::test]
async fn the_rubric_gives_each_level_and_stale_or_invalid_assessments_change_nothing() {
    let app = app().await;
    let g = app.guardian("rubric@example.org").await;
    let child = app.child(&g, "2015-06-01", "520304", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let added = app.gql(Some(&ca), ADD, json!({"c": child, "r": ["FAMILY_HARDSHIP", "GUARDIANSHIP_ABSENT"]})).await;
    assert_eq!(added["data"]["addToKeyCare"]["version"], 1, "{added}");
    assert_eq!(added["data"]["addToKeyCare"]["inScope"], true);
    assert!(added["data"]["addToKeyCare"]["riskLevel"].is_null());
    assert_eq!(code(&app.gql(Some(&ca), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await), "CONFLICT", "one entry per child");

    let mut version = 1;
    for (levels, level, score) in [([0, 0, 0, 0, 0], "LOW", 0), ([1, 1, 0, 0, 0], "MEDIUM", 5), ([2, 2, 0, 0, 0], "HIGH", 10)] {
        let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": version, "answers": answers(levels)}})).await;
        assert_eq!(r["data"]["assessRisk"]["riskLevel"], level, "{r}");
        assert_eq!(r["data"]["assessRisk"]["riskScore"], score);
        version += 1;
    }
    let missing = json!({"c": child, "i": {"expectedVersion": version, "answers": answers([0, 0, 0, 0, 0]).as_array().expect("a")[..4]}});
    let r = app.gql(Some(&ca), ASSESS, missing).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "input.answers.safety"));
    let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": version, "answers": answers([0, 9, 0, 0, 0])}})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "input.answers.family_hardship"));
    let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([0, 0, 0, 0, 0])}})).await;
    assert_eq!(code(&r), "CONFLICT", "a stale version");
    let entry = app
        .gql(
            Some(&ca),
            "query($c: ID!){ keyCareEntry(childId: $c){ version riskLevel assessments { level score rubricVersion } } }",
            json!({"c": child}),
        )
        .await;
    assert_eq!(entry["data"]["keyCareEntry"]["version"], version, "nothing changed: {entry}");
    assert_eq!(entry["data"]["keyCareEntry"]["riskLevel"], "HIGH");
    let kept: Vec<&str> =
        entry["data"]["keyCareEntry"]["assessments"].as_array().expect("a").iter().map(|a| a["level"].as_str().unwrap_or("")).collect();
    assert_eq!(kept, ["HIGH", "MEDIUM", "LOW"], "every assessment is kept, newest first");
    assert_eq!(entry["data"]["keyCareEntry"]["assessments"][0]["rubricVersion"], "key-care-2025.1");
    // A director follows children but does not assess them; a guardian sees no ledger.
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102").await;
    assert_eq!(
        code(&app.gql(Some(&director), ASSESS, json!({"c": child, "i": {"expectedVersion": version, "answers": answers([0; 5])}})).await),
        "FORBIDDEN"
    );
    assert_eq!(code(&app.gql(Some(&g), LEDGER, json!({"r": "520102"})).await), "FORBIDDEN");
}

#[tokio::test]
async fn two_concurrent_assessments_of_one_entry_give_one_conflict() {
    let app = app().await;
    let g = app.guardian("race@example.org").await;
    let child = app.child(&g, "2015-06-01", "520304", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let sup = app.staff("sup@nanming.gov.cn", Role::ChildSupervisor, None, "520102").await;
    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["DISABILITY"]})).await;
    let a = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([1, 0, 0, 0, 0])}}));
    let b = app.gql(Some(&sup), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([2, 2, 0, 0, 0])}}));
    let (a, b) = tokio::join!(a, b);
    let codes = [code(&a), code(&b)];
    assert_eq!(codes.iter().filter(|c| **c == "CONFLICT").count(), 1, "{a} {b}");
    assert_eq!(codes.iter().filter(|c| **c == "<no error>").count(), 1, "{a} {b}");
    let entry = app.gql(Some(&ca), "query($c: ID!){ keyCareEntry(childId: $c){ version assessments { id } } }", json!({"c": child})).await;
    assert_eq!(entry["data"]["keyCareEntry"]["version"], 2);
    assert_eq!(entry["data"]["keyCareEntry"]["assessments"].as_array().map(Vec::len), Some(1), "the loser wrote nothing");
}

#[tokio::test]
async fn a_high_risk_assessment_gives_the_childs_open_request_priority_and_a_shorter_deadline() {
    let app = app().await;
    let g = app.guardian("risk@example.org").await;
    let child = app.child(&g, "2019-03-10", "520304", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let input = json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": "入学", "idempotencyKey": "r1"}});
    let before = app.gql(Some(&g), SUBMIT, input).await;
    let rid = before["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{before}")).to_owned();
    let due_before = chrono::DateTime::parse_from_rfc3339(before["data"]["submitRequest"]["dueAt"].as_str().expect("due")).expect("time");
    assert_eq!(before["data"]["submitRequest"]["priority"], 0);

    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["GUARDIANSHIP_ABSENT"]})).await;
    let r = app.gql(Some(&ca), ASSESS, json!({"c": child, "i": {"expectedVersion": 1, "answers": answers([2, 2, 0, 0, 0])}})).await;
    assert_eq!(r["data"]["assessRisk"]["riskLevel"], "HIGH", "{r}");

    let after = app.gql(Some(&edu), STAFF_GET, json!({"id": rid})).await;
    assert_eq!(after["data"]["request"]["priority"], 1, "{after}");
    let due_after = chrono::DateTime::parse_from_rfc3339(after["data"]["request"]["dueAt"].as_str().expect("due")).expect("time");
    assert!(due_after < due_before, "the deadline is shorter: {due_before} → {due_after}");
    assert!(after["data"]["request"]["history"].to_string().contains("priority_raised"));
    let family_view = app.gql(Some(&g), STAFF_GET, json!({"id": rid})).await;
    assert!(!family_view["data"]["request"]["history"].to_string().contains("priority_raised"), "the risk label is internal");

    // A request filed after the assessment starts with the shorter deadline.
    let later = app
        .gql(
            Some(&g),
            SUBMIT,
            json!({"i": {"childId": child, "entitlementCode": "education_aid", "details": "资助", "idempotencyKey": "r2"}}),
        )
        .await;
    assert_eq!(later["data"]["submitRequest"]["priority"], 1, "{later}");
}

#[tokio::test]
async fn the_ledger_is_seen_only_inside_the_township_and_outside_scope_only_on_the_familys_request() {
    let app = app().await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let sup_xinhua = app.staff("sup@xinhua.gov.cn", Role::ChildSupervisor, None, "520102016").await;
    let sup_xihu = app.staff("sup@xihu.gov.cn", Role::ChildSupervisor, None, "520102017").await;
    let today = app.state.clock.today().to_string();
    let r = app
        .gql(
            Some(&director),
            REGISTER_SCREENED,
            json!({"i": screened_child("王小花", &id_number("520304", "20160402", "128")), "c": paper(&today)}),
        )
        .await;
    let child = r["data"]["registerScreenedChild"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let added = app.gql(Some(&sup_xinhua), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await;
    assert!(added["errors"].is_null(), "{added}");

    assert_eq!(ids(&app.gql(Some(&sup_xinhua), LEDGER, json!({"r": "520102016"})).await, "keyCareLedger"), vec![child.clone()]);
    assert_eq!(code(&app.gql(Some(&sup_xihu), LEDGER, json!({"r": "520102016"})).await), "NOT_FOUND");
    assert!(ids(&app.gql(Some(&sup_xihu), LEDGER, json!({"r": "520102017"})).await, "keyCareLedger").is_empty());
    let entry = "query($c: ID!){ keyCareEntry(childId: $c){ id } }";
    assert_eq!(code(&app.gql(Some(&sup_xihu), entry, json!({"c": child})).await), "NOT_FOUND");
    assert_eq!(code(&app.gql(Some(&sup_xihu), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await), "NOT_FOUND");

    // A cross-township move inside 南明区 is outside the migrant-children scope.
    let g = app.guardian("local@example.org").await;
    let local = app.child(&g, "2017-01-01", "520102", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let r = app.gql(Some(&ca), ADD, json!({"c": local, "r": ["FAMILY_HARDSHIP"]})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "reasons"));
    let r = app.gql(Some(&ca), ADD, json!({"c": local, "r": ["FAMILY_HARDSHIP", "FAMILY_REQUEST"]})).await;
    assert_eq!(r["data"]["addToKeyCare"]["inScope"], false, "{r}");
    let r = app.gql(Some(&ca), ADD, json!({"c": child, "r": []})).await;
    assert_eq!(code(&r), "VALIDATION");
}

#[tokio::test]
async fn a_care_measure_reaches_its_department_and_escalates_when_overdue() {
    let app = app().await;
    let g = app.guardian("measure@example.org").await;
    let child = app.child(&g, "2015-06-01", "520304", "520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let health = app.staff("health@nanming.gov.cn", Role::DepartmentStaff, Some("health"), "520102").await;
    let city = app.staff("edu@guiyang.gov.cn", Role::DepartmentStaff, Some("education"), "520100").await;
    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["PSYCHOLOGICAL_OR_BEHAVIOURAL"]})).await;
    let assign = "mutation($i: CareMeasureInput!){ assignCareMeasure(input: $i){ id status dueAt answerableRegion { code } } }";
    let due = (app.state.clock.today() + Duration::days(7)).to_string();
    let bad = json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520103001", "description": "心理辅导", "dueOn": due}});
    assert_eq!(field(&app.gql(Some(&ca), assign, bad).await), "input.townshipCode");
    let past = json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520102016", "description": "心理辅导", "dueOn": "2020-01-01"}});
    assert_eq!(field(&app.gql(Some(&ca), assign, past).await), "input.dueOn");
    let ok = json!({"i": {"childId": child, "departmentCode": "education", "townshipCode": "520102016", "description": "学校心理老师每周辅导", "dueOn": due}});
    let m = app.gql(Some(&ca), assign, ok).await;
    let mid = m["data"]["assignCareMeasure"]["id"].as_str().unwrap_or_else(|| panic!("{m}")).to_owned();
    assert!(!app.emails_to("edu@nanming.gov.cn").await.is_empty(), "the department is told");

    let mine = app.gql(Some(&edu), "{ careMeasures { id } }", json!({})).await;
    assert_eq!(mine["data"]["careMeasures"][0]["id"], mid, "{mine}");
    assert_eq!(app.gql(Some(&health), "{ careMeasures { id } }", json!({})).await["data"]["careMeasures"], json!([]));
    let follow = "mutation($m: ID!, $n: String!, $d: Boolean!){ recordCareFollowUp(measureId: $m, note: $n, done: $d){ status followUps { kind note } } }";
    assert_eq!(code(&app.gql(Some(&health), follow, json!({"m": mid, "n": "x", "d": false})).await), "NOT_FOUND");
    let f = app.gql(Some(&edu), follow, json!({"m": mid, "n": "已安排心理老师", "d": false})).await;
    assert_eq!(f["data"]["recordCareFollowUp"]["followUps"][0]["kind"], "note", "{f}");

    app.state.clock.advance(Duration::days(9));
    assert_eq!(api::services::key_care::escalate_overdue(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::key_care::escalate_overdue(&app.state).await.expect("job"), 0, "once");
    let entry = app
        .gql(Some(&ca), "query($c: ID!){ keyCareEntry(childId: $c){ measures { answerableRegion { code } escalationLevel overdue followUps { kind } } } }", json!({"c": child}))
        .await;
    let m = &entry["data"]["keyCareEntry"]["measures"][0];
    assert_eq!(m["answerableRegion"]["code"], "520102", "township → county: {entry}");
    assert_eq!(m["escalationLevel"], 1);
    assert_eq!(m["overdue"], false, "a new due time at the new level");
    assert!(m["followUps"].to_string().contains("escalated"));
    // Still not done a week later: the prefecture's education bureau answers for it.
    app.state.clock.advance(Duration::days(10));
    assert_eq!(api::services::key_care::escalate_overdue(&app.state).await.expect("job"), 1);
    let entry = app
        .gql(
            Some(&ca),
            "query($c: ID!){ keyCareEntry(childId: $c){ measures { answerableRegion { code } escalationLevel } } }",
            json!({"c": child}),
        )
        .await;
    assert_eq!(entry["data"]["keyCareEntry"]["measures"][0]["answerableRegion"]["code"], "520100", "county → prefecture: {entry}");
    assert!(app.emails_to("edu@guiyang.gov.cn").await.iter().any(|m| m.contains("escalated")), "the prefecture is told");
    let seen = app.gql(Some(&city), "{ careMeasures { id escalationLevel } }", json!({})).await;
    assert_eq!(seen["data"]["careMeasures"][0]["escalationLevel"], 2, "{seen}");
    let done = app.gql(Some(&edu), follow, json!({"m": mid, "n": "辅导完成", "d": true})).await;
    assert_eq!(done["data"]["recordCareFollowUp"]["status"], "DONE", "{done}");
    assert_eq!(code(&app.gql(Some(&edu), follow, json!({"m": mid, "n": "again", "d": true})).await), "CONFLICT");
}

#[tokio::test]
async fn statistics_count_exactly_the_records_made_and_respect_the_region() {
    let app = app().await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let city = app.staff("ca@guiyang.gov.cn", Role::CivilAffairs, None, "520100").await;
    let yunyan = app.staff("ca@yunyan.gov.cn", Role::CivilAffairs, None, "520103").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let g1 = app.guardian("s1@example.org").await;
    let g2 = app.guardian("s2@example.org").await;
    let pupil = app.child(&g1, "2018-05-01", "520304", "520102").await; // 8: in scope
    let toddler = app.child(&g2, "2024-01-15", "522301", "520102").await; // 2: in scope
    let local = app.child(&g2, "2013-01-01", "520102", "520102").await; // same county: out of scope
    let elsewhere = app.guardian("s3@example.org").await;
    app.child(&elsewhere, "2018-05-01", "520304", "520103").await; // 云岩区
    app.gql(Some(&ca), ADD, json!({"c": pupil, "r": ["FAMILY_HARDSHIP", "DISABILITY"]})).await;
    app.gql(Some(&ca), ADD, json!({"c": local, "r": ["FAMILY_REQUEST"]})).await;
    app.gql(Some(&ca), ASSESS, json!({"c": pupil, "i": {"expectedVersion": 1, "answers": answers([1, 1, 0, 0, 0])}})).await;
    let r1 = app
        .gql(
            Some(&g1),
            SUBMIT,
            json!({"i": {"childId": pupil, "entitlementCode": "school_enrolment", "details": "", "idempotencyKey": "a"}}),
        )
        .await;
    let rid = r1["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r1}")).to_owned();
    app.gql(Some(&g2), SUBMIT, json!({"i": {"childId": toddler, "entitlementCode": "kindergarten", "details": "", "idempotencyKey": "b"}}))
        .await;
    app.gql(Some(&edu), "mutation($id: ID!){ claimRequest(id: $id){ id } }", json!({"id": rid})).await;
    let done = app
        .gql(
            Some(&edu),
            "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"已安排学位\"){ status } }",
            json!({"id": rid}),
        )
        .await;
    assert!(done["errors"].is_null(), "{done}");
    let (staff, _, loc) = verified_org(&app, "org@org.cn", 301).await;
    let svc = service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let sess = session(&app, &staff, &svc, 5, 10).await;
    let booked = app
        .gql(Some(&g1), "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ status } }", json!({"s": sess, "c": pupil}))
        .await;
    assert_eq!(booked["data"]["bookSession"]["status"], "CONFIRMED", "{booked}");

    let to = (app.state.clock.today() + Duration::days(10)).to_string();
    let q = "query($r: String!, $to: Date){ statistics(regionCode: $r, to: $to){ childrenInScope childrenByCounty { key count } childrenByAgeBand { key count }
      keyCareByReason { key count } keyCareByRiskLevel { key count } requests { entitlementCode status count }
      deadlineCompliance { department { code } resolved resolvedOnTime onTimeRate overdueOpen } bookings { sessions seats byStatus { key count } }
      verification { records verified due coverage } } }";
    let s = app.gql(Some(&ca), q, json!({"r": "520102", "to": to})).await;
    let st = &s["data"]["statistics"];
    assert_eq!(st["childrenInScope"], 2, "{s}");
    assert_eq!(st["childrenByCounty"], json!([{"key": "520102", "count": 2}]));
    assert_eq!(st["childrenByAgeBand"], json!([{"key": "0-2", "count": 1}, {"key": "6-11", "count": 1}]));
    assert_eq!(
        st["keyCareByReason"],
        json!([{"key": "disability", "count": 1}, {"key": "family_hardship", "count": 1}, {"key": "family_request", "count": 1}])
    );
    assert_eq!(st["keyCareByRiskLevel"], json!([{"key": "medium", "count": 1}, {"key": "unassessed", "count": 1}]));
    assert_eq!(
        st["requests"],
        json!([{"entitlementCode": "kindergarten", "status": "routed", "count": 1}, {"entitlementCode": "school_enrolment", "status": "resolved_granted", "count": 1}])
    );
    assert_eq!(
        st["deadlineCompliance"],
        json!([{"department": {"code": "education"}, "resolved": 1, "resolvedOnTime": 1, "onTimeRate": 1.0, "overdueOpen": 0}])
    );
    assert_eq!(st["bookings"], json!({"sessions": 1, "seats": 10, "byStatus": [{"key": "confirmed", "count": 1}]}));
    assert_eq!(st["verification"], json!({"records": 3, "verified": 3, "due": 0, "coverage": 1.0}));

    // The prefecture sees the same county plus 云岩区; a county officer cannot look at the city.
    let c = app.gql(Some(&city), q, json!({"r": "520100", "to": to})).await;
    assert_eq!(c["data"]["statistics"]["childrenInScope"], 3, "{c}");
    assert_eq!(code(&app.gql(Some(&ca), q, json!({"r": "520100", "to": to})).await), "NOT_FOUND");
    assert_eq!(code(&app.gql(Some(&yunyan), q, json!({"r": "520102", "to": to})).await), "NOT_FOUND");
    let bad = app
        .gql(
            Some(&ca),
            "query{ statistics(regionCode: \"520102\", from: \"2026-12-31\", to: \"2026-01-01\"){ childrenInScope } }",
            json!({}),
        )
        .await;
    assert_eq!((code(&bad), field(&bad)), ("VALIDATION", "from"));
    assert_eq!(code(&app.gql(Some(&g1), q, json!({"r": "520102", "to": to})).await), "FORBIDDEN");
}

#[tokio::test]
async fn the_export_parses_as_csv_masks_for_supervisors_and_is_audited() {
    let app = app().await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let sup = app.staff("sup@xinhua.gov.cn", Role::ChildSupervisor, None, "520102016").await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let idn = id_number("520304", "20160402", "128");
    let today = app.state.clock.today().to_string();
    let r = app.gql(Some(&director), REGISTER_SCREENED, json!({"i": screened_child("王小花", &idn), "c": paper(&today)})).await;
    let child = r["data"]["registerScreenedChild"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    app.gql(Some(&ca), ADD, json!({"c": child, "r": ["VAGRANCY"]})).await;
    let q = "query($r: String!){ exportChildren(regionCode: $r){ csv rows masked columns } }";

    let parse = |r: &Value| -> Vec<csv::StringRecord> {
        let text = r["data"]["exportChildren"]["csv"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
        let text = text.strip_prefix('\u{feff}').expect("a UTF-8 BOM for Excel and WPS");
        csv::Reader::from_reader(text.as_bytes()).records().collect::<Result<_, _>>().expect("valid CSV")
    };
    let masked = app.gql(Some(&sup), q, json!({"r": "520102016"})).await;
    assert_eq!(masked["data"]["exportChildren"]["masked"], true, "{masked}");
    let rows = parse(&masked);
    assert_eq!(rows.len(), 1);
    let cols: Vec<String> = serde_json::from_value(masked["data"]["exportChildren"]["columns"].clone()).expect("columns");
    let at = |name: &str| cols.iter().position(|c| c == name).expect("column");
    assert_eq!(&rows[0][at("record_id")], child);
    assert_eq!(&rows[0][at("name")], "王小花");
    assert!(
        rows[0][at("id_number")].contains('*') && !rows[0][at("id_number")].contains(&idn[6..14]),
        "masked: {}",
        &rows[0][at("id_number")]
    );
    assert_eq!(&rows[0][at("key_care_reasons")], "流浪");
    assert_eq!(&rows[0][at("in_scope")], "Y");
    assert_eq!(&rows[0][at("residence_township_code")], "520102016");

    let full = app.gql(Some(&ca), q, json!({"r": "520102"})).await;
    assert_eq!(full["data"]["exportChildren"]["masked"], false);
    assert_eq!(&parse(&full)[0][at("id_number")], idn.as_str(), "civil affairs report full numbers to the national system");

    assert_eq!(code(&app.gql(Some(&sup), q, json!({"r": "520102"})).await), "NOT_FOUND", "outside the township");
    let teacher = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    assert_eq!(code(&app.gql(Some(&teacher), q, json!({"r": "520102"})).await), "FORBIDDEN");

    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let audits = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq("children.exported"))
        .all(&app.state.db)
        .await
        .expect("audit");
    assert_eq!(audits.len(), 2, "every export is audited");
    assert!(audits.iter().all(|a| !a.detail.as_ref().is_some_and(|d| d.to_string().contains(&idn))), "no number in the audit");
}

#[tokio::test]
async fn the_demo_province_gives_queues_ledgers_and_statistics_something_to_show() {
    let app = app().await;
    api::demo::seed(&app.state).await.expect("demo");
    let printed = api::demo::seed(&app.state).await.expect("running it twice changes nothing");
    for (role, email) in &printed {
        let r = app.login_raw(email, api::demo::DEMO_PASSWORD).await;
        assert!(r["errors"].is_null(), "every printed demo login signs in ({role} {email}): {r}");
    }
    assert!(printed.iter().any(|(_, e)| e == "org@demo.tongxin"), "the organization's login is printed too");
    let g = app.login("guardian@demo.tongxin", api::demo::DEMO_PASSWORD).await;
    assert!(
        app.gql(Some(&g), "{ myHousehold { id } }", json!({})).await["data"]["myHousehold"]["id"].is_string(),
        "the demo guardian has a household"
    );
    let ca = app.login("civil_affairs.520102@demo.tongxin", api::demo::DEMO_PASSWORD).await;
    let s = app
        .gql(
            Some(&ca),
            "{ statistics(regionCode: \"520102\"){ childrenInScope requests { status count } keyCareByRiskLevel { key count } } }",
            json!({}),
        )
        .await;
    let st = &s["data"]["statistics"];
    assert!(st["childrenInScope"].as_i64().unwrap_or(0) >= 30, "{s}");
    let statuses: std::collections::BTreeSet<&str> =
        st["requests"].as_array().expect("requests").iter().filter_map(|r| r["status"].as_str()).collect();
    for s in ["routed", "claimed", "needs_info", "in_progress", "resolved_granted", "resolved_rejected", "withdrawn"] {
        assert!(statuses.contains(s), "a request in status {s}: {statuses:?}");
    }
    assert!(st["keyCareByRiskLevel"].as_array().is_some_and(|a| a.len() >= 2), "{s}");
    let ledger = app.gql(Some(&ca), LEDGER, json!({"r": "520102"})).await;
    assert!(!ids(&ledger, "keyCareLedger").is_empty());
    let edu = app.login("education.520102@demo.tongxin", api::demo::DEMO_PASSWORD).await;
    let q = app.gql(Some(&edu), "{ queue(first: 5){ edges { node { id status } } } }", json!({})).await;
    assert!(q["data"]["queue"]["edges"].as_array().is_some_and(|e| !e.is_empty()), "{q}");
    let all: i64 = app
        .gql(Some(&ca), "{ statistics(regionCode: \"520102\"){ verification { records } } }", json!({}))
        .await["data"]["statistics"]["verification"]["records"]
        .as_i64()
        .unwrap_or(0);
    assert!(all >= 50, "a few hundred children across five counties, {all} in 南明区");
    let services = app.gql(None, "{ services { edges { node { sessions { capacity seatsLeft } } } } }", json!({})).await;
    assert_eq!(services["data"]["services"]["edges"].as_array().map(Vec::len), Some(2), "{services}");
}
