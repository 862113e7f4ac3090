//! What the household scenarios share: the operations they send, a pupil's record, a family
//! with its consent, and a count of the stored children.

use integration_tests::TestApp;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

pub const CHILD_FIELDS: &str = "id name sex birthDate idNumberMasked residenceRegionCode residenceTownshipCode
  residencePermitNumberMasked hasDisabilityCertificate schoolName consentActive version versions { version changedFields }";

pub fn add_child_q() -> String {
    format!("mutation($i: ChildInput!){{ addChild(input: $i){{ {CHILD_FIELDS} }} }}")
}

pub fn update_child_q() -> String {
    format!("mutation($id: ID!, $i: ChildInput!){{ updateChild(id: $id, input: $i){{ {CHILD_FIELDS} }} }}")
}

pub const HOUSEHOLD: &str =
    "{ myHousehold { id guardians { email } children { id name idNumberMasked } consents { id purpose childId withdrawnAt } } }";
pub const CONSENT: &str = "mutation($i: ConsentInput!){ giveConsent(input: $i){ id purpose childId textVersion givenAt withdrawnAt } }";
pub const REGISTERED: &str = "query($r: String!){ registeredChildren(regionCode: $r, first: 10){ edges { cursor node { id name idNumberMasked hasDisabilityCertificate } } pageInfo { hasNextPage } } }";
pub const RECORD: &str = "query($id: ID!){ childRecord(id: $id, purpose: RECORD_VERIFICATION){ idNumber residencePermitNumber child { id name idNumberMasked } } }";

/// A seven-year-old pupil who moved from 播州区 to 南明区 with her mother.
pub fn pupil(id: &str) -> Value {
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
pub async fn family(app: &TestApp, email: &str) -> String {
    let t = app.guardian(email).await;
    let r = app.gql(Some(&t), "mutation { createHousehold { id } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    consent(app, &t, "BASIC_SERVICES", None).await;
    t
}

pub async fn consent(app: &TestApp, token: &str, purpose: &str, child: Option<&str>) -> String {
    let r = app.gql(Some(token), CONSENT, json!({"i": {"purpose": purpose, "childId": child, "textVersion": "2026-11"}})).await;
    r["data"]["giveConsent"]["id"].as_str().unwrap_or_else(|| panic!("consent: {r}")).to_owned()
}

pub async fn add(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(Some(token), &add_child_q(), json!({"i": input})).await
}

pub async fn add_ok(app: &TestApp, token: &str, input: Value) -> String {
    let r = add(app, token, input).await;
    r["data"]["addChild"]["id"].as_str().unwrap_or_else(|| panic!("addChild: {r}")).to_owned()
}

pub async fn count_children(app: &TestApp) -> i64 {
    let db = &app.state.db;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM children"))
        .await
        .expect("query")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}
