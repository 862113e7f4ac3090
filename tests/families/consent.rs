//! Consent as the condition of processing, and what staff may see of a child.

use api::auth::Role;
use integration_tests::{TestApp, code, field, fixtures::id_number};
use serde_json::json;

use super::scenario::*;

#[tokio::test]
async fn no_consent_means_no_record_and_sensitive_facts_need_their_own_consent() {
    let app = TestApp::spawn().await;
    let t = app.guardian("c@example.org").await;
    let r = add(&app, &t, pupil(&id_number("520102", "20190310", "123"))).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "household"), "{r}");
    app.gql(Some(&t), "mutation { createHousehold { id } }", json!({})).await;
    let r = add(&app, &t, pupil(&id_number("520102", "20190310", "123"))).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "consent"), "{r}");
    assert_eq!(count_children(&app).await, 0);

    // An outdated consent text is not a consent.
    let r = app.gql(Some(&t), CONSENT, json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2019-01"}})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "textVersion"), "{r}");
    let basic = consent(&app, &t, "BASIC_SERVICES", None).await;
    let r = app.gql(Some(&t), HOUSEHOLD, json!({})).await;
    assert_eq!(r["data"]["myHousehold"]["consents"][0]["purpose"], "BASIC_SERVICES");
    assert_eq!(r["data"]["myHousehold"]["consents"][0]["id"], basic.as_str());

    // Sensitive facts are refused without the separate consent, naming the field.
    let mut input = pupil(&id_number("520102", "20190310", "123"));
    input["hasDisabilityCertificate"] = json!(true);
    input["disabilityGrade"] = json!(2);
    let r = add(&app, &t, input.clone()).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "hasDisabilityCertificate"), "{r}");
    assert_eq!(count_children(&app).await, 0);
    consent(&app, &t, "SENSITIVE_DATA", None).await;
    let r = add(&app, &t, input).await;
    assert_eq!(r["data"]["addChild"]["hasDisabilityCertificate"], true, "{r}");
}

