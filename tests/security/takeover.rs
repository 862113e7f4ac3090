//! Class: taking over a stored child's record by knowing facts about the child. A record a child
//! director registered in screening (no household yet) passes to a household only with proof —
//! the one-time claim code printed for the paper consent form — never on a name and an ID number,
//! which a neighbour, a relative or a leaked list can know. A refused claim changes nothing and
//! reveals nothing about the stored record; an accepted one shows the family only what they
//! entered, never what staff recorded before.

use api::auth::Role;
use chrono::Duration;
use integration_tests::{TestApp, code, field, fixtures::id_number};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const REGISTER_SCREENED: &str =
    "mutation($i: ChildInput!, $c: PaperConsentInput!){ registerScreenedChild(input: $i, consent: $c){ id awaitingGuardian } }";
const ISSUE: &str = "mutation($c: ID!){ issueClaimCode(childId: $c){ code expiresAt } }";
const ADD: &str = "mutation($i: ChildInput!, $k: String){ addChild(input: $i, claimCode: $k){ id name residenceRegionCode guardianshipAbsent versions { version changedFields } } }";
const REGISTER: &str = "query($r: String!){ registeredChildren(regionCode: $r){ edges { node { id name guardianshipAbsent } } } }";

/// A child without a guardian at hand (监护缺失), found in 新华路街道 of 南明区.
fn unguarded(name: &str, idn: &str) -> Value {
    json!({"name": name, "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": idn, "hukouRegionCode": "520304",
           "residenceRegionCode": "520102", "residenceTownshipCode": "520102016", "residenceSince": "2023-03-01",
           "movedWithGuardian": false, "guardianshipAbsent": true, "schoolName": "新华路小学"})
}

/// The same child as a guardian in another county (云岩区) enters it.
fn claimed(name: &str, idn: &str) -> Value {
    json!({"name": name, "sex": "FEMALE", "birthDate": "2016-04-02", "idNumber": idn, "hukouRegionCode": "520304",
           "residenceRegionCode": "520103", "residenceSince": "2025-01-01", "movedWith": "MOTHER"})
}

struct Scene {
    app: TestApp,
    director: String,
    child: String,
    idn: String,
}

