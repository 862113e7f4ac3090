//! Social organizations and the public directory: registration with a checked credit code,
//! verification by civil affairs of the right region, and what the public (and HSDS) sees.

use api::auth::Role;
use integration_tests::{
    PASSWORD, TestApp, code, field,
    fixtures::{REGISTER, credit_code, org_input, service, session, verified_org},
    token_in,
};
use serde_json::{Value, json};

const SERVICES: &str = "query($f: ServiceFilter, $n: Int, $a: String){ services(filter: $f, first: $n, after: $a){ edges { node { id name free organization { name status } location { kind countyCode } sessions { seatsLeft } } } pageInfo { hasNextPage endCursor } } }";

fn names(r: &Value) -> usize {
    r["data"]["services"]["edges"].as_array().map(Vec::len).unwrap_or_else(|| panic!("{r}"))
}

#[tokio::test]
async fn an_invalid_credit_code_is_refused_and_nothing_is_registered() {
    let app = TestApp::spawn().await;
    let mut bad = credit_code(7);
    bad.pop();
    bad.push(if credit_code(7).ends_with('0') { '1' } else { '0' });
    for code_ in [bad.as_str(), "123", "52520100000000000I"] {
        let r = app.gql(None, REGISTER, json!({"i": org_input("org@example.org", code_)})).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", "creditCode"), "{r}");
    }
    assert!(app.emails_to("org@example.org").await.is_empty(), "no login was created");
    let mut prefecture = org_input("org@example.org", &credit_code(7));
    prefecture["countyCode"] = json!("520100");
    let r = app.gql(None, REGISTER, json!({"i": prefecture})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "countyCode"));
}

#[tokio::test]
async fn a_credit_code_registers_once() {
    let app = TestApp::spawn().await;
    let c = credit_code(11);
    assert!(app.gql(None, REGISTER, json!({"i": org_input("a@org.cn", &c)})).await["errors"].is_null());
    assert_eq!(code(&app.gql(None, REGISTER, json!({"i": org_input("b@org.cn", &c)})).await), "CONFLICT");
}

#[tokio::test]
async fn an_unverified_organization_is_not_listed_until_civil_affairs_of_its_region_verifies_it() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, REGISTER, json!({"i": org_input("new@org.cn", &credit_code(21))})).await;
    assert_eq!(r["data"]["registerOrganization"]["status"], "PENDING");
    let org_id = r["data"]["registerOrganization"]["id"].as_str().expect("id").to_owned();
    let mail = app.emails_to("new@org.cn").await.pop().expect("verification");
    app.gql(None, "mutation($t: String!){ verifyEmail(token: $t) }", json!({"t": token_in(&mail)})).await;
    let staff = app.login("new@org.cn", PASSWORD).await;
    let loc = app
        .gql(
            Some(&staff),
            "mutation($i: LocationInput!){ createLocation(input: $i){ id } }",
            json!({"i": {"name": "儿童之家", "kind": "CHILDREN_HOME", "address": "x", "countyCode": "520102"}}),
        )
        .await["data"]["createLocation"]["id"]
        .as_str()
        .expect("location")
        .to_owned();
    let svc = service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    session(&app, &staff, &svc, 3, 10).await;
    assert_eq!(names(&app.gql(None, SERVICES, json!({})).await), 0, "pending organizations are invisible");
    let hsds: Value = app.http().get(app.url("/hsds/services")).send().await.expect("hsds").json().await.expect("json");
    assert_eq!(hsds.as_array().map(Vec::len), Some(0));

    // Civil affairs of another county, and staff of another department, cannot review it.
    let other = app.staff("ca@huaxi.gov.cn", Role::CivilAffairs, None, "520111").await;
    let r = app.gql(Some(&other), "mutation($id: ID!){ verifyOrganization(id: $id){ status } }", json!({"id": org_id})).await;
    assert_eq!(code(&r), "NOT_FOUND");
    let edu = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    assert_eq!(
        code(&app.gql(Some(&edu), "mutation($id: ID!){ verifyOrganization(id: $id){ status } }", json!({"id": org_id})).await),
        "FORBIDDEN"
    );

    // The prefecture's civil affairs may.
    let city = app.staff("ca@guiyang.gov.cn", Role::CivilAffairs, None, "520100").await;
    let pending = app.gql(Some(&city), "{ pendingOrganizations { id } }", json!({})).await;
    assert_eq!(pending["data"]["pendingOrganizations"][0]["id"], org_id.as_str());
    let r = app.gql(Some(&city), "mutation($id: ID!){ verifyOrganization(id: $id){ status } }", json!({"id": org_id})).await;
    assert_eq!(r["data"]["verifyOrganization"]["status"], "VERIFIED", "{r}");
    assert!(app.emails_to("new@org.cn").await.iter().any(|m| m.contains("verified by civil affairs")));
    let again = app.gql(Some(&city), "mutation($id: ID!){ verifyOrganization(id: $id){ status } }", json!({"id": org_id})).await;
    assert_eq!(code(&again), "CONFLICT");

    let listed = app.gql(None, SERVICES, json!({})).await;
    assert_eq!(names(&listed), 1);
    assert_eq!(listed["data"]["services"]["edges"][0]["node"]["free"], true);
    assert_eq!(listed["data"]["services"]["edges"][0]["node"]["location"]["kind"], "CHILDREN_HOME");
    let hsds: Value = app.http().get(app.url("/hsds/services")).send().await.expect("hsds").json().await.expect("json");
    assert_eq!(hsds[0]["organization"]["identifiers"][0]["identifier"], credit_code(21));
    assert_eq!(hsds[0]["cost_options"][0]["amount"], 0.0);
    assert_eq!(hsds[0]["schedules"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_tells_the_organization() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, REGISTER, json!({"i": org_input("rej@org.cn", &credit_code(31))})).await;
    let id = r["data"]["registerOrganization"]["id"].as_str().expect("id").to_owned();
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let q = "mutation($id: ID!, $r: String!){ rejectOrganization(id: $id, reason: $r){ status rejectionReason } }";
    assert_eq!(field(&app.gql(Some(&ca), q, json!({"id": id, "r": "  "})).await), "reason");
    let r = app.gql(Some(&ca), q, json!({"id": id, "r": "登记证书已过期"})).await;
    assert_eq!(r["data"]["rejectOrganization"]["status"], "REJECTED");
    assert!(app.emails_to("rej@org.cn").await.iter().any(|m| m.contains("登记证书已过期")));
}

