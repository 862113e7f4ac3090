//! Households and their guardians, and the checks on a child's identity.

use integration_tests::{TestApp, code, field, fixtures::id_number, token_in};
use serde_json::json;

use super::scenario::*;

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
