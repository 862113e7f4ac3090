//! Fixtures shared by the tests and the benchmarks: a verified organization with a location,
//! its services and sessions, created through the public API as an organization would.

use api::auth::Role;
use serde_json::{Value, json};

use crate::{PASSWORD, TestApp, token_in};

/// A valid unified social credit code ending in `serial` (6 digits).
pub fn credit_code(serial: u32) -> String {
    let body = format!("5252010{:010}", serial);
    let check = domain::credit_code::check_char(&body).expect("alphabet");
    format!("{body}{check}")
}

pub const REGISTER: &str = "mutation($i: OrganizationInput!){ registerOrganization(input: $i){ id status creditCode } }";

pub fn org_input(email: &str, code: &str) -> Value {
    json!({"name": "南明区童心社工服务中心", "creditCode": code, "contactName": "陈社工", "contactPhone": "0851-8888 1234",
           "email": email, "password": PASSWORD, "address": "贵阳市南明区新华路 1 号", "countyCode": "520102"})
}

/// A verified organization in 南明区 with one location; returns (staff token, organization id, location id).
pub async fn verified_org(app: &TestApp, email: &str, serial: u32) -> (String, String, String) {
    let r = app.gql(None, REGISTER, json!({"i": org_input(email, &credit_code(serial))})).await;
    let org_id = r["data"]["registerOrganization"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let mail = app.emails_to(email).await.pop().expect("verification e-mail");
    app.gql(None, "mutation($t: String!){ verifyEmail(token: $t) }", json!({"t": token_in(&mail)})).await;
    let staff = app.login(email, PASSWORD).await;
    let ca = app.staff(&format!("ca-{serial}@nanming.gov.cn"), Role::CivilAffairs, None, "520102").await;
    let v = app.gql(Some(&ca), "mutation($id: ID!){ verifyOrganization(id: $id){ status } }", json!({"id": org_id})).await;
    assert_eq!(v["data"]["verifyOrganization"]["status"], "VERIFIED", "{v}");
    let loc = app
        .gql(
            Some(&staff),
            "mutation($i: LocationInput!){ createLocation(input: $i){ id } }",
            json!({"i": {"name": "新华路童心港湾", "kind": "TONGXIN_HARBOR", "address": "新华路 1 号", "countyCode": "520102", "townshipCode": "520102016", "latitude": 26.57, "longitude": 106.71}}),
        )
        .await;
    let loc_id = loc["data"]["createLocation"]["id"].as_str().unwrap_or_else(|| panic!("{loc}")).to_owned();
    (staff, org_id, loc_id)
}

/// A service of the organization; returns its id.
pub async fn service(app: &TestApp, staff: &str, loc: &str, category: &str, entitlement: &str, ages: (i32, i32)) -> String {
    service_named(app, staff, loc, "周末阅读营", category, entitlement, ages).await
}

/// A service named `name`; returns its id.
pub async fn service_named(
    app: &TestApp,
    staff: &str,
    loc: &str,
    name: &str,
    category: &str,
    entitlement: &str,
    ages: (i32, i32),
) -> String {
    let r = app
        .gql(
            Some(staff),
            "mutation($i: ServiceInput!){ createService(input: $i){ id confidential free } }",
            json!({"i": {"locationId": loc, "name": name, "description": "阅读指导与陪伴", "category": category, "entitlementCode": entitlement, "minAge": ages.0, "maxAge": ages.1}}),
        )
        .await;
    r["data"]["createService"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned()
}

/// A session `days` from now with `capacity` seats; returns its id.
pub async fn session(app: &TestApp, staff: &str, service: &str, days: i64, capacity: i32) -> String {
    let start = app.state.clock.now() + chrono::Duration::days(days);
    let r = app
        .gql(
            Some(staff),
            "mutation($i: SessionInput!){ createSession(input: $i){ id seatsLeft } }",
            json!({"i": {"serviceId": service, "startsAt": start.to_rfc3339(), "endsAt": (start + chrono::Duration::hours(2)).to_rfc3339(), "capacity": capacity}}),
        )
        .await;
    assert_eq!(r["data"]["createSession"]["seatsLeft"], capacity, "{r}");
    r["data"]["createSession"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned()
}

/// A valid 居民身份证号: region + birth date + sequence + ISO 7064 MOD 11-2 check character.
pub fn id_number(region: &str, birth: &str, seq: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("{region}{birth}{seq}");
    let sum: u32 = first17.chars().zip(W).map(|(c, w)| c.to_digit(10).expect("digit") * w).sum();
    let check = "10X98765432".chars().nth((sum % 11) as usize).expect("check");
    format!("{first17}{check}")
}

/// The guardian's request for `entitlement` on behalf of `child`, submitted under `key`; its id.
pub async fn submit_request(app: &TestApp, guardian: &str, child: &str, entitlement: &str, key: &str) -> String {
    let r = app
        .gql(
            Some(guardian),
            "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }",
            json!({"i": {"childId": child, "entitlementCode": entitlement, "idempotencyKey": key}}),
        )
        .await;
    r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned()
}
