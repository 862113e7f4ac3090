//! A database that restarts or goes away (issue 15): pooled connections killed by the server are
//! replaced before any caller sees an error, and while the database cannot be reached every
//! caller, signed in or anonymous, gets the same `UNAVAILABLE` error with HTTP 503 and a
//! `Retry-After` hint, never `INTERNAL`.

use integration_tests::{TestApp, on_postgres};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};

const ANONYMOUS_READ: &str = "{ departments { code } }";
const SIGNED_IN_READ: &str = "{ me { id } }";

/// Posts `query` and returns the HTTP status, the `Retry-After` header and the body.
async fn post(app: &TestApp, token: Option<&str>, query: &str) -> (StatusCode, Option<String>, Value) {
    let mut req = app.http().post(app.url("/graphql")).json(&json!({ "query": query }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let retry = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, retry, body)
}

/// An administrative connection to the PostgreSQL server, from outside the test's database (a
/// database cannot refuse connections while the session altering it is inside).
async fn admin() -> DatabaseConnection {
    let url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    Database::connect(url).await.expect("admin connection")
}

/// The test's database name.
fn database_name(app: &TestApp) -> String {
    app.state.config.database_url.rsplit('/').next().expect("database name").to_owned()
}

/// Ends every session on the test's database, as a server restart or failover does.
async fn terminate_backends(admin: &DatabaseConnection, name: &str) {
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await
        .expect("terminate backends");
}

/// Asserts that the answer is the GraphQL `UNAVAILABLE` error with HTTP 503 and a retry hint.
fn assert_unavailable(who: &str, (status, retry, body): &(StatusCode, Option<String>, Value)) {
    assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "{who}: {body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAVAILABLE", "{who}: {body}");
    let hint = retry.as_deref().and_then(|r| r.parse::<u64>().ok());
    assert!(hint.is_some_and(|s| s > 0), "{who}: Retry-After {retry:?}");
    assert_eq!(body["errors"][0]["extensions"]["retryAfterSeconds"], json!(hint), "{who}: {body}");
}

#[tokio::test]
async fn after_the_server_terminates_every_pooled_connection_the_next_fifty_reads_succeed() {
    if !on_postgres() {
        return; // an SQLite connection lives in the server process; no server can end it
    }
    let app = TestApp::spawn().await;
    let token = app.guardian("restart@example.cn").await;
    // Warm the pool so several connections sit idle in it when the server kills them.
    let warm: Vec<_> = (0..6).map(|i| post(&app, (i % 2 == 0).then_some(token.as_str()), ANONYMOUS_READ)).collect();
    for (status, _, body) in futures::future::join_all(warm).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let admin = admin().await;
    terminate_backends(&admin, &database_name(&app)).await;

    let mut failures = Vec::new();
    for i in 0..50 {
        let (token, query) = if i % 2 == 0 { (Some(token.as_str()), SIGNED_IN_READ) } else { (None, ANONYMOUS_READ) };
        let (status, _, body) = post(&app, token, query).await;
        if status != StatusCode::OK || !body["errors"].is_null() || body["data"].is_null() {
            failures.push(format!("read {i}: {status} {body}"));
        }
    }
    assert!(failures.is_empty(), "{} of 50 reads failed after the restart: {failures:#?}", failures.len());
    let _ = admin.close().await;
}

#[tokio::test]
async fn while_the_database_refuses_connections_every_caller_gets_unavailable_with_503() {
    if !on_postgres() {
        return; // a server that refuses connections is a PostgreSQL outage; see the closed-pool test
    }
    let app = TestApp::spawn().await;
    let token = app.guardian("outage@example.cn").await;
    let admin = admin().await;
    let name = database_name(&app);
    admin.execute_unprepared(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false")).await.expect("refuse connections");
    terminate_backends(&admin, &name).await;

    let anonymous = post(&app, None, ANONYMOUS_READ).await;
    let signed_in = post(&app, Some(&token), SIGNED_IN_READ).await;
    let ready = app.http().get(app.url("/readyz")).send().await.expect("readyz").status();

    admin.execute_unprepared(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true")).await.expect("accept connections");
    assert_unavailable("anonymous", &anonymous);
    assert_unavailable("signed in", &signed_in);
    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE);

    // Once the database is back, the same calls succeed without a restart of the server.
    let (status, _, body) = post(&app, Some(&token), SIGNED_IN_READ).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"]["me"]["id"].is_string(), "{body}");
    let _ = admin.close().await;
}

#[tokio::test]
async fn when_no_database_connection_can_be_had_every_caller_gets_unavailable_with_503() {
    let app = TestApp::spawn().await;
    let token = app.guardian("closed@example.cn").await;
    // Closing the server's pool makes every checkout fail, on SQLite as on PostgreSQL: the
    // closest an in-process database comes to being down.
    app.state.db.clone().close().await.expect("close pool");

    assert_unavailable("anonymous", &post(&app, None, ANONYMOUS_READ).await);
    assert_unavailable("signed in", &post(&app, Some(&token), SIGNED_IN_READ).await);
    let ready = app.http().get(app.url("/readyz")).send().await.expect("readyz").status();
    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE);
}
