//! Households, children's records, consent and the protection of minors' personal data, through
//! GraphQL as the app and the staff console call them.

use api::auth::Role;
use integration_tests::{TestApp, code, field, fixtures::id_number, token_in};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const CHILD_FIELDS: &str = "id name sex birthDate idNumberMasked residenceRegionCode residenceTownshipCode
  residencePermitNumberMasked hasDisabilityCertificate schoolName consentActive version versions { version changedFields }";

fn add_child_q() -> String {
    format!("mutation($i: ChildInput!){{ addChild(input: $i){{ {CHILD_FIELDS} }} }}")
}

fn update_child_q() -> String {
    format!("mutation($id: ID!, $i: ChildInput!){{ updateChild(id: $id, input: $i){{ {CHILD_FIELDS} }} }}")
}

const HOUSEHOLD: &str =
    "{ myHousehold { id guardians { email } children { id name idNumberMasked } consents { id purpose childId withdrawnAt } } }";
const CONSENT: &str = "mutation($i: ConsentInput!){ giveConsent(input: $i){ id purpose childId textVersion givenAt withdrawnAt } }";
const REGISTERED: &str = "query($r: String!){ registeredChildren(regionCode: $r, first: 10){ edges { cursor node { id name idNumberMasked hasDisabilityCertificate } } pageInfo { hasNextPage } } }";
const RECORD: &str = "query($id: ID!){ childRecord(id: $id, purpose: RECORD_VERIFICATION){ idNumber residencePermitNumber child { id name idNumberMasked } } }";

/// A seven-year-old pupil who moved from 播州区 to 南明区 with her mother.
fn pupil(id: &str) -> Value {
    json!({
        "name": "小梅",
        "sex": "FEMALE",
        "birthDate": "2019-03-10",
        "idNumber": id,
        "hukouRegionCode": "520304",
        "residenceRegionCode": "520102",
        "residenceTownshipCode": "520102016",
        "residenceSince": "2025-02-01",
        "movedWith": "MOTHER",
        "hasResidencePermit": true,
        "residencePermitNumber": "GZ52010220250001",
        "residencePermitSince": "2025-03-01",
        "enrolledInSchoolAtResidence": true,
        "schoolName": "南明区实验小学"
    })
}

