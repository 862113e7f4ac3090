//! Grassroots screening, the six-monthly verification and the turning-16 mark (measure (一)).

use api::auth::Role;
use chrono::{Duration, Months};
use integration_tests::{code, field, fixtures::id_number};
use serde_json::{Value, json};

use super::scenario::*;

#[tokio::test]
async fn a_record_falls_due_exactly_six_months_after_its_verification_and_a_verification_clears_it() {
    let app = app().await;
    let g = app.guardian("due@example.org").await;
    let child = app.child(&g).born("2018-05-01").hukou("520304").lives_in("520102").await;
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
    assert_eq!(api::services::register::notify_due(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::register::notify_due(&app.state).await.expect("job"), 0);
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
    assert_eq!(api::services::register::notify_due(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::register::notify_due(&app.state).await.expect("job"), 0, "twice is once");
    let mails: Vec<String> =
        app.emails_to("director@xinhua.gov.cn").await.into_iter().filter(|m| m.contains("verified for six months")).collect();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("1 名") && !mails[0].contains("王小花"));
    assert!(!app.emails_to("director@xihu.gov.cn").await.iter().any(|m| m.contains("verified for six months")));
    let due = app.gql(Some(&director), DUE, json!({"r": "520102016"})).await;
    assert_eq!(ids(&due, "dueVerifications"), vec![child.clone()]);

    // The mother registers in the app with the same ID number and the claim code the director
    // wrote on her copy of the consent form: the record becomes hers.
    app.child(&g).born("2010-01-01").hukou("520304").lives_in("520102").await; // creates household and consent
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
    app.child(&other).born("2012-01-01").hukou("520304").lives_in("520102").await;
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
    let child = app.child(&g).born(&birth.to_string()).hukou("520304").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let input = json!({"i": {"childId": child, "entitlementCode": "education_aid", "details": "高中资助", "idempotencyKey": "k16"}});
    let rid = app.gql(Some(&g), SUBMIT, input).await["data"]["submitRequest"]["id"].as_str().expect("request").to_owned();
    let in_scope = |r: &Value| r["data"]["statistics"]["childrenInScope"].as_i64().unwrap_or_else(|| panic!("{r}"));
    let stats = "query{ statistics(regionCode: \"520102\"){ childrenInScope verification { records } } }";

    app.state.clock.advance(Duration::days(2)); // the day before the birthday
    assert_eq!(api::services::register::mark_aged_out(&app.state).await.expect("job"), 0);
    assert_eq!(in_scope(&app.gql(Some(&ca), stats, json!({})).await), 1);

    app.state.clock.advance(Duration::days(1)); // the 16th birthday
    assert_eq!(api::services::register::mark_aged_out(&app.state).await.expect("job"), 1);
    assert_eq!(api::services::register::mark_aged_out(&app.state).await.expect("job"), 0);
    let s = app.gql(Some(&ca), stats, json!({})).await;
    assert_eq!(in_scope(&s), 0, "out of scope on the birthday");
    assert_eq!(s["data"]["statistics"]["verification"]["records"], 0, "and out of the register");
    let r = app.gql(Some(&edu), STAFF_GET, json!({"id": rid})).await;
    assert_eq!(r["data"]["request"]["status"], "ROUTED", "the request stays open: {r}");
    assert_eq!(r["data"]["request"]["childAgedOutOn"], birthday.to_string());
    let mine = app.gql(Some(&g), STAFF_GET, json!({"id": rid})).await;
    assert!(mine["data"]["request"]["history"].to_string().contains("aged_out"), "the family sees why: {mine}");
}
