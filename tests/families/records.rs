//! What is stored of a child: sealed numbers, erasure, versions, the export, entitlements.

use api::auth::Role;
use integration_tests::{TestApp, code, fixtures::id_number};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use super::scenario::*;

#[tokio::test]
async fn the_database_holds_no_plain_id_or_permit_number() {
    let app = TestApp::spawn().await;
    let g = family(&app, "enc@example.org").await;
    let id = id_number("520102", "20190310", "123");
    add_ok(&app, &g, pupil(&id)).await;
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id_number_ct, id_number_kid, id_number_hash, permit_number_ct FROM children",
        ))
        .await
        .expect("query");
    assert_eq!(rows.len(), 1);
    let ct: String = rows[0].try_get("", "id_number_ct").expect("ct");
    let kid: String = rows[0].try_get("", "id_number_kid").expect("kid");
    let hash: String = rows[0].try_get("", "id_number_hash").expect("hash");
    let permit: String = rows[0].try_get("", "permit_number_ct").expect("permit");
    assert_eq!(kid, "dev", "the test configuration uses the generated development key");
    for stored in [&ct, &hash, &permit] {
        assert!(!stored.contains(&id) && !stored.contains(&id[6..14]) && !stored.contains("GZ5201"), "{stored}");
    }
    assert_eq!(hash.len(), 64, "an HMAC-SHA256, hex");
    // Nowhere else either: details, versions, audit details.
    for sql in [
        "SELECT CAST(details AS TEXT) AS t FROM children",
        "SELECT CAST(snapshot AS TEXT) AS t FROM child_versions",
        "SELECT CAST(detail AS TEXT) AS t FROM audit_log WHERE detail IS NOT NULL",
    ] {
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await.expect("query") {
            let text: String = row.try_get("", "t").expect("text");
            assert!(!text.contains(&id) && !text.contains("GZ52010220250001"), "{sql}: {text}");
        }
    }
}

#[tokio::test]
async fn deletion_erases_the_personal_data_and_keeps_the_audit_entry() {
    let app = TestApp::spawn().await;
    let g = family(&app, "del@example.org").await;
    let id = id_number("520102", "20190310", "123");
    let child = add_ok(&app, &g, pupil(&id)).await;
    let r = app.gql(Some(&g), "mutation($id: ID!){ requestChildDeletion(childId: $id) }", json!({"id": child})).await;
    assert_eq!(r["data"]["requestChildDeletion"], true, "{r}");

    let r = app.gql(Some(&g), HOUSEHOLD, json!({})).await;
    assert_eq!(r["data"]["myHousehold"]["children"], json!([]), "{r}");
    assert_eq!(code(&app.gql(Some(&g), "query($id: ID!){ child(id: $id){ name } }", json!({"id": child})).await), "NOT_FOUND");

    let db = &app.state.db;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT name, birth_date, id_number_ct, id_number_hash, permit_number_ct, residence_township_code, household_id, birth_year, residence_region_code, CAST(details AS TEXT) AS d FROM children",
        ))
        .await
        .expect("query");
    let row = &rows[0];
    for col in ["name", "id_number_ct", "id_number_hash", "permit_number_ct", "residence_township_code", "d"] {
        assert_eq!(row.try_get::<Option<String>>("", col).expect(col), None, "{col} erased");
    }
    assert_eq!(row.try_get::<Option<chrono::NaiveDate>>("", "birth_date").expect("birth_date"), None);
    assert_eq!(row.try_get::<Option<uuid::Uuid>>("", "household_id").expect("household"), None, "the tombstone points at no family");
    assert_eq!(row.try_get::<Option<i32>>("", "birth_year").expect("year"), Some(2019));
    assert_eq!(row.try_get::<String>("", "residence_region_code").expect("region"), "520102");
    let snapshots =
        db.query_all_raw(Statement::from_string(backend, "SELECT id FROM child_versions WHERE snapshot IS NOT NULL")).await.expect("query");
    assert!(snapshots.is_empty(), "versions keep no snapshot");
    let audit = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT action FROM audit_log WHERE subject_type = 'child' AND subject_id = '{child}' AND action = 'child.erased'"),
        ))
        .await
        .expect("query");
    assert_eq!(audit.len(), 1, "the erasure is audited");
    // The ID number is free again (a new registration, e.g. after moving back).
    add_ok(&app, &g, pupil(&id)).await;
}

#[tokio::test]
async fn entitlements_of_a_stored_child_are_the_engines_result_for_its_facts() {
    let app = TestApp::spawn().await;
    let g = family(&app, "ent@example.org").await;
    let child = add_ok(&app, &g, pupil(&id_number("520102", "20190310", "123"))).await;
    let result = "policyVersion asOf scope { outcome reasons { condition result value } }
        entitlements { code outcome handledAt missingFacts trace { condition result value } }";
    let stored = app
        .gql(
            Some(&g),
            &format!("query($id: ID!){{ entitlements(childId: $id, asOf: \"2026-09-01\"){{ {result} }} }}"),
            json!({"id": child}),
        )
        .await;
    assert!(stored["errors"].is_null(), "{stored}");
    let facts = json!({
        "birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
        "residenceSince": "2025-02-01", "movedWithGuardian": true, "hasResidencePermit": true,
        "residencePermitSince": "2025-03-01", "enrolledInSchoolAtResidence": true
    });
    let direct = app
        .gql(
            None,
            &format!("query($i: ScreeningInput!){{ screenEligibility(input: $i, asOf: \"2026-09-01\"){{ {result} }} }}"),
            json!({"i": facts}),
        )
        .await;
    assert_eq!(stored["data"]["entitlements"], direct["data"]["screenEligibility"]);
    assert_eq!(stored["data"]["entitlements"]["scope"]["outcome"], "ELIGIBLE");
}

#[tokio::test]
async fn every_change_is_a_version_and_the_export_holds_everything() {
    let app = TestApp::spawn().await;
    let g = family(&app, "ver@example.org").await;
    let id = id_number("520102", "20190310", "123");
    let child = add_ok(&app, &g, pupil(&id)).await;
    let mut changed = pupil(&id);
    changed["schoolName"] = json!("南明区第二小学");
    changed["residenceTownshipCode"] = json!("520102017");
    let r = app.gql(Some(&g), &update_child_q(), json!({"id": child, "i": changed})).await;
    let c = &r["data"]["updateChild"];
    assert_eq!(c["version"], 2, "{r}");
    assert_eq!(c["versions"][1], json!({"version": 2, "changedFields": ["residenceTownshipCode", "schoolName"]}));
    // An identical update is not a new version.
    let r = app.gql(Some(&g), &update_child_q(), json!({"id": child, "i": changed})).await;
    assert_eq!(r["data"]["updateChild"]["version"], 2, "{r}");

    let staff = app.staff("mz@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    app.gql(Some(&staff), RECORD, json!({"id": child})).await;
    let r = app.gql(Some(&g), "query($id: ID!){ exportChildData(childId: $id) }", json!({"id": child})).await;
    let e = &r["data"]["exportChildData"];
    assert_eq!(e["child"]["idNumber"], id.as_str(), "{r}");
    assert_eq!(e["child"]["details"]["schoolName"], "南明区第二小学");
    assert_eq!(e["versions"].as_array().map(Vec::len), Some(2));
    assert_eq!(e["versions"][0]["snapshot"]["schoolName"], "南明区实验小学", "the record as it was");
    assert_eq!(e["consents"][0]["purpose"], "basic_services");
    assert_eq!(e["accessLog"][0]["actorRole"], "civil_affairs");
}
