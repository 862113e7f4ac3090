//! What an operator watches (issue 15 item 7): `/metrics` for Prometheus with every series the
//! alerts in the README use, protected in production; OpenTelemetry traces over OTLP, one per
//! operation with its database spans; and a request id in every response and log line.

use std::sync::{Arc, Mutex};

use api::config::{Config, Environment};
use integration_tests::{TestApp, code, fixtures};
use serde_json::json;

mod sockets_and_pool;
mod traces;

const TOKEN: &str = "metrics-scraper-token-0123456789abcdef";

/// The exposition text of `/metrics`.
async fn scrape(app: &TestApp) -> String {
    let r = app.http().get(app.url("/metrics")).send().await.expect("scrape");
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().expect("ascii").to_owned();
    assert!(ct.starts_with("application/openmetrics-text"), "{ct}");
    r.text().await.expect("body")
}

/// The value of the sample `series` (name with its labels, as exposed), if exposed.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.split(' ').next()?.parse().ok())
}

fn must(text: &str, series: &str) -> f64 {
    value(text, series).unwrap_or_else(|| panic!("{series} not exposed in\n{text}"))
}

/// A guardian with a child who booked a session and submitted a request.
async fn some_traffic(app: &TestApp) -> String {
    let (staff, _, loc) = fixtures::verified_org(app, "org-metrics@org.cn", 301).await;
    let svc = fixtures::service(app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let sess = fixtures::session(app, &staff, &svc, 5, 10).await;
    let g = app.guardian("metrics-mum@example.org").await;
    let child = app.child(&g).born("2018-05-01").hukou("520304").lives_in("520102").await;
    let b = app
        .gql(
            Some(&g),
            "mutation Book($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ status } }",
            json!({"s": sess, "c": child}),
        )
        .await;
    assert_eq!(b["data"]["bookSession"]["status"], "CONFIRMED", "{b}");
    let r = app
        .gql(
            Some(&g),
            "mutation Submit($i: SubmitRequestInput!){ submitRequest(input: $i){ status } }",
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "details": "上学", "idempotencyKey": "m-1"}}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    g
}

