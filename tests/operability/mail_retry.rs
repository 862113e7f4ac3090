//! Mail outlives an SMTP outage (issue 15): after the fast attempts a message moves to a slow
//! schedule instead of being lost, is `failed` only after `OUTBOX_GIVE_UP_AFTER_DAYS`, and an
//! administrator can list and requeue it. Delivery stays exactly once per pass in these tests;
//! the README states the at-least-once guarantee across crashes.

use api::mail::{Mailer, failed, outbox, templates};
use chrono::Duration;
use entities::outbox as row;
use integration_tests::{PASSWORD, TestApp, code};
use lettre::transport::stub::AsyncStubTransport;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.workers = false).await // the test drives delivery and the clock
}

/// A mail server that refuses every message.
fn smtp_down() -> Mailer {
    Mailer::Stub(AsyncStubTransport::new_error())
}

async fn pass(app: &TestApp, mailer: &Mailer) -> outbox::Pass {
    let c = &app.state.config;
    outbox::deliver_due(&app.state.db, mailer, &c.mail_from, &outbox::Retry::from_config(c), app.state.clock.now()).await.expect("pass")
}

async fn rows(app: &TestApp) -> Vec<row::Model> {
    row::Entity::find().all(&app.state.db).await.expect("outbox")
}

#[tokio::test]
async fn an_outage_longer_than_the_fast_attempts_delays_every_mail_but_loses_none() {
    let app = app().await;
    app.guardian("parent@example.org").await;
    let already = app.mail.messages().await.len();

    // SMTP goes down; verification, reset and status mails pile up.
    for i in 0..3 {
        let r = app
            .gql(
                None,
                "mutation($i: RegisterInput!){ register(input: $i) }",
                json!({"i": {"email": format!("new{i}@example.org"), "password": PASSWORD, "displayName": "家长"}}),
            )
            .await;
        assert_eq!(r["data"]["register"], json!(true), "{r}");
    }
    let r = app.gql(None, "mutation { requestPasswordReset(email: \"parent@example.org\") }", json!({})).await;
    assert_eq!(r["data"]["requestPasswordReset"], json!(true), "{r}");
    let status = templates::notice("预约状态", "Booking status", "已确认".into(), "confirmed".into());
    outbox::enqueue(&app.state.db, "status@example.org", status, app.state.clock.now()).await.expect("enqueue");
    let queued = rows(&app).await.into_iter().filter(|m| m.status == "pending").count();
    assert_eq!(queued, 5);

    // Four hours down: far past the eight fast attempts (~21 minutes).
    let down = smtp_down();
    for _ in 0..48 {
        pass(&app, &down).await;
        app.state.clock.advance(Duration::minutes(5));
    }
    let now = app.state.clock.now();
    for m in rows(&app).await.into_iter().filter(|m| m.status != "sent") {
        assert_eq!(m.status, "pending", "still queued after the fast attempts ran out");
        assert!(m.attempts > 8, "kept trying on the slow schedule: {} attempts", m.attempts);
        assert!(m.next_attempt_at <= now + Duration::hours(1), "next try within the slow interval");
        assert!(m.next_attempt_at > now - Duration::hours(1));
    }
    assert_eq!(failed::failed_count(&app.state.db).await.expect("count"), 0);
    assert_eq!(app.mail.messages().await.len(), already, "nothing got through while down");

    // SMTP is back: within one slow interval every mail is delivered, each exactly once.
    app.state.clock.advance(Duration::hours(1));
    let back = pass(&app, &app.state.mailer).await;
    assert_eq!(back, outbox::Pass { sent: 5, failed: 0 });
    assert_eq!(pass(&app, &app.state.mailer).await, outbox::Pass::default());
    let mut expected: Vec<String> =
        ["new0@example.org", "new1@example.org", "new2@example.org", "parent@example.org", "status@example.org"].map(String::from).into();
    expected.sort();
    let mut late: Vec<String> = app.mail.messages().await[already..].iter().map(|(e, _)| e.to()[0].to_string()).collect();
    late.sort();
    assert_eq!(late, expected, "every queued mail delivered, each once");
}

