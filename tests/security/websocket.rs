//! A WebSocket is held to the rules of an HTTP request for its whole life, not only at
//! `connection_init`: after logout, disabling or expiry its operations are refused and the socket
//! is closed; mutations go over HTTP only; messages, queries and idle handshakes are bounded; the
//! document limits apply.

use std::time::Duration;

use api::auth::Role;
use integration_tests::{
    TestApp, code,
    ws::{WsClient, WsEvent},
};
use serde_json::json;

const ME: &str = "{ me { id email } }";
const QUEUE_EVENTS: &str = "subscription { queueEvents(departmentCode: \"education\", regionCode: \"520102\") { requestId } }";

/// A request in the Nanming education queue and a clerk of that queue.
async fn queued_request(app: &TestApp) -> (String, String) {
    let staff = app.staff("clerk@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let g = app.guardian("ws-family@example.org").await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let r = app
        .gql(
            Some(&g),
            "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }",
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "idempotencyKey": "ws-1"}}),
        )
        .await;
    let rid = r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    (staff, rid)
}

#[tokio::test]
async fn after_logout_the_socket_answers_nothing_and_is_closed() {
    let app = TestApp::spawn().await;
    let token = app.guardian("ws-out@example.org").await;
    let mut ws = WsClient::connect(&app, Some(&token)).await;
    assert!(ws.run("1", ME, json!({})).await["errors"].is_null(), "signed in");
    let mut watcher = WsClient::connect(&app, Some(&token)).await;

    assert_eq!(app.gql(Some(&token), "mutation { logout }", json!({})).await["data"]["logout"], true);
    // Whichever comes first: the operation refused, or the socket already closed.
    match ws.try_run("2", ME, json!({})).await {
        Ok(after) => assert_eq!(code(&after), "UNAUTHENTICATED", "{after}"),
        // No answer at all is also nothing answered; the close code is checked on the watcher.
        Err(ended) => assert!(matches!(ended, WsEvent::Closed(4401) | WsEvent::Gone), "{ended:?}"),
    }
    assert_eq!(watcher.closed_within(Duration::from_secs(3)).await, Some(4401), "the socket is closed when its session ends");
}