#[tokio::test]
async fn the_directory_filters_by_region_age_entitlement_and_free_seats_and_pages() {
    let app = TestApp::spawn().await;
    let (staff, _, loc) = verified_org(&app, "dir@org.cn", 41).await;
    let reading = service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let counselling = service(&app, &staff, &loc, "COUNSELLING", "mental_health", (10, 15)).await;
    let parents = service(&app, &staff, &loc, "PARENT_EDUCATION", "family_education", (0, 17)).await;
    session(&app, &staff, &reading, 2, 5).await;
    session(&app, &staff, &counselling, 10, 1).await;
    let _ = parents;

    assert_eq!(names(&app.gql(None, SERVICES, json!({"f": {"age": 7}})).await), 2);
    assert_eq!(names(&app.gql(None, SERVICES, json!({"f": {"entitlementCode": "mental_health"}})).await), 1);
    assert_eq!(names(&app.gql(None, SERVICES, json!({"f": {"regionCode": "520100"}})).await), 3);
    assert_eq!(names(&app.gql(None, SERVICES, json!({"f": {"regionCode": "520300"}})).await), 0);
    assert_eq!(names(&app.gql(None, SERVICES, json!({"f": {"seatsAvailable": true}})).await), 2);
    let week = app.state.clock.now() + chrono::Duration::days(7);
    assert_eq!(names(&app.gql(None, SERVICES, json!({"f": {"to": week.to_rfc3339()}})).await), 1);
    assert_eq!(field(&app.gql(None, SERVICES, json!({"f": {"regionCode": "52"}})).await), "regionCode");

    let p1 = app.gql(None, SERVICES, json!({"n": 2})).await;
    assert_eq!(names(&p1), 2);
    assert_eq!(p1["data"]["services"]["pageInfo"]["hasNextPage"], true);
    let p2 = app.gql(None, SERVICES, json!({"n": 2, "a": p1["data"]["services"]["pageInfo"]["endCursor"]})).await;
    assert_eq!(names(&p2), 1);
    assert_eq!(p2["data"]["services"]["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn organization_input_is_validated_and_staff_act_only_for_their_own_organization() {
    let app = TestApp::spawn().await;
    let (staff, _, loc) = verified_org(&app, "mine@org.cn", 51).await;
    let (other, _, _) = verified_org(&app, "theirs@org.cn", 52).await;
    // Another organization's location is not found.
    let r = app
        .gql(
            Some(&other),
            "mutation($i: ServiceInput!){ createService(input: $i){ id } }",
            json!({"i": {"locationId": loc, "name": "x", "description": "y", "category": "ARTS", "entitlementCode": "cultural_services", "minAge": 3, "maxAge": 9}}),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let bad = [
        (json!({"entitlementCode": "school_enrolment"}), "entitlementCode"),
        (json!({"minAge": 12, "maxAge": 6}), "minAge"),
        (json!({"costCents": -1}), "costCents"),
    ];
    for (patch, f) in bad {
        let mut input = json!({"locationId": loc, "name": "x", "description": "y", "category": "ARTS", "entitlementCode": "cultural_services", "minAge": 3, "maxAge": 9});
        for (k, v) in patch.as_object().expect("object") {
            input[k] = v.clone();
        }
        let r = app.gql(Some(&staff), "mutation($i: ServiceInput!){ createService(input: $i){ id } }", json!({"i": input})).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", f), "{r}");
    }
    let svc = service(&app, &staff, &loc, "ARTS", "cultural_services", (3, 9)).await;
    let past = app.state.clock.now() - chrono::Duration::hours(1);
    let r = app
        .gql(
            Some(&staff),
            "mutation($i: SessionInput!){ createSession(input: $i){ id } }",
            json!({"i": {"serviceId": svc, "startsAt": past.to_rfc3339(), "endsAt": (past + chrono::Duration::hours(1)).to_rfc3339(), "capacity": 5}}),
        )
        .await;
    assert_eq!(field(&r), "startsAt");
    let g = app.guardian("parent@example.org").await;
    let r = app
        .gql(
            Some(&g),
            "mutation($i: LocationInput!){ createLocation(input: $i){ id } }",
            json!({"i": {"name": "x", "kind": "OTHER", "address": "y", "countyCode": "520102"}}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
}