#[tokio::test]
async fn staff_see_children_in_their_region_masked_and_read_the_full_record_only_with_a_logged_purpose() {
    let app = TestApp::spawn().await;
    let g = family(&app, "g@example.org").await;
    let id = id_number("520102", "20190310", "123");
    let child = add_ok(&app, &g, pupil(&id)).await;
    let staff = app.staff("mz@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let director = app.staff("director@nanming.gov.cn", Role::ChildDirector, None, "520102016").await;
    let elsewhere = app.staff("mz@yunyan.gov.cn", Role::CivilAffairs, None, "520103").await;
    let teacher = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;

    let r = app.gql(Some(&staff), REGISTERED, json!({"r": "520102"})).await;
    let node = &r["data"]["registeredChildren"]["edges"][0]["node"];
    assert_eq!(node["id"], child.as_str(), "{r}");
    let masked = format!("{}{}", "*".repeat(16), &id[16..]);
    assert_eq!(node["idNumberMasked"], masked.as_str());
    assert!(!r.to_string().contains(&id), "the list never shows the full number");
    let r = app.gql(Some(&director), REGISTERED, json!({"r": "520102016"})).await;
    assert_eq!(r["data"]["registeredChildren"]["edges"][0]["node"]["id"], child.as_str(), "{r}");
    let r = app.gql(Some(&elsewhere), REGISTERED, json!({"r": "520102"})).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let r = app.gql(Some(&elsewhere), REGISTERED, json!({"r": "520103"})).await;
    assert_eq!(r["data"]["registeredChildren"]["edges"], json!([]), "{r}");
    assert_eq!(code(&app.gql(Some(&teacher), REGISTERED, json!({"r": "520102"})).await), "FORBIDDEN");
    assert_eq!(code(&app.gql(Some(&g), REGISTERED, json!({"r": "520102"})).await), "FORBIDDEN");

    // The full record: unmasked for staff in scope, NOT_FOUND elsewhere.
    let r = app.gql(Some(&staff), RECORD, json!({"id": child})).await;
    assert_eq!(r["data"]["childRecord"]["idNumber"], id.as_str(), "{r}");
    assert_eq!(r["data"]["childRecord"]["residencePermitNumber"], "GZ52010220250001");
    assert_eq!(r["data"]["childRecord"]["child"]["idNumberMasked"], masked.as_str());
    assert_eq!(code(&app.gql(Some(&elsewhere), RECORD, json!({"id": child})).await), "NOT_FOUND");

    // The guardian sees who read what, and why.
    let log = "query($id: ID!, $after: String){ childAccessLog(childId: $id, first: 1, after: $after){
        edges { cursor node { actorName actorRole fields purpose } } pageInfo { hasNextPage endCursor } } }";
    app.gql(Some(&director), RECORD, json!({"id": child})).await;
    let r = app.gql(Some(&g), log, json!({"id": child})).await;
    let page = &r["data"]["childAccessLog"];
    assert_eq!(page["edges"][0]["node"]["actorRole"], "CHILD_DIRECTOR", "newest first: {r}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let r = app.gql(Some(&g), log, json!({"id": child, "after": page["pageInfo"]["endCursor"]})).await;
    let entry = &r["data"]["childAccessLog"]["edges"][0]["node"];
    assert_eq!(entry["actorRole"], "CIVIL_AFFAIRS", "{r}");
    assert_eq!(entry["actorName"], "工作人员");
    assert_eq!(entry["purpose"], "record_verification");
    assert_eq!(entry["fields"], json!(["idNumber", "residencePermitNumber"]));
    assert_eq!(r["data"]["childAccessLog"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn a_withdrawn_consent_hides_the_child_from_staff_and_stops_processing_but_keeps_the_data() {
    let app = TestApp::spawn().await;
    let g = app.guardian("w@example.org").await;
    app.gql(Some(&g), "mutation { createHousehold { id } }", json!({})).await;
    let basic = consent(&app, &g, "BASIC_SERVICES", None).await;
    let child = add_ok(&app, &g, pupil(&id_number("520102", "20190310", "123"))).await;
    let staff = app.staff("mz@nanming.gov.cn", Role::CivilAffairs, None, "520100").await;
    let r = app.gql(Some(&staff), REGISTERED, json!({"r": "520102"})).await;
    assert_eq!(r["data"]["registeredChildren"]["edges"].as_array().map(Vec::len), Some(1), "{r}");

    let r = app.gql(Some(&g), "mutation($id: ID!){ withdrawConsent(id: $id){ id withdrawnAt } }", json!({"id": basic})).await;
    assert!(r["data"]["withdrawConsent"]["withdrawnAt"].is_string(), "{r}");

    let r = app.gql(Some(&staff), REGISTERED, json!({"r": "520102"})).await;
    assert_eq!(r["data"]["registeredChildren"]["edges"], json!([]), "{r}");
    assert_eq!(code(&app.gql(Some(&staff), RECORD, json!({"id": child})).await), "NOT_FOUND");
    // No processing: no new version, no entitlement run, no new child.
    let r = app.gql(Some(&g), &update_child_q(), json!({"id": child, "i": pupil(&id_number("520102", "20190310", "123"))})).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let r = app.gql(Some(&g), "query($id: ID!){ entitlements(childId: $id){ asOf } }", json!({"id": child})).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let r = add(&app, &g, pupil(&id_number("520102", "20190310", "456"))).await;
    assert_eq!(field(&r), "consent", "{r}");
    assert!(!api::services::families::child_processable(&app.state.db, uuid::Uuid::parse_str(&child).expect("uuid")).await.expect("q"));
    // The data is kept and the guardian still sees it.
    let r = app.gql(Some(&g), HOUSEHOLD, json!({})).await;
    assert_eq!(r["data"]["myHousehold"]["children"][0]["name"], "小梅", "{r}");

    // A new consent for this child alone makes it processable again.
    consent(&app, &g, "BASIC_SERVICES", Some(&child)).await;
    let r = app.gql(Some(&staff), REGISTERED, json!({"r": "520102"})).await;
    assert_eq!(r["data"]["registeredChildren"]["edges"].as_array().map(Vec::len), Some(1), "{r}");
}