/// A phone that keeps writing while its session ends must still learn why it was closed: the
/// server finishes the close handshake (RFC 6455, 7.1.1) instead of dropping the connection under
/// a client that is still sending.
#[tokio::test]
async fn a_client_still_writing_when_its_session_ends_reads_the_close_code() {
    let app = TestApp::spawn().await;
    let token = app.guardian("ws-late@example.org").await;
    let mut ws = WsClient::connect(&app, Some(&token)).await;
    assert!(ws.run("1", ME, json!({})).await["errors"].is_null(), "signed in");

    assert_eq!(app.gql(Some(&token), "mutation { logout }", json!({})).await["data"]["logout"], true);
    // A busy client keeps sending while the server closes; it stops when the server no longer
    // takes its messages.
    for i in 0..300 {
        let msg = json!({"id": format!("late-{i}"), "type": "subscribe", "payload": {"query": ME}});
        if !ws.send_raw(msg.to_string()).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(ws.closed_within(Duration::from_secs(3)).await, Some(4401), "the close code reaches the client");
}

#[tokio::test]
async fn a_disabled_clerk_can_neither_list_nor_claim_over_an_open_socket() {
    let app = TestApp::spawn().await;
    let (staff, rid) = queued_request(&app).await;
    let mut ws = WsClient::connect(&app, Some(&staff)).await;
    let listed = ws.run("1", "{ queue { edges { node { id } } } }", json!({})).await;
    assert_eq!(listed["data"]["queue"]["edges"][0]["node"]["id"], rid.as_str(), "{listed}");
    let mut events = WsClient::connect(&app, Some(&staff)).await;
    events.start("live", QUEUE_EVENTS, json!({})).await;

    let me = app.gql(Some(&staff), ME, json!({})).await;
    let admin = app.admin_token().await;
    let r = app.gql(Some(&admin), "mutation($id: ID!){ disableAccount(id: $id){ disabled } }", json!({"id": me["data"]["me"]["id"]})).await;
    assert_eq!(r["data"]["disableAccount"]["disabled"], true, "{r}");

    match ws.try_run("2", "{ queue { edges { node { id } } } }", json!({})).await {
        Ok(after) => assert_eq!(code(&after), "UNAUTHENTICATED", "{after}"),
        Err(ended) => assert!(matches!(ended, WsEvent::Closed(4401) | WsEvent::Gone), "{ended:?}"),
    }
    assert_eq!(events.closed_within(Duration::from_secs(3)).await, Some(4401), "the live subscription ends with its session");
    let stored: Option<entities::request::Model> = {
        use sea_orm::EntityTrait;
        entities::request::Entity::find_by_id(uuid::Uuid::parse_str(&rid).expect("uuid")).one(&app.state.db).await.expect("read")
    };
    assert_eq!(stored.expect("request").status.to_string(), "routed", "nobody claimed it");
}

#[tokio::test]
async fn mutations_are_refused_on_the_socket_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (staff, rid) = queued_request(&app).await;
    let mut ws = WsClient::connect(&app, Some(&staff)).await;
    let claim = ws.run("1", "mutation($id: ID!){ claimRequest(id: $id){ status } }", json!({"id": rid})).await;
    assert_eq!(code(&claim), "VALIDATION", "{claim}");
    assert!(claim["errors"][0]["message"].as_str().unwrap_or_default().contains("HTTP"), "{claim}");
    let r = app.gql(Some(&staff), "query($id: ID!){ request(id: $id){ status } }", json!({"id": rid})).await;
    assert_eq!(r["data"]["request"]["status"], "ROUTED", "{r}");

    // Password guessing over the socket is not a way around the login throttle.
    let mut anon = WsClient::connect(&app, None).await;
    for i in 0..10 {
        let r = anon
            .run(
                &format!("l{i}"),
                "mutation { login(email: \"clerk@nanming.gov.cn\", password: \"guess-guess-1\"){ accessToken } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "VALIDATION", "{r}");
    }
}

#[tokio::test]
async fn an_expired_access_token_is_refused_and_its_socket_closed() {
    let app = TestApp::spawn_with(|c| c.jwt_access_ttl_secs = 2).await;
    let token = app.guardian("ws-exp@example.org").await;
    let mut ws = WsClient::connect(&app, Some(&token)).await;
    assert!(ws.run("1", ME, json!({})).await["errors"].is_null());
    assert_eq!(ws.closed_within(Duration::from_secs(6)).await, Some(4401), "closed when the token expires");

    let app = TestApp::spawn().await;
    let token = app.guardian("ws-exp2@example.org").await;
    let mut ws = WsClient::connect(&app, Some(&token)).await;
    app.state.clock.advance(chrono::Duration::days(120));
    assert_eq!(code(&ws.run("1", ME, json!({})).await), "UNAUTHENTICATED", "each operation checks the token again");
}

#[tokio::test]
async fn the_socket_has_the_limits_of_http() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::connect(&app, None).await;
    // A query longer than the document limit is refused like over HTTP.
    let long = format!("{{ departments {{ code }} }} #{}", "x".repeat(40_000));
    assert_eq!(code(&ws.run("1", &long, json!({})).await), "VALIDATION");
    // The fragment bomb is refused before validation.
    assert_eq!(code(&ws.run("2", &super::fragments::bomb(26), json!({})).await), "VALIDATION");
    // A message larger than the HTTP body limit ends the connection.
    let huge =
        json!({"id": "3", "type": "subscribe", "payload": {"query": format!("{{ departments {{ code }} }} #{}", "x".repeat(8 << 20))}});
    let _ = ws.send_raw(huge.to_string()).await;
    let after = loop {
        match ws.next(Duration::from_secs(5)).await {
            WsEvent::Message(m) if m["type"] == "complete" => continue,
            other => break other,
        }
    };
    assert!(matches!(after, WsEvent::Closed(_) | WsEvent::Gone), "an 8 MiB message is not read: {after:?}");
}

#[tokio::test]
async fn a_client_that_never_says_hello_is_closed() {
    let app = TestApp::spawn().await;
    let mut ws = WsClient::open(&app, &[]).await;
    assert_eq!(ws.closed_within(Duration::from_secs(15)).await, Some(4408));
}

#[tokio::test]
async fn one_socket_runs_a_bounded_number_of_operations() {
    let app = TestApp::spawn().await;
    let (staff, _) = queued_request(&app).await;
    let mut ws = WsClient::connect(&app, Some(&staff)).await;
    for i in 0..=api::http::WS_MAX_OPERATIONS {
        ws.start(&format!("s{i}"), QUEUE_EVENTS, json!({})).await;
    }
    // Which of them is turned away depends on the order the server polls them in; one is.
    let mut refused = Vec::new();
    while let WsEvent::Message(m) = ws.next(Duration::from_secs(2)).await {
        if m["type"] == "next" {
            refused.push(m["payload"]["errors"][0]["extensions"]["code"].clone());
        }
    }
    assert_eq!(refused, vec![json!("VALIDATION")]);
}
