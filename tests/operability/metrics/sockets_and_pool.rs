//! The two series of issue 15 item 7 that are not fed by HTTP requests: operations over the
//! WebSocket, and the time callers wait for a pooled database connection.

use std::time::Duration;

use api::auth::Role;
use integration_tests::{
    TestApp, code, fixtures,
    ws::{WsClient, WsEvent},
};
use serde_json::json;

use super::{in_own_process, must, scrape, value};

const QUEUE_EVENTS: &str =
    "subscription Live($d: String!, $r: String!){ queueEvents(departmentCode: $d, regionCode: $r){ kind requestId } }";

#[tokio::test]
async fn operations_over_the_websocket_are_counted_like_operations_over_http() {
    let app = TestApp::spawn_with(|c| c.workers = false).await;
    let staff = app.staff("ws-metrics@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let mut socket = WsClient::connect(&app, Some(&staff)).await;

    // A query answered once, a mutation refused (mutations go over HTTP), and a subscription
    // that sends one event.
    let r = socket.run("q", "query WsCalendar { workCalendar { coversNext60Days } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let refused = socket.run("m", "mutation WsLogout { logout }", json!({})).await;
    assert_eq!(code(&refused), "VALIDATION", "{refused}");
    socket.start("s", QUEUE_EVENTS, json!({"d": "education", "r": "520102"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let open = scrape(&app).await;
    assert_eq!(must(&open, "tongxin_graphql_subscriptions_open"), 1.0);

    let g = app.guardian("ws-metrics@example.org").await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    fixtures::submit_request(&app, &g, &child, "school_enrolment", "ws-metrics").await;
    loop {
        match socket.next(Duration::from_secs(10)).await {
            WsEvent::Message(m) if m["id"] == "s" => {
                assert_eq!(m["payload"]["data"]["queueEvents"]["kind"], "new", "{m}");
                break;
            }
            WsEvent::Message(_) => continue,
            other => panic!("no event: {other:?}"),
        }
    }

    let m = scrape(&app).await;
    assert_eq!(must(&m, r#"tongxin_graphql_requests_total{operation="WsCalendar",code="OK"}"#), 1.0);
    assert_eq!(must(&m, r#"tongxin_graphql_request_duration_seconds_count{operation="WsCalendar"}"#), 1.0);
    assert!(
        must(&m, r#"tongxin_graphql_requests_total{operation="other",code="VALIDATION"}"#) >= 1.0,
        "a refused operation is counted with its code"
    );
    assert!(!m.contains("WsLogout"), "a refused operation's name gets no series");
    assert_eq!(must(&m, r#"tongxin_graphql_subscription_events_total{operation="Live"}"#), 1.0);

    // Closing the socket ends the subscription.
    drop(socket);
    let mut closed = 1.0;
    for _ in 0..50 {
        closed = must(&scrape(&app).await, "tongxin_graphql_subscriptions_open");
        if closed == 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(closed, 0.0, "the subscription is no longer counted open");
}

/// Runs alone in its own process: it installs the server's own `tracing` subscriber, which
/// carries the pool-wait layer, as `main` does.
#[tokio::test]
async fn callers_waiting_for_a_pooled_connection_show_in_the_wait_histogram() {
    if !in_own_process("operability::metrics::sockets_and_pool::callers_waiting_for_a_pooled_connection_show_in_the_wait_histogram") {
        return;
    }
    api::telemetry::init(false, None);
    let app = TestApp::spawn_with(|c| {
        c.workers = false;
        c.database_max_connections = Some(2);
    })
    .await;
    let g = app.guardian("pool-wait@example.org").await;
    let before = scrape(&app).await;
    let count = "tongxin_db_pool_acquire_wait_seconds_count";
    let fast = r#"tongxin_db_pool_acquire_wait_seconds_bucket{le="0.0001"}"#;
    let (count_before, fast_before) = (must(&before, count), value(&before, fast).unwrap_or(0.0));

    // Forty families asking at once, two connections: most of them queue for one.
    let asks = (0..40).map(|_| app.gql(Some(&g), "{ myHousehold { id } }", json!({})));
    for r in futures::future::join_all(asks).await {
        assert!(r["errors"].is_null(), "{r}");
    }

    let after = scrape(&app).await;
    let acquired = must(&after, count) - count_before;
    assert!(acquired >= 40.0, "every request checked a connection out: {acquired}");
    assert!(must(&after, "tongxin_db_pool_acquire_wait_seconds_sum") > 0.0);
    let waited = acquired - (must(&after, fast) - fast_before);
    assert!(waited >= 1.0, "some callers waited longer than 100 µs for one of two connections:\n{after}");
}