/// A guardian with a household and a household-wide basic-services consent; returns the token.
async fn family(app: &TestApp, email: &str) -> String {
    let t = app.guardian(email).await;
    let r = app.gql(Some(&t), "mutation { createHousehold { id } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    consent(app, &t, "BASIC_SERVICES", None).await;
    t
}

async fn consent(app: &TestApp, token: &str, purpose: &str, child: Option<&str>) -> String {
    let r = app.gql(Some(token), CONSENT, json!({"i": {"purpose": purpose, "childId": child, "textVersion": "2026-11"}})).await;
    r["data"]["giveConsent"]["id"].as_str().unwrap_or_else(|| panic!("consent: {r}")).to_owned()
}

async fn add(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(Some(token), &add_child_q(), json!({"i": input})).await
}

async fn add_ok(app: &TestApp, token: &str, input: Value) -> String {
    let r = add(app, token, input).await;
    r["data"]["addChild"]["id"].as_str().unwrap_or_else(|| panic!("addChild: {r}")).to_owned()
}

async fn count_children(app: &TestApp) -> i64 {
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM children"))
        .await
        .expect("query")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn a_guardian_cannot_read_update_export_or_delete_another_households_child() {
    let app = TestApp::spawn().await;
    let a = family(&app, "a@example.org").await;
    let b = family(&app, "b@example.org").await;
    let child = add_ok(&app, &a, pupil(&id_number("520102", "20190310", "123"))).await;
    let missing = uuid::Uuid::now_v7().to_string();

    for id in [child.as_str(), missing.as_str()] {
        let attempts = [
            app.gql(Some(&b), "query($id: ID!){ child(id: $id){ name } }", json!({"id": id})).await,
            app.gql(Some(&b), &update_child_q(), json!({"id": id, "i": pupil(&id_number("520102", "20190310", "999"))})).await,
            app.gql(Some(&b), "query($id: ID!){ exportChildData(childId: $id) }", json!({"id": id})).await,
            app.gql(Some(&b), "mutation($id: ID!){ requestChildDeletion(childId: $id) }", json!({"id": id})).await,
            app.gql(Some(&b), "query($id: ID!){ entitlements(childId: $id){ asOf } }", json!({"id": id})).await,
            app.gql(Some(&b), "query($id: ID!){ childAccessLog(childId: $id){ edges { cursor } } }", json!({"id": id})).await,
        ];
        for r in attempts {
            assert_eq!(code(&r), "NOT_FOUND", "{r}");
            assert_eq!(r["errors"][0]["message"], "未找到该对象", "indistinguishable from a missing id: {r}");
        }
    }
    // The owner still has the child, unchanged.
    let r = app.gql(Some(&a), "query($id: ID!){ child(id: $id){ name version } }", json!({"id": child})).await;
    assert_eq!(r["data"]["child"], json!({"name": "小梅", "version": 1}), "{r}");
}

#[tokio::test]
async fn a_second_guardian_sees_the_same_children_after_accepting_the_invitation() {
    let app = TestApp::spawn().await;
    let mother = family(&app, "mother@example.org").await;
    let child = add_ok(&app, &mother, pupil(&id_number("520102", "20190310", "123"))).await;
    let father = app.guardian("father@example.org").await;
    let stranger = app.guardian("stranger@example.org").await;
    let r = app.gql(Some(&father), HOUSEHOLD, json!({})).await;
    assert!(r["data"]["myHousehold"].is_null(), "{r}");

    let r = app.gql(Some(&mother), "mutation { inviteGuardian(email: \"Father@Example.org\") }", json!({})).await;
    assert_eq!(r["data"]["inviteGuardian"], true, "{r}");
    let mail = app.emails_to("father@example.org").await.pop().expect("invitation e-mail");
    assert!(mail.contains("https://tongxin.test/household-invitation?token="), "{mail}");
    let token = token_in(&mail);

    // Only the invited address can use the token.
    let accept = "mutation($t: String!){ acceptHouseholdInvitation(token: $t){ id guardians { email } children { id } } }";
    let r = app.gql(Some(&stranger), accept, json!({"t": token})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "token"), "{r}");

    let r = app.gql(Some(&father), accept, json!({"t": token})).await;
    assert!(r["errors"].is_null(), "{r}");
    let h = &r["data"]["acceptHouseholdInvitation"];
    assert_eq!(h["guardians"], json!([{"email": "mother@example.org"}, {"email": "father@example.org"}]));
    assert_eq!(h["children"], json!([{"id": child}]));
    let r = app.gql(Some(&father), HOUSEHOLD, json!({})).await;
    assert_eq!(r["data"]["myHousehold"]["children"][0]["name"], "小梅", "{r}");
    // The father can act on the child like the mother.
    let r = app.gql(Some(&father), "query($id: ID!){ exportChildData(childId: $id) }", json!({"id": child})).await;
    assert_eq!(r["data"]["exportChildData"]["child"]["name"], "小梅", "{r}");
    // The link works once.
    let again = app.gql(Some(&father), accept, json!({"t": token})).await;
    assert_eq!(code(&again), "VALIDATION");
}

#[tokio::test]
async fn the_same_id_number_cannot_be_registered_twice_in_any_household() {
    let app = TestApp::spawn().await;
    let a = family(&app, "first@example.org").await;
    let b = family(&app, "second@example.org").await;
    let id = id_number("520102", "20190310", "123");
    add_ok(&app, &a, pupil(&id)).await;

    let same = add(&app, &a, pupil(&id)).await;
    assert_eq!(code(&same), "CONFLICT", "{same}");
    let mut lower = pupil(&id.to_lowercase());
    lower["name"] = json!("别名");
    let other = add(&app, &b, lower).await;
    assert_eq!(code(&other), "CONFLICT", "{other}");
    // Same answer in both cases: nothing about who holds the record.
    assert_eq!(same["errors"][0]["message"], other["errors"][0]["message"]);
    let msg = other["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!msg.contains("first@example.org") && !msg.contains("小梅"), "{msg}");
    let hh = app.gql(Some(&a), HOUSEHOLD, json!({})).await;
    let hid = hh["data"]["myHousehold"]["id"].as_str().expect("household id");
    assert!(!other.to_string().contains(hid), "{other}");
    assert_eq!(count_children(&app).await, 1);
}

#[tokio::test]
async fn a_bad_check_character_a_mismatched_birth_date_or_an_unknown_region_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let t = family(&app, "v@example.org").await;
    let good = id_number("520102", "20190310", "123");
    let last = good.chars().last().expect("last");
    let bad_check = format!("{}{}", &good[..17], if last == '1' { '2' } else { '1' });

    let cases = [
        (json!({"idNumber": bad_check}), "idNumber"),
        (json!({"idNumber": id_number("520102", "20190311", "123")}), "idNumber"),
        (json!({"idNumber": "52010220190310"}), "idNumber"),
        (json!({"residenceRegionCode": "520199"}), "residenceRegionCode"),
        (json!({"residenceRegionCode": "110101"}), "residenceRegionCode"),
        (json!({"hukouRegionCode": "999999"}), "hukouRegionCode"),
        (json!({"residenceTownshipCode": "520103001"}), "residenceTownshipCode"),
        (json!({"residenceSince": "2018-01-01"}), "residenceSince"),
        (json!({"birthDate": "2099-01-01", "idNumber": null}), "birthDate"),
        (json!({"residencePermitEndorsedOn": "2025-01-01"}), "residencePermitEndorsedOn"),
    ];
    for (patch, expected) in cases {
        let mut input = pupil(&good);
        for (k, v) in patch.as_object().expect("object") {
            input[k] = v.clone();
        }
        let r = add(&app, &t, input).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", expected), "{patch}: {r}");
    }
    assert_eq!(count_children(&app).await, 0, "nothing written");
    let r = app.gql(Some(&t), HOUSEHOLD, json!({})).await;
    assert_eq!(r["data"]["myHousehold"]["children"], json!([]));
    // The valid record is accepted.
    add_ok(&app, &t, pupil(&good)).await;
}

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
