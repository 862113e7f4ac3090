//! Several replicas on one database (issue 15): three server processes started at the same
//! moment on an empty PostgreSQL database migrate it once, run each scheduled job on one replica
//! only (and hand the jobs over when replicas stop), and deliver a queue event raised on one
//! replica to a subscriber connected to another. A stopping server drains: its request in flight
//! completes, its subscribers are sent away with 1001, and it stops within `SHUTDOWN_GRACE_SECS`
//! (on SQLite as on PostgreSQL). With `MIGRATE_ON_START` off, migrations are the operator's step.

use std::time::{Duration, Instant};

use api::{auth::Role, jobs::Job};
use entities::request_event;
use integration_tests::{
    TestApp, decode_body, on_postgres,
    ws::{WsClient, WsEvent},
};
use migration::MigratorTrait;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, Statement, TransactionTrait,
};
use serde_json::{Value, json};

const QUEUE: &str = "subscription($d: String!, $r: String!){ queueEvents(departmentCode: $d, regionCode: $r){ kind requestId } }";

/// Submits a school-enrolment request for a new family through `app`; returns the request id.
async fn family_request(app: &TestApp, email: &str) -> String {
    let g = app.guardian(email).await;
    let child = app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let r = app
        .gql(
            Some(&g),
            "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }",
            json!({"i": {"childId": child, "entitlementCode": "school_enrolment", "idempotencyKey": email}}),
        )
        .await;
    r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("submitRequest: {r}")).to_owned()
}

/// The next queue event the socket receives (the request id and kind).
async fn next_event(socket: &mut WsClient) -> (String, String) {
    loop {
        match socket.next(Duration::from_secs(10)).await {
            WsEvent::Message(m) if m["type"] == "next" => {
                let e = &m["payload"]["data"]["queueEvents"];
                return (e["requestId"].as_str().unwrap_or_default().to_owned(), e["kind"].as_str().unwrap_or_default().to_owned());
            }
            WsEvent::Message(_) => continue,
            other => panic!("no queue event: {other:?}"),
        }
    }
}

/// E-mails delivered to `to` by any of the replicas whose body says `what` (the replicas deliver
/// into one shared stub, as into one outside world).
async fn mails(apps: &[TestApp], to: &str, what: &str) -> usize {
    let mut n = 0;
    for (envelope, raw) in apps[0].mail.messages().await {
        if envelope.to().iter().any(|a| a.to_string() == to) && decode_body(&raw).contains(what) {
            n += 1;
        }
    }
    n
}

/// Events of `kind` in the history of each request.
async fn events(app: &TestApp, requests: &[String], kind: &str) -> Vec<u64> {
    let mut counts = Vec::new();
    for id in requests {
        let id = uuid::Uuid::parse_str(id).expect("request id");
        let n = request_event::Entity::find()
            .filter(request_event::Column::RequestId.eq(id))
            .filter(request_event::Column::Kind.eq(kind))
            .count(&app.state.db)
            .await
            .expect("count events");
        counts.push(n);
    }
    counts
}

/// Waits until `ready` holds (checked every 200 ms), for at most `wait`.
async fn eventually<F: std::future::Future<Output = bool>>(wait: Duration, mut ready: impl FnMut() -> F) -> bool {
    let until = Instant::now() + wait;
    while Instant::now() < until {
        if ready().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ready().await
}

/// The job locks held in the database: (locks, distinct holders).
async fn job_lock_holders(app: &TestApp) -> (i64, i64) {
    let first = Job::ALL[0].lock();
    let last = Job::ALL[Job::ALL.len() - 1].lock();
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*), count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND ((classid::bigint << 32) | objid::bigint) BETWEEN $1 AND $2",
            [first.into(), last.into()],
        ))
        .await
        .expect("pg_locks")
        .expect("row");
    (row.try_get_by_index(0).expect("locks"), row.try_get_by_index(1).expect("holders"))
}

