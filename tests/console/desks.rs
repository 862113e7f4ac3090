//! The organization's and civil affairs' desks in the browser: an organization creates a session
//! and marks attendance; civil affairs verifies an organization that registered.

use api::auth::Role;
use integration_tests::{
    TestApp,
    fixtures::{REGISTER, credit_code, org_input, service, verified_org},
    token_in,
};
use serde_json::json;

use super::browser;

#[tokio::test]
async fn an_organization_creates_a_session_and_marks_attendance() {
    let Some(b) = browser::open("an_organization_creates_a_session_and_marks_attendance").await else { return };
    let app = TestApp::spawn().await;
    let (staff, _org, loc) = verified_org(&app, "org@tongxin-sw.org", 301).await;
    service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;

    b.sign_in(&app, "org@tongxin-sw.org", "").await;
    b.text_of("#org-status", "已认证").await;
    // Tomorrow at 09:00 Beijing time, typed as a clerk would.
    let day = (app.state.clock.now() + chrono::Duration::hours(8) + chrono::Duration::days(1)).format("%Y-%m-%dT09:00").to_string();
    b.client.execute("document.getElementById('session-start').value = arguments[0];", vec![json!(day)]).await.expect("start time");
    b.type_into("#session-capacity", "0").await;
    b.click("#session-submit").await;
    b.find("#session-error[data-code=VALIDATION]").await;
    b.type_into("#session-capacity", "12").await;
    b.click("#session-submit").await;
    let row = b.find("tr[data-session]").await;
    let session = row.attr("data-session").await.expect("attr").expect("session id");
    let text = b.text_of(&format!("tr[data-session='{session}']"), "09:00").await;
    assert!(text.contains("12"), "{text}");

    let g = app.guardian("dad@example.org").await;
    let child = app.child(&g).born("2017-05-01").hukou("520304").lives_in("520102").await;
    let booked = app
        .gql(
            Some(&g),
            "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status } }",
            json!({"s": session, "c": child}),
        )
        .await;
    let booking = booked["data"]["bookSession"]["id"].as_str().unwrap_or_else(|| panic!("{booked}")).to_owned();
    b.client.refresh().await.expect("reload");
    b.text_of(&format!("tr[data-session='{session}']"), "11").await;
    b.accessible("organization").await;
    b.screenshots("organization").await;

    // Attendance only once the session has started: the error shows beside the booking.
    b.click(&format!("button[data-session='{session}']")).await;
    b.click(&format!("button[data-booking='{booking}'][data-attended=true]")).await;
    b.find(&format!("#bookings-{session}-error[data-code=VALIDATION]")).await;
    app.state.clock.advance(chrono::Duration::days(2));
    b.click(&format!("button[data-booking='{booking}'][data-attended=true]")).await;
    b.text_of(&format!("li[data-id='{booking}']"), "已到场").await;
    let mine = app.gql(Some(&g), "{ myBookings { edges { node { id status } } } }", json!({})).await;
    assert_eq!(mine["data"]["myBookings"]["edges"][0]["node"]["status"], "ATTENDED", "{mine}");
}

#[tokio::test]
async fn civil_affairs_verifies_an_organization() {
    let Some(b) = browser::open("civil_affairs_verifies_an_organization").await else { return };
    let app = TestApp::spawn().await;
    let r = app.gql(None, REGISTER, json!({"i": org_input("new@tongxin-sw.org", &credit_code(302))})).await;
    let org = r["data"]["registerOrganization"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;

    b.sign_in(&app, "ca@nanming.gov.cn", "").await;
    let card = b.text_of(&format!("section[data-org='{org}']"), "南明区童心社工服务中心").await;
    assert!(card.contains("南明区") && !card.contains("520102"), "county by name: {card}");
    b.accessible("verify").await;
    b.screenshots("verify").await;
    // Rejecting needs a reason: the error shows beside this organization.
    b.click(&format!("button[data-reject='{org}']")).await;
    b.find(&format!("#verify-{org}-error[data-code=VALIDATION]")).await;
    b.click(&format!("button[data-verify='{org}']")).await;
    b.find("#nothing-pending").await;
    let mail = app.emails_to("new@tongxin-sw.org").await.into_iter().next().expect("verification e-mail");
    app.gql(None, "mutation($t: String!){ verifyEmail(token: $t) }", json!({"t": token_in(&mail)})).await;
    let staff = app.login("new@tongxin-sw.org", integration_tests::PASSWORD).await;
    let mine = app.gql(Some(&staff), "{ myOrganization { status } }", json!({})).await;
    assert_eq!(mine["data"]["myOrganization"]["status"], "VERIFIED", "{mine}");
}

#[tokio::test]
async fn civil_affairs_reads_the_key_care_ledger_and_exports_the_register() {
    let Some(b) = browser::open("civil_affairs_reads_the_key_care_ledger_and_exports_the_register").await else { return };
    let app = TestApp::spawn().await;
    let g = app.guardian("care@example.org").await;
    let child = app.child(&g).born("2015-06-01").hukou("520304").lives_in("520102").await;
    let ca = app.staff("ca@nanming.gov.cn", Role::CivilAffairs, None, "520102").await;
    let added = app
        .gql(
            Some(&ca),
            "mutation($c: ID!, $r: [KeyCareReason!]!){ addToKeyCare(childId: $c, reasons: $r){ id } }",
            json!({"c": child, "r": ["FAMILY_HARDSHIP", "GUARDIANSHIP_ABSENT"]}),
        )
        .await;
    let entry = added["data"]["addToKeyCare"]["id"].as_str().unwrap_or_else(|| panic!("{added}")).to_owned();

    b.sign_in(&app, "ca@nanming.gov.cn", "#/ledger").await;
    let row = b.text_of(&format!("#ledger tr[data-id='{entry}']"), "家庭困难").await;
    assert!(row.contains("小明") && row.contains("监护缺失") && row.contains("南明区") && row.contains("未评估"), "{row}");
    b.accessible("ledger").await;
    b.screenshots("ledger").await;

    b.click("a[href='#/statistics']").await;
    b.text_of("main h1", "南明区").await;
    b.find("#stats-in-scope").await;
    let risk = b.text_of("#by-risk", "未评估").await;
    assert!(!risk.contains("risk."), "levels by name: {risk}");
    b.click("#export").await;
    b.text_of("#export-done", "1").await;
    b.accessible("statistics").await;
    b.screenshots("statistics").await;
}
