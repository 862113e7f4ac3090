//! Implausible data is refused at the door: dates outside a plausible window (a child's birth
//! date more than 18 years back or in the future, sessions and due dates beyond two years ahead,
//! paper forms signed long ago), identity numbers whose region prefix does not exist, and free
//! text carrying Unicode bidirectional controls or other control characters (which let a name or
//! a comment display as something else). Each is `VALIDATION` naming the field, in zh and en, and
//! nothing is stored.

use integration_tests::{
    TestApp, code, field,
    fixtures::{id_number, service, verified_org},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const ADD_CHILD: &str = "mutation($i: ChildInput!){ addChild(input: $i){ id } }";

/// A guardian with a household and basic-services consent, ready to add children.
async fn guardian_ready(app: &TestApp, email: &str) -> String {
    let g = app.guardian(email).await;
    let r = app.gql(Some(&g), "mutation { createHousehold { id } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let c = app
        .gql(
            Some(&g),
            "mutation($i: ConsentInput!){ giveConsent(input: $i){ id } }",
            json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2026-11"}}),
        )
        .await;
    assert!(c["errors"].is_null(), "{c}");
    g
}

fn child(name: &str, birth: &str, id: Option<&str>) -> Value {
    json!({"i": {"name": name, "sex": "MALE", "birthDate": birth, "idNumber": id, "hukouRegionCode": "520304", "residenceRegionCode": "520102",
           "residenceSince": "2024-09-01", "movedWith": "MOTHER"}})
}

async fn children(app: &TestApp) -> u64 {
    entities::child::Entity::find().count(&app.state.db).await.expect("count")
}

/// `VALIDATION` on `expected`, with a message in both languages.
async fn refused_in_both_languages(app: &TestApp, token: &str, query: &str, vars: Value, expected: &str) {
    let zh = app.gql_lang(Some(token), "zh-CN", query, vars.clone()).await;
    assert_eq!((code(&zh), field(&zh)), ("VALIDATION", expected), "{zh}");
    let en = app.gql_lang(Some(token), "en", query, vars).await;
    assert_eq!((code(&en), field(&en)), ("VALIDATION", expected), "{en}");
    let (zh_msg, en_msg) =
        (zh["errors"][0]["message"].as_str().unwrap_or_default(), en["errors"][0]["message"].as_str().unwrap_or_default());
    assert!(zh_msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "zh message: {zh_msg}");
    assert!(en_msg.is_ascii() && zh_msg != en_msg, "en message: {en_msg}");
}

#[tokio::test]
async fn a_birth_date_in_year_one_is_refused_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let g = guardian_ready(&app, "year-one@example.org").await;
    refused_in_both_languages(&app, &g, ADD_CHILD, child("小明", "0001-01-01", None), "birthDate").await;
    // Just past the bound of a minor (18 years) is refused too; just inside is accepted.
    let today = app.state.clock.today();
    let too_old = today - chrono::Months::new(12 * 18) - chrono::Days::new(1);
    refused_in_both_languages(&app, &g, ADD_CHILD, child("小明", &too_old.to_string(), None), "birthDate").await;
    assert_eq!(children(&app).await, 0);
    let ok = app.gql(Some(&g), ADD_CHILD, child("小明", &(today - chrono::Months::new(12 * 17)).to_string(), None)).await;
    assert!(ok["errors"].is_null(), "a 17-year-old is a minor: {ok}");
}

#[tokio::test]
async fn a_session_on_the_last_day_of_9999_is_refused_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let (staff, _, loc) = verified_org(&app, "org@example.org", 1).await;
    let svc = service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let q = "mutation($i: SessionInput!){ createSession(input: $i){ id } }";
    let far = json!({"i": {"serviceId": svc, "startsAt": "9999-12-31T01:00:00Z", "endsAt": "9999-12-31T03:00:00Z", "capacity": 10}});
    refused_in_both_languages(&app, &staff, q, far, "startsAt").await;
    let start = app.state.clock.now() + chrono::Duration::days(2 * 365 + 10);
    let beyond = json!({"i": {"serviceId": svc, "startsAt": start.to_rfc3339(), "endsAt": (start + chrono::Duration::hours(2)).to_rfc3339(), "capacity": 10}});
    refused_in_both_languages(&app, &staff, q, beyond, "startsAt").await;
    assert_eq!(entities::session::Entity::find().count(&app.state.db).await.expect("count"), 0);
}

#[tokio::test]
async fn an_id_number_with_a_region_prefix_that_does_not_exist_is_refused() {
    let app = TestApp::spawn().await;
    let g = guardian_ready(&app, "prefix@example.org").await;
    // Check character and birth date are right; only the region is invented: no province 99,
    // and no prefecture 99 in Guizhou.
    for region in ["990101", "009901", "529901"] {
        let idn = id_number(region, "20190310", "123");
        refused_in_both_languages(&app, &g, ADD_CHILD, child("小明", "2019-03-10", Some(&idn)), "idNumber").await;
    }
    assert_eq!(children(&app).await, 0);
    // Real prefixes pass: a Guizhou county, another province, and a former Guizhou prefecture
    // (毕节地区 5224, a city since 2011) that children's numbers still carry.
    for (i, region) in ["520102", "430102", "522401"].into_iter().enumerate() {
        let idn = id_number(region, "20190310", &format!("12{i}"));
        let ok = app.gql(Some(&g), ADD_CHILD, child("小明", "2019-03-10", Some(&idn))).await;
        assert!(ok["errors"].is_null(), "{region}: {ok}");
    }
}