#[tokio::test]
async fn three_replicas_started_together_migrate_once_run_each_job_once_and_share_queue_events() {
    if !on_postgres() {
        return; // replicas share a PostgreSQL database; SQLite deployments run one process
    }
    // Started at the same moment on an empty database, with jobs every second.
    let mut apps = TestApp::spawn_replicas(3, |c| c.jobs_interval_secs = 1).await;
    let applied = apps[0]
        .state
        .db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT count(*), count(DISTINCT version) FROM seaql_migrations"))
        .await
        .expect("seaql_migrations")
        .expect("row");
    let expected = i64::try_from(migration::Migrator::migrations().len()).expect("count");
    assert_eq!(applied.try_get_by_index::<i64>(0).expect("rows"), expected, "each migration recorded once");
    assert_eq!(applied.try_get_by_index::<i64>(1).expect("versions"), expected);
    let jobs = i64::try_from(Job::ALL.len()).expect("jobs");
    assert!(eventually(Duration::from_secs(5), || async { job_lock_holders(&apps[0]).await.0 == jobs }).await, "every job has a replica");

    // A subscriber on replica 2 sees what families submit through replicas 1 and 3.
    let county = apps[0].staff("county@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let mut socket = WsClient::connect(&apps[1], Some(&county)).await;
    socket.start("q", QUEUE, json!({"d": "education", "r": "520102"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = family_request(&apps[0], "one@example.org").await;
    assert_eq!(next_event(&mut socket).await, (first.clone(), "new".to_owned()), "from replica 1 to replica 2");
    let second = family_request(&apps[2], "three@example.org").await;
    assert_eq!(next_event(&mut socket).await, (second.clone(), "new".to_owned()), "from replica 3 to replica 2");
    let requests = [first, second];

    // All three run their jobs every second; past 75 % of the deadline each request is warned once.
    for app in &apps {
        app.state.clock.advance(chrono::Duration::days(22));
    }
    let warned = eventually(Duration::from_secs(15), || async { mails(&apps, "county@nanming.gov.cn", "is due on").await >= 2 }).await;
    assert!(warned, "the county queue is warned");
    tokio::time::sleep(Duration::from_secs(3)).await; // three more passes of every replica
    assert_eq!(mails(&apps, "county@nanming.gov.cn", "is due on").await, 2, "one warning mail per request");
    assert_eq!(events(&apps[0], &requests, "deadline_warning").await, [1, 1]);

    // Replicas 1 and 2 stop: replica 2's subscriber is sent away to reconnect elsewhere, and the
    // last replica takes over every job.
    let stopped = [apps[0].shut_down(), apps[1].shut_down()];
    assert_eq!(socket.closed_within(Duration::from_secs(5)).await, Some(1001), "going away");
    for s in stopped {
        tokio::time::timeout(Duration::from_secs(10), s).await.expect("replica drained in time").expect("server task");
    }
    let taken_over = eventually(Duration::from_secs(10), || async { job_lock_holders(&apps[2]).await == (jobs, 1) }).await;
    assert!(taken_over, "one replica holds every job: {:?}", job_lock_holders(&apps[2]).await);

    // The subscriber reconnects to replica 3 and the breached deadlines escalate once, there.
    let city = apps[2].staff("city@guiyang.gov.cn", Role::DepartmentStaff, Some("education"), "520100").await;
    let mut socket = WsClient::connect(&apps[2], Some(&city)).await;
    socket.start("q", QUEUE, json!({"d": "education", "r": "520100"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for app in &apps {
        app.state.clock.advance(chrono::Duration::days(14));
    }
    let mut escalated = vec![next_event(&mut socket).await, next_event(&mut socket).await];
    escalated.sort();
    let mut want: Vec<_> = requests.iter().map(|r| (r.clone(), "escalated".to_owned())).collect();
    want.sort();
    assert_eq!(escalated, want);
    let mailed =
        eventually(Duration::from_secs(10), || async { mails(&apps, "city@guiyang.gov.cn", "breached its deadline").await >= 2 }).await;
    assert!(mailed, "the prefecture queue is told");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(mails(&apps, "city@guiyang.gov.cn", "breached its deadline").await, 2, "one escalation mail per request");
    assert_eq!(events(&apps[2], &requests, "escalated").await, [1, 1]);
}

/// Holds the database's write lock on accounts, as a long transaction of someone else would.
async fn hold_account_writes(app: &TestApp) -> DatabaseTransaction {
    if on_postgres() {
        let txn = app.state.db.begin().await.expect("begin");
        txn.execute_unprepared("LOCK TABLE accounts IN EXCLUSIVE MODE").await.expect("lock accounts");
        txn
    } else {
        // BEGIN IMMEDIATE takes SQLite's one write lock.
        api::db::begin_write(&app.state.db).await.expect("begin immediate")
    }
}

/// A family's registration, sent on a connection of its own; answers the response body.
fn register_in_background(app: &TestApp, email: &str) -> tokio::task::JoinHandle<Result<(u16, Value), String>> {
    let url = app.url("/graphql");
    let body = json!({
        "query": "mutation($i: RegisterInput!){ register(input: $i) }",
        "variables": {"i": {"email": email, "password": integration_tests::PASSWORD, "displayName": "家长"}}
    });
    tokio::spawn(async move {
        let resp = reqwest::Client::new().post(url).json(&body).send().await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        Ok((status, resp.json().await.map_err(|e| e.to_string())?))
    })
}

#[tokio::test]
async fn a_stopping_server_finishes_its_request_in_flight_and_sends_its_subscribers_away_with_1001() {
    let mut app = TestApp::spawn_with(|c| c.shutdown_grace_secs = 15).await;
    let staff = app.staff("drain@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let mut socket = WsClient::connect(&app, Some(&staff)).await;
    socket.start("q", QUEUE, json!({"d": "education", "r": "520102"})).await;

    let held = hold_account_writes(&app).await;
    let registration = register_in_background(&app, "late@example.org");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!registration.is_finished(), "the registration waits for the held write");

    let stopped = app.shut_down();
    assert_eq!(socket.closed_within(Duration::from_secs(5)).await, Some(1001), "subscribers are sent away at once");
    let refused = eventually(Duration::from_secs(3), || async {
        reqwest::Client::new().get(app.url("/healthz")).timeout(Duration::from_secs(1)).send().await.is_err()
    })
    .await;
    assert!(refused, "no new connections once the shutdown began");
    assert!(!stopped.is_finished(), "the server waits for its request in flight");

    held.rollback().await.expect("release");
    let (status, body) = registration.await.expect("task").expect("the request in flight is answered");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["register"], json!(true), "{body}");
    tokio::time::timeout(Duration::from_secs(10), stopped).await.expect("stops once drained").expect("server task");
}

#[tokio::test]
async fn a_request_that_outlasts_the_grace_period_does_not_hold_the_shutdown_up() {
    let mut app = TestApp::spawn_with(|c| c.shutdown_grace_secs = 1).await;
    let held = hold_account_writes(&app).await;
    let registration = register_in_background(&app, "stuck@example.org");
    tokio::time::sleep(Duration::from_millis(500)).await;

    let began = Instant::now();
    tokio::time::timeout(Duration::from_secs(6), app.shut_down()).await.expect("stops after the grace period").expect("server task");
    let took = began.elapsed();
    assert!(took >= Duration::from_millis(900), "the request in flight got its grace period: {took:?}");
    assert!(!registration.is_finished() || registration.await.expect("task").is_err(), "the stuck request was not answered");
    held.rollback().await.expect("release");
}

#[tokio::test]
async fn with_migrate_on_start_off_a_server_refuses_an_unmigrated_database_naming_what_is_pending() {
    let err = TestApp::try_spawn_with(|c| c.migrate_on_start = false).await.err().expect("refuses to start");
    let all = migration::Migrator::migrations();
    assert!(err.contains(&format!("{} migration(s) are pending", all.len())), "{err}");
    assert!(all.iter().all(|m| err.contains(m.name())), "names every pending migration: {err}");
    assert!(err.contains("api migrate"), "{err}");
}

#[tokio::test]
async fn after_migrations_ran_apart_a_server_with_migrate_on_start_off_starts_and_serves() {
    let app = TestApp::spawn().await;
    let pending = api::db::pending_migrations(&app.state.db).await.expect("status");
    assert!(pending.is_empty(), "{pending:?}");
    let apart = app.restarted_with(|c| c.migrate_on_start = false).await.expect("starts on a migrated database");
    let r = apart.gql(None, "{ departments { code } }", json!({})).await;
    assert!(r["data"]["departments"].as_array().is_some_and(|d| !d.is_empty()), "{r}");
}
