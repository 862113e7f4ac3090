//! The staff console's `queueEvents` subscription over WebSocket: staff in scope see new requests
//! of their queue as they arrive; staff out of scope are refused.

use api::auth::Role;
use futures::{SinkExt, StreamExt};
use integration_tests::TestApp;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

async fn subscribe(app: &TestApp, token: &str, department: &str, region: &str) -> impl futures::Stream<Item = Value> + Unpin {
    let mut req = format!("ws://{}/graphql/ws", app.addr).into_client_request().expect("request");
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("connect");
    ws.send(Message::text(json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {token}")}}).to_string()))
        .await
        .expect("init");
    let ack = ws.next().await.expect("ack").expect("ack frame");
    assert!(ack.to_string().contains("connection_ack"), "{ack}");
    let q = "subscription($d: String!, $r: String!){ queueEvents(departmentCode: $d, regionCode: $r){ kind requestId regionCode status } }";
    ws.send(Message::text(
        json!({"id": "1", "type": "subscribe", "payload": {"query": q, "variables": {"d": department, "r": region}}}).to_string(),
    ))
    .await
    .expect("subscribe");
    Box::pin(ws.filter_map(|m| async move { m.ok().and_then(|m| serde_json::from_str::<Value>(&m.to_string()).ok()) }))
}

#[tokio::test]
async fn staff_in_scope_see_a_new_request_arrive_and_others_are_refused() {
    let app = TestApp::spawn().await;
    let staff = app.staff("live@guiyang.gov.cn", Role::DepartmentStaff, Some("education"), "520100").await;
    let mut events = subscribe(&app, &staff, "education", "520100").await;
    let outsider = app.staff("live@zunyi.gov.cn", Role::DepartmentStaff, Some("education"), "520300").await;
    let mut refused = subscribe(&app, &outsider, "education", "520100").await;
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), refused.next()).await.expect("answer").expect("message");
    assert_eq!(first["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND", "{first}");

    // Give the subscription a moment to register before the event happens.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let g = app.guardian("live@example.org").await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let r = app
        .gql(
            Some(&g),
            "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }",
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "idempotencyKey": "live"}}),
        )
        .await;
    let rid = r["data"]["submitRequest"]["id"].as_str().expect("id").to_owned();
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), events.next()).await.expect("event in time").expect("message");
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["payload"]["data"]["queueEvents"]["requestId"], rid.as_str());
    assert_eq!(next["payload"]["data"]["queueEvents"]["kind"], "new");
}

#[tokio::test]
async fn with_two_processes_on_postgresql_events_cross_over_and_deadline_steps_happen_once() {
    if !integration_tests::on_postgres() {
        return; // several processes need a shared PostgreSQL; SQLite deployments run one process
    }
    let a = TestApp::spawn().await;
    let b = a.sibling().await;
    let staff = a.staff("two@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let mut events = subscribe(&a, &staff, "education", "520102").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // The family's request goes through process B.
    let g = b.guardian("two@example.org").await;
    let child = b.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let r = b
        .gql(
            Some(&g),
            "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }",
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "idempotencyKey": "two"}}),
        )
        .await;
    let rid = r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let next =
        tokio::time::timeout(std::time::Duration::from_secs(10), events.next()).await.expect("event crosses processes").expect("message");
    assert_eq!(next["payload"]["data"]["queueEvents"]["requestId"], rid.as_str(), "{next}");

    // Both processes run the deadline job at the same moment: one warning, one escalation.
    for app in [&a, &b] {
        app.state.clock.advance(chrono::Duration::days(22)); // past 75 % of the time at any hour
    }
    let (x, y) = tokio::join!(api::services::requests::run_deadlines(&a.state), api::services::requests::run_deadlines(&b.state));
    let (x, y) = (x.expect("a"), y.expect("b"));
    assert_eq!(x.0 + y.0, 1, "warned once");
    for app in [&a, &b] {
        app.state.clock.advance(chrono::Duration::days(14));
    }
    let (x, y) = tokio::join!(api::services::requests::run_deadlines(&a.state), api::services::requests::run_deadlines(&b.state));
    assert_eq!(x.expect("a").1 + y.expect("b").1, 1, "escalated once");
    let seen = a.gql(Some(&staff), "query($id: ID!){ request(id: $id){ id } }", json!({"id": rid})).await;
    assert_eq!(integration_tests::code(&seen), "NOT_FOUND", "escalated to the prefecture, out of the county queue: {seen}");
}