#[tokio::test]
async fn a_name_with_a_right_to_left_override_is_refused_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let g = guardian_ready(&app, "rlo@example.org").await;
    refused_in_both_languages(&app, &g, ADD_CHILD, child("小明\u{202E}gnp.exe", "2019-03-10", None), "name").await;
    assert_eq!(children(&app).await, 0);
    // Every bidi control and other control characters are refused the same way, in any name.
    for c in ['\u{202A}', '\u{202D}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{0007}', '\n'] {
        let r = app.gql(Some(&g), ADD_CHILD, child(&format!("小{c}明"), "2019-03-10", None)).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", "name"), "U+{:04X}: {r}", c as u32);
    }
    let reg = app
        .gql(
            None,
            "mutation($i: RegisterInput!){ register(input: $i) }",
            json!({"i": {"email": "bidi@example.org", "password": integration_tests::PASSWORD, "displayName": "王\u{2067}女士"}}),
        )
        .await;
    assert_eq!((code(&reg), field(&reg)), ("VALIDATION", "displayName"), "{reg}");
    assert_eq!(children(&app).await, 0);
}

#[tokio::test]
async fn a_bidi_control_in_a_request_comment_or_its_details_is_refused() {
    use api::auth::Role;
    let app = TestApp::spawn().await;
    let g = guardian_ready(&app, "comment@example.org").await;
    let kid =
        app.gql(Some(&g), ADD_CHILD, child("小明", "2019-03-10", None)).await["data"]["addChild"]["id"].as_str().expect("child").to_owned();
    let staff = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let submit = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }";
    let input = |details: &str, key: &str| json!({"i": {"childId": kid, "entitlementCode": "school_enrolment", "details": details, "idempotencyKey": key}});
    refused_in_both_languages(&app, &g, submit, input("九月上学\u{2066}", "k0"), "details").await;
    assert_eq!(entities::request::Entity::find().count(&app.state.db).await.expect("count"), 0);
    // Several lines are fine in a multi-line text.
    let r = app.gql(Some(&g), submit, input("九月上学\n请联系妈妈", "k1")).await;
    let rid = r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let comment = "mutation($id: ID!, $b: String!){ commentOnRequest(id: $id, body: $b, internal: false){ id } }";
    let events = entities::request_event::Entity::find().count(&app.state.db).await.expect("count");
    refused_in_both_languages(&app, &staff, comment, json!({"id": rid, "b": "已受理\u{202E}驳回"}), "body").await;
    assert_eq!(entities::request_event::Entity::find().count(&app.state.db).await.expect("count"), events);
}

#[tokio::test]
async fn a_paper_consent_signed_in_the_distant_past_is_refused() {
    use api::auth::Role;
    let app = TestApp::spawn().await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let q = "mutation($i: ChildInput!, $c: PaperConsentInput!){ registerScreenedChild(input: $i, consent: $c){ id } }";
    let idn = id_number("520304", "20160402", "128");
    let kid = json!({"name": "王小花", "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": idn, "hukouRegionCode": "520304",
                     "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01", "movedWithGuardian": true});
    let paper = json!({"signedBy": "王某（母亲）", "signedOn": "1900-01-01", "textVersion": "2026-11"});
    refused_in_both_languages(&app, &director, q, json!({"i": kid, "c": paper}), "consent.signedOn").await;
    assert_eq!(children(&app).await, 0);
}

#[tokio::test]
async fn a_care_measure_due_in_the_year_9999_is_refused() {
    use api::auth::Role;
    let app = TestApp::spawn().await;
    let g = guardian_ready(&app, "care@example.org").await;
    let kid =
        app.gql(Some(&g), ADD_CHILD, child("小明", "2019-03-10", None)).await["data"]["addChild"]["id"].as_str().expect("child").to_owned();
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let r = app
        .gql(Some(&ca), "mutation($c: ID!){ addToKeyCare(childId: $c, reasons: [PSYCHOLOGICAL_OR_BEHAVIOURAL]){ id } }", json!({"c": kid}))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let assign = "mutation($i: CareMeasureInput!){ assignCareMeasure(input: $i){ id } }";
    let input = json!({"i": {"childId": kid, "departmentCode": "education", "townshipCode": "520102016", "description": "每周家访", "dueOn": "9999-12-31"}});
    refused_in_both_languages(&app, &ca, assign, input, "input.dueOn").await;
    assert_eq!(entities::care_measure::Entity::find().count(&app.state.db).await.expect("count"), 0);
}