/// Keeps the mail server down for `hours` one-hour slow intervals.
async fn outage(app: &TestApp, hours: i64) {
    let down = smtp_down();
    for _ in 0..hours * 12 {
        pass(app, &down).await;
        app.state.clock.advance(Duration::minutes(5));
    }
}

#[tokio::test]
async fn mail_undeliverable_for_the_give_up_period_fails_and_an_administrator_requeues_it() {
    let app = app().await;
    let admin = app.admin_token().await;
    let guardian = app.guardian("parent@example.org").await;
    let now = app.state.clock.now();
    let a = outbox::enqueue(&app.state.db, "a@example.org", templates::notice("甲", "A", "z".into(), "e".into()), now).await.expect("a");
    let b = outbox::enqueue(&app.state.db, "b@example.org", templates::notice("乙", "B", "z".into(), "e".into()), now).await.expect("b");

    outage(&app, 71).await;
    assert_eq!(failed::failed_count(&app.state.db).await.expect("count"), 0, "still trying before three days");
    outage(&app, 2).await;
    assert_eq!(failed::failed_count(&app.state.db).await.expect("count"), 2, "given up after three days");

    let list = "{ failedMails(first: 10) { edges { node { id recipient subject attempts lastError queuedAt } } } }";
    let r = app.gql(Some(&admin), list, json!({})).await;
    let edges = r["data"]["failedMails"]["edges"].as_array().unwrap_or_else(|| panic!("{r}")).clone();
    let ids: Vec<&str> = edges.iter().filter_map(|e| e["node"]["id"].as_str()).collect();
    assert_eq!(ids, [a.to_string(), b.to_string()]);
    assert_eq!(edges[0]["node"]["recipient"], "a@example.org");
    assert!(edges[0]["node"]["lastError"].is_string());
    let body = app.gql(Some(&admin), "{ failedMails { edges { node { body } } } }", json!({})).await;
    assert!(body["errors"].is_array(), "bodies are never served: {body}");

    // Nobody but an administrator sees or requeues them.
    let r = app.gql(Some(&guardian), list, json!({})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let requeue = "mutation($id: ID!){ requeueMail(id: $id) }";
    let r = app.gql(Some(&guardian), requeue, json!({"id": a.to_string()})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = app.gql(Some(&guardian), "mutation { requeueFailedMails }", json!({})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    assert_eq!(failed::failed_count(&app.state.db).await.expect("count"), 2, "refused requeues changed nothing");
    let r = app.gql(Some(&admin), requeue, json!({"id": uuid::Uuid::now_v7().to_string()})).await;
    assert_eq!(code(&r), "NOT_FOUND");

    // The administrator requeues one, then the rest; both are delivered once.
    let r = app.gql(Some(&admin), requeue, json!({"id": a.to_string()})).await;
    assert_eq!(r["data"]["requeueMail"], json!(true), "{r}");
    let r = app.gql(Some(&admin), requeue, json!({"id": a.to_string()})).await;
    assert_eq!(code(&r), "CONFLICT", "a pending mail is not requeued again");
    let r = app.gql(Some(&admin), "mutation { requeueFailedMails }", json!({})).await;
    assert_eq!(r["data"]["requeueFailedMails"], json!(1), "{r}");
    assert_eq!(failed::failed_count(&app.state.db).await.expect("count"), 0);
    let before = app.mail.messages().await.len();
    assert_eq!(pass(&app, &app.state.mailer).await, outbox::Pass { sent: 2, failed: 0 });
    let mut late: Vec<String> = app.mail.messages().await[before..].iter().map(|(e, _)| e.to()[0].to_string()).collect();
    late.sort();
    assert_eq!(late, ["a@example.org", "b@example.org"]);
    let sent = row::Entity::find().filter(row::Column::Status.eq("sent")).all(&app.state.db).await.expect("rows");
    assert!(sent.iter().any(|m| m.id == a) && sent.iter().any(|m| m.id == b));
}