#[tokio::test]
async fn metrics_expose_every_series_and_move_with_the_traffic() {
    let app = TestApp::spawn_with(|c| c.workers = false).await;
    let g = some_traffic(&app).await;
    let before = scrape(&app).await;

    // Requests by operation and code, with latencies.
    for _ in 0..2 {
        let r = app.gql(Some(&g), "query MyHome { myHousehold { id } }", json!({})).await;
        assert!(r["errors"].is_null(), "{r}");
    }
    let denied = app.gql(None, "query MyHome { myHousehold { id } }", json!({})).await;
    assert_eq!(code(&denied), "UNAUTHENTICATED");
    let bad = app.gql(None, "query Garbage { noSuchField }", json!({})).await;
    assert_eq!(code(&bad), "VALIDATION");
    app.gql(None, "{ workCalendar { coversNext60Days } }", json!({})).await;
    for job in api::jobs::Job::ALL {
        job.run(&app.state).await;
    }
    // Then exactly one mail waiting in the outbox (no worker runs in this server).
    app.emails().await;
    let r = app.gql(None, "mutation { requestPasswordReset(email: \"metrics-mum@example.org\") }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");

    let m = scrape(&app).await;
    assert_eq!(must(&m, r#"tongxin_graphql_requests_total{operation="MyHome",code="OK"}"#), 2.0);
    assert_eq!(must(&m, r#"tongxin_graphql_requests_total{operation="MyHome",code="UNAUTHENTICATED"}"#), 1.0);
    let other = r#"tongxin_graphql_requests_total{operation="other",code="VALIDATION"}"#;
    assert_eq!(must(&m, other) - value(&before, other).unwrap_or(0.0), 1.0, "unvalidated names get no series");
    assert!(!m.contains("Garbage"));
    assert!(must(&m, r#"tongxin_graphql_requests_total{operation="anonymous",code="OK"}"#) >= 1.0);
    assert_eq!(must(&m, r#"tongxin_graphql_request_duration_seconds_count{operation="MyHome"}"#), 3.0);
    assert!(must(&m, r#"tongxin_graphql_request_duration_seconds_sum{operation="MyHome"}"#) > 0.0);
    assert!(must(&m, r#"tongxin_http_responses_total{status="2xx"}"#) > must(&before, r#"tongxin_http_responses_total{status="2xx"}"#));

    // The outbox: one pending reset mail, nothing failed yet; then delivered.
    assert_eq!(must(&m, "tongxin_outbox_pending"), 1.0);
    assert!(must(&m, "tongxin_outbox_oldest_pending_age_seconds") >= 0.0);
    assert_eq!(must(&m, "tongxin_outbox_failed"), 0.0);
    let delivered = must(&m, "tongxin_outbox_deliveries_total");
    assert_eq!(must(&m, "tongxin_outbox_delivery_failures_total"), 0.0);
    let pass = api::delivery::counted_pass(&app.state, &api::mail::outbox::Retry::from_config(&app.state.config)).await.expect("pass");
    assert_eq!(pass.sent, 1);
    let after = scrape(&app).await;
    assert_eq!(must(&after, "tongxin_outbox_pending"), 0.0);
    assert_eq!(must(&after, "tongxin_outbox_deliveries_total"), delivered + 1.0);

    // Jobs: every job ran once, none failed, all just succeeded.
    for job in api::jobs::Job::ALL.map(api::jobs::Job::name) {
        assert_eq!(must(&m, &format!(r#"tongxin_job_runs_total{{job="{job}"}}"#)), 1.0, "{job}");
        assert!(must(&m, &format!(r#"tongxin_job_lag_seconds{{job="{job}"}}"#)) < 60.0, "{job}");
        assert_eq!(must(&m, &format!(r#"tongxin_job_failures_total{{job="{job}"}}"#)), 0.0, "{job}");
    }

    // Pool, session cache, stored states, PII, calendar.
    assert!(must(&m, "tongxin_db_pool_max_connections") >= 1.0);
    let pool = must(&m, r#"tongxin_db_pool_connections{state="idle"}"#) + must(&m, r#"tongxin_db_pool_connections{state="in_use"}"#);
    assert!(pool >= 1.0, "{pool}");
    assert!(must(&m, r#"tongxin_session_cache_lookups_total{result="hit"}"#) >= 1.0, "the second MyHome was answered from memory");
    assert!(must(&m, r#"tongxin_session_cache_lookups_total{result="miss"}"#) >= 1.0);
    assert_eq!(must(&m, r#"tongxin_bookings{status="confirmed"}"#), 1.0);
    assert_eq!(must(&m, r#"tongxin_requests{status="routed"}"#), 1.0);
    assert_eq!(must(&m, "tongxin_pii_unreadable_values"), 0.0);
    assert!(must(&m, "tongxin_calendar_covered_days") > 0.0);
    assert_eq!(must(&m, "tongxin_database_up"), 1.0);
    assert!(m.ends_with("# EOF\n"));

    // Nothing personal: no e-mail address, no id of any row.
    assert!(!m.contains('@'), "an address in the metrics");
    let uuid = regex_like_uuid(&m);
    assert!(uuid.is_none(), "an id in the metrics: {uuid:?}");
}

/// The first UUID-shaped word of `text`.
fn regex_like_uuid(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .find(|w| w.len() == 36 && w.matches('-').count() == 4 && uuid::Uuid::parse_str(w).is_ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn the_calendar_metric_shows_a_calendar_running_out() {
    let app = TestApp::spawn_with(|c| c.workers = false).await;
    let covered = must(&scrape(&app).await, "tongxin_calendar_covered_days");
    app.state.clock.advance(chrono::Duration::days(covered as i64 - 10));
    assert_eq!(must(&scrape(&app).await, "tongxin_calendar_covered_days"), 10.0);
}

fn production() -> Config {
    let mut c = Config::development();
    c.environment = Environment::Production;
    c.jwt_keys = "k1:production-signing-key-0123456789abcdef".to_owned().into();
    c.smtp_url = Some("smtp://127.0.0.1:2525".to_owned().into());
    c.pii_keys = format!("p1:{}", "ab".repeat(32)).into();
    c.pii_hash_key = "cd".repeat(32).into();
    c.allow_sqlite_in_production = true;
    c.public_url = "https://tongxin.example.gov.cn".into();
    c.sms_provider = api::config::SmsProvider::Tencent;
    c.notify.sms_template_request_update = Some("1850301".into());
    c.notify.sms_template_booking_update = Some("1850302".into());
    c.notify.sms_template_session_reminder = Some("1850303".into());
    c.notify.sms_template_verification_due = Some("1850304".into());
    c
}

#[tokio::test]
async fn production_refuses_to_start_with_open_metrics() {
    let err = api::build_state(production(), None).await.err().expect("refused");
    assert!(err.contains("METRICS_ADDR or METRICS_TOKEN"), "{err}");
    let mut short = production();
    short.metrics_token = Some("short".to_owned().into());
    let err = short.validate().expect_err("a short token is refused").to_string();
    assert!(err.contains("METRICS_TOKEN") && !err.contains("METRICS_ADDR"), "{err}");
    let mut with_token = production();
    with_token.metrics_token = Some(TOKEN.to_owned().into());
    with_token.validate().expect("a token is enough");
    let mut with_addr = production();
    with_addr.metrics_addr = Some("127.0.0.1:9464".parse().expect("addr"));
    with_addr.validate().expect("a separate address is enough");
}

#[tokio::test]
async fn with_a_metrics_token_a_scrape_needs_the_bearer() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some(TOKEN.to_owned().into())).await;
    let none = app.http().get(app.url("/metrics")).send().await.expect("scrape");
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let wrong = app.http().get(app.url("/metrics")).bearer_auth("metrics-scraper-token-wrong").send().await.expect("scrape");
    assert_eq!(wrong.status(), 401);
    let right = app.http().get(app.url("/metrics")).bearer_auth(TOKEN).send().await.expect("scrape");
    assert_eq!(right.status(), 200);
    assert!(right.text().await.expect("body").contains("tongxin_outbox_pending 0"));
}

#[tokio::test]
async fn with_a_metrics_address_metrics_are_served_there_only() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("probe").local_addr().expect("addr");
    let app = TestApp::spawn_with(|c| c.metrics_addr = Some(free)).await;
    let main = app.http().get(app.url("/metrics")).send().await.expect("main port");
    assert_eq!(main.status(), 404, "not on the public port");
    let apart = app.http().get(format!("http://{free}/metrics")).send().await.expect("metrics port");
    assert_eq!(apart.status(), 200);
    assert!(apart.text().await.expect("body").contains("tongxin_database_up 1"));
    let other =
        app.http().post(format!("http://{free}/graphql")).json(&json!({"query": "{ __typename }"})).send().await.expect("metrics port");
    assert_eq!(other.status(), 404, "the metrics address serves nothing else");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_safe_one_is_kept() {
    let app = TestApp::spawn().await;
    let query = json!({"query": "{ __typename }"});
    let generated = app.http().post(app.url("/graphql")).json(&query).send().await.expect("request");
    let id = generated.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let kept = app.http().post(app.url("/graphql")).header("x-request-id", "app-7.call_42").json(&query).send().await.expect("request");
    assert_eq!(kept.headers()["x-request-id"], "app-7.call_42");
    for unsafe_id in ["a b\"c", "{\"json\":1}", &"x".repeat(65)] {
        let r = app.http().post(app.url("/graphql")).header("x-request-id", unsafe_id).json(&query).send().await.expect("request");
        let echoed = r.headers()["x-request-id"].to_str().expect("ascii").to_owned();
        assert_ne!(echoed, unsafe_id);
        assert!(uuid::Uuid::parse_str(&echoed).is_ok(), "replaced by a generated id: {echoed}");
    }
}

/// Runs the test `name` alone in a child process of this test binary and says whether this is
/// that child. A test that captures what `tracing` writes needs it: `tracing` caches per call
/// site whether anyone listens, and tests starting servers on other threads at the same time
/// race with the capturing subscriber of this one.
pub fn in_own_process(name: &str) -> bool {
    const CHILD: &str = "TONGXIN_TEST_ALONE";
    if std::env::var_os(CHILD).is_some() {
        return true;
    }
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("child test");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("1 passed"), "{name} failed in its own process:\n{text}");
    false
}

/// Every log line written while a request runs carries its request id.
#[tokio::test]
async fn log_lines_inside_a_request_carry_its_id() {
    if !in_own_process("operability::metrics::log_lines_inside_a_request_carry_its_id") {
        return;
    }
    let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = lines.clone();
    let subscriber =
        tracing_subscriber::fmt().json().with_max_level(tracing::Level::INFO).with_writer(move || Writer(sink.clone())).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::spawn().await;
    // A failed login is logged ("login failed") inside the request.
    let r = app
        .http()
        .post(app.url("/graphql"))
        .header("x-request-id", "support-case-17")
        .json(&json!({"query": "mutation { login(email: \"nobody@example.org\", password: \"wrong-password-1\"){ accessToken } }"}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.headers()["x-request-id"], "support-case-17");
    let text = String::from_utf8(lines.lock().expect("lines").clone()).expect("utf-8");
    let inside: Vec<&str> = text.lines().filter(|l| l.contains("\"path\":\"/graphql\"")).collect();
    assert!(!inside.is_empty(), "no log line inside the request:\n{text}");
    assert!(inside.iter().all(|l| l.contains("support-case-17")), "{inside:#?}");
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