/// A director's screened child, and the director's own read of it (which goes to the access log).
async fn scene() -> Scene {
    let app = TestApp::spawn_with(|c| c.jwt_access_ttl_secs = 400 * 24 * 3600).await;
    let director = app.staff("director@xinhua.gov.cn", Role::ChildDirector, None, "520102016").await;
    let idn = id_number("520304", "20160402", "128");
    let today = app.state.clock.today().to_string();
    let paper = json!({"signedBy": "王某（祖母）", "signedOn": today, "textVersion": "2026-11"});
    let r = app.gql(Some(&director), REGISTER_SCREENED, json!({"i": unguarded("王小花", &idn), "c": paper})).await;
    let child = r["data"]["registerScreenedChild"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let read =
        app.gql(Some(&director), "query($id: ID!){ childRecord(id: $id, purpose: KEY_CARE){ idNumber } }", json!({"id": child})).await;
    assert_eq!(read["data"]["childRecord"]["idNumber"], idn.as_str(), "{read}");
    Scene { app, director, child, idn }
}

/// A guardian with a household and a basic-services consent, living in 云岩区.
async fn claimant(app: &TestApp, email: &str) -> String {
    let g = app.guardian(email).await;
    app.child(&g).born("2012-01-01").hukou("520304").lives_in("520103").await;
    g
}

async fn issue(s: &Scene) -> String {
    let r = s.app.gql(Some(&s.director), ISSUE, json!({"c": s.child})).await;
    r["data"]["issueClaimCode"]["code"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned()
}

/// The stored row, untouched: still without a household, at its first version.
async fn assert_untouched(s: &Scene) {
    let id: uuid::Uuid = s.child.parse().expect("uuid");
    let row = entities::child::Entity::find_by_id(id).one(&s.app.state.db).await.expect("db").expect("row");
    assert!(row.household_id.is_none(), "the record stays unlinked");
    assert_eq!(row.version, 1);
    assert_eq!(row.residence_region_code, "520102");
    let listed = s.app.gql(Some(&s.director), REGISTER, json!({"r": "520102016"})).await;
    let ids: Vec<&str> =
        listed["data"]["registeredChildren"]["edges"].as_array().expect("edges").iter().filter_map(|e| e["node"]["id"].as_str()).collect();
    assert_eq!(ids, vec![s.child.as_str()], "the director still has the child in the register: {listed}");
}

async fn household_names(app: &TestApp, g: &str) -> Vec<String> {
    let h = app.gql(Some(g), "{ myHousehold { children { name } } }", json!({})).await;
    h["data"]["myHousehold"]["children"].as_array().expect("children").iter().map(|c| c["name"].as_str().unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn a_name_and_an_id_number_do_not_take_over_a_screened_childs_record() {
    let s = scene().await;
    let thief = claimant(&s.app, "far-away@example.org").await;

    let grab = s.app.gql(Some(&thief), ADD, json!({"i": claimed("王小花", &s.idn)})).await;
    assert_eq!(code(&grab), "CONFLICT", "{grab}");
    assert!(grab["data"].is_null(), "nothing of the record comes back: {grab}");
    let said = grab["errors"].to_string();
    for secret in ["王小花", "520102", "新华", "南明", "guardianship", "祖母"] {
        assert!(!said.contains(secret), "the refusal reveals {secret}: {said}");
    }
    // The refusal reads exactly like the one for a child already in a household.
    let family = s.app.guardian("family@example.org").await;
    s.app.child(&family).born("2012-01-01").hukou("520304").lives_in("520103").await;
    let other = id_number("520304", "20160402", "222");
    let first = s.app.gql(Some(&family), ADD, json!({"i": claimed("李四", &other)})).await;
    assert!(first["errors"].is_null(), "{first}");
    let twice = s.app.gql(Some(&thief), ADD, json!({"i": claimed("李四", &other)})).await;
    assert_eq!(twice["errors"][0]["message"], grab["errors"][0]["message"], "an unlinked record is not distinguishable");

    assert_untouched(&s).await;
    assert_eq!(household_names(&s.app, &thief).await, vec!["小明"], "the claimant got nothing");
}

#[tokio::test]
async fn wrong_expired_voided_and_used_claim_codes_are_refused_and_change_nothing() {
    let s = scene().await;
    let thief = claimant(&s.app, "guesser@example.org").await;
    let code1 = issue(&s).await;
    let refused = |r: &Value| (code(r).to_owned(), field(r).to_owned());
    let wrong = ("VALIDATION".to_owned(), "claimCode".to_owned());

    // Guessing: every wrong code is refused alike, and the fifth failure voids the real one.
    for guess in ["AAAA-AAAA-AAAA", "not a code", "", "ZZZZZZZZZZZZ", "2345-6789-ABCD"] {
        let r = s.app.gql(Some(&thief), ADD, json!({"i": claimed("王小花", &s.idn), "k": guess})).await;
        assert_eq!(refused(&r), wrong, "{guess}: {r}");
        assert!(!r["errors"].to_string().contains("王小花"));
    }
    let r = s.app.gql(Some(&thief), ADD, json!({"i": claimed("王小花", &s.idn), "k": code1})).await;
    assert_eq!(refused(&r), wrong, "after five wrong guesses the code is void: {r}");
    assert_untouched(&s).await;

    // A code past its expiry is refused.
    let code2 = issue(&s).await;
    s.app.state.clock.advance(Duration::days(31));
    let g = claimant(&s.app, "late@example.org").await;
    let r = s.app.gql(Some(&g), ADD, json!({"i": claimed("王小花", &s.idn), "k": code2})).await;
    assert_eq!(refused(&r), wrong, "expired: {r}");
    assert_untouched(&s).await;

    // Issuing a new code voids the earlier one; the new one works once.
    let code3 = issue(&s).await;
    let code4 = issue(&s).await;
    let r = s.app.gql(Some(&g), ADD, json!({"i": claimed("王小花", &s.idn), "k": code3})).await;
    assert_eq!(refused(&r), wrong, "replaced: {r}");
    let ok = s.app.gql(Some(&g), ADD, json!({"i": claimed("王小花", &s.idn), "k": code4})).await;
    assert_eq!(ok["data"]["addChild"]["id"], s.child.as_str(), "{ok}");
    let again = s.app.gql(Some(&thief), ADD, json!({"i": claimed("王小花", &s.idn), "k": code4})).await;
    assert_eq!(refused(&again), wrong, "used: {again}");
    assert_eq!(household_names(&s.app, &thief).await, vec!["小明"]);
}

#[tokio::test]
async fn the_claim_code_links_the_record_without_showing_what_staff_recorded_before() {
    let s = scene().await;
    let g = claimant(&s.app, "grandma@example.org").await;
    let code = issue(&s).await;
    s.app.state.clock.advance(Duration::days(3)); // the family signs up a few days later
    // Spaces, hyphens and lower case as a person types them from paper are fine.
    let typed = code.to_lowercase().replace('-', " ");
    let r = s.app.gql(Some(&g), ADD, json!({"i": claimed("王小花", &s.idn), "k": typed})).await;
    let c = &r["data"]["addChild"];
    assert_eq!(c["id"], s.child.as_str(), "one record, not two: {r}");
    assert_eq!(c["residenceRegionCode"], "520103", "what the guardian entered");
    assert!(c["guardianshipAbsent"].is_null(), "the screening's facts are not shown");
    let versions = c["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 1, "only the versions since the link: {r}");
    assert_eq!(versions[0]["version"], 2);
    let named = versions[0]["changedFields"].to_string();
    for field in ["guardianshipAbsent", "schoolName", "residenceTownshipCode"] {
        assert!(!named.contains(field), "the link version hints at the screened {field}: {named}");
    }

    let export = s.app.gql(Some(&g), "query($c: ID!){ exportChildData(childId: $c) }", json!({"c": s.child})).await;
    let text = export["data"]["exportChildData"].to_string();
    assert!(export["errors"].is_null(), "{export}");
    for before in ["新华路小学", "520102016", "guardianshipAbsent\":true", "祖母"] {
        assert!(!text.contains(before), "the export shows the pre-link {before}: {text}");
    }
    assert_eq!(export["data"]["exportChildData"]["versions"].as_array().map(Vec::len), Some(1));
    let linked_at = &export["data"]["exportChildData"]["versions"][0]["changedAt"];
    assert_eq!(&export["data"]["exportChildData"]["child"]["createdAt"], linked_at, "not when staff registered the child");
    let log =
        s.app.gql(Some(&g), "query($c: ID!){ childAccessLog(childId: $c){ edges { node { purpose } } } }", json!({"c": s.child})).await;
    assert_eq!(log["data"]["childAccessLog"]["edges"], json!([]), "staff reads before the link are not the claimant's: {log}");

    // The director keeps the full history; the record left the township with the family's move.
    let id: uuid::Uuid = s.child.parse().expect("uuid");
    let all = api::services::children::versions(&s.app.state.db, id).await.expect("versions");
    assert_eq!(all.len(), 2, "nothing recorded before the link was lost");
    let listed = s.app.gql(Some(&s.director), REGISTER, json!({"r": "520102016"})).await;
    assert_eq!(listed["data"]["registeredChildren"]["edges"], json!([]), "{listed}");
}

#[tokio::test]
async fn only_staff_of_the_childs_area_issue_claim_codes_for_unlinked_screened_children() {
    let s = scene().await;
    let elsewhere = s.app.staff("director@xihu.gov.cn", Role::ChildDirector, None, "520102017").await;
    assert_eq!(code(&s.app.gql(Some(&elsewhere), ISSUE, json!({"c": s.child})).await), "NOT_FOUND");
    let g = claimant(&s.app, "parent@example.org").await;
    assert_eq!(code(&s.app.gql(Some(&g), ISSUE, json!({"c": s.child})).await), "FORBIDDEN");
    let teacher = s.app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    assert_eq!(code(&s.app.gql(Some(&teacher), ISSUE, json!({"c": s.child})).await), "FORBIDDEN");
    // A child of a household has nothing to claim.
    let own = s.app.gql(Some(&g), "{ myHousehold { children { id } } }", json!({})).await;
    let own = own["data"]["myHousehold"]["children"][0]["id"].as_str().expect("child").to_owned();
    let ca = s.app.staff("ca@yunyan.gov.cn", Role::CivilAffairs, None, "520103").await;
    assert_eq!(code(&s.app.gql(Some(&ca), ISSUE, json!({"c": own})).await), "NOT_FOUND");
    // The code is stored only as a keyed hash.
    let issued = issue(&s).await;
    let rows = entities::screening::Entity::find().all(&s.app.state.db).await.expect("db");
    assert!(!format!("{rows:?}").contains(&issued.replace('-', "")), "the code itself is not stored");
}
