//! Load benchmarks of the Tongxin server. Each scenario measures its target and a baseline on the
//! same server in the same run, so the ratio is meaningful on any machine.
//!
//! Usage: `cargo run --release -p bench -- screening [--secs 10] [--clients 32]`

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

/// The server's allocator (see `api/src/main.rs`), so the in-process server is measured as deployed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    scenario: String,
    secs: u64,
    clients: usize,
}

fn args() -> Args {
    let mut a = Args { scenario: "screening".into(), secs: 10, clients: 32 };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--secs" => a.secs = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.secs),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.clients),
            s => a.scenario = s.to_owned(),
        }
    }
    a
}

/// Throughput and latency of one load run.
struct Report {
    name: String,
    requests: usize,
    errors: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
}

impl Report {
    fn print(&self) {
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {} |",
            self.name,
            self.rps,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.requests,
            self.errors
        );
    }
}

/// Runs `clients` concurrent loops posting `body` for `secs` seconds.
async fn load(name: &str, url: &str, body: Value, clients: usize, secs: u64) -> Report {
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap_or_default();
    load_with(name, client, url, body, clients, secs).await
}

async fn load_with(name: &str, client: reqwest::Client, url: &str, body: Value, clients: usize, secs: u64) -> Report {
    let body = Arc::new(serde_json::to_vec(&body).unwrap_or_default());
    check_sample(name, &client, url, body.as_ref().clone()).await;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (client, body, url) = (client.clone(), body.clone(), url.to_owned());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let ok = client.post(&url).header("content-type", "application/json").body(body.as_ref().clone()).send().await;
                    // Read the whole body: the time to the last byte is the latency, and an unread
                    // body would keep the connection from being reused.
                    let ok = match ok {
                        Ok(r) if r.status().is_success() => r.bytes().await.map(|_| true),
                        Ok(_) => Ok(false),
                        Err(e) => Err(e),
                    };
                    match ok {
                        Ok(true) => lat.push(t.elapsed()),
                        _ => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap_or_default();
        all.extend(l);
        errors += e;
    }
    report(name, all, errors, start.elapsed().as_secs_f64())
}

/// Checks one response for GraphQL errors before measuring: they come with HTTP 200.
async fn check_sample(name: &str, client: &reqwest::Client, url: &str, body: Vec<u8>) {
    let sample: Value = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("server reachable")
        .json()
        .await
        .expect("json");
    assert!(sample.get("errors").is_none(), "{name}: sample response has errors: {sample}");
}

fn report(name: &str, mut all: Vec<Duration>, errors: usize, elapsed: f64) -> Report {
    all.sort();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    Report { name: name.to_owned(), requests: all.len(), errors, rps: all.len() as f64 / elapsed, p50: pct(0.50), p99: pct(0.99) }
}

async fn start_server() -> (String, tokio::sync::oneshot::Sender<()>) {
    let (url, stop, _) = start_server_with(None).await;
    (url, stop)
}

async fn start_server_with(database_url: Option<String>) -> (String, tokio::sync::oneshot::Sender<()>, api::state::AppState) {
    let dir = std::env::temp_dir().join(format!("tongxin-bench-{}", uuid::Uuid::new_v4().simple()));
    let mut config = api::config::Config::development();
    config.environment = api::config::Environment::Test;
    config.database_url = database_url.unwrap_or(format!("sqlite://{}/b.db?mode=rwc", dir.display()));
    config.workers = false;
    config.policy_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy").into();
    config.calendar_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/holidays.toml").into();
    config.divisions_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/divisions.csv").into();
    config.mail_dir = dir.join("mail");
    let state = api::build_state(config, None).await.expect("state");
    let st = state.clone();
    let bind = std::env::var("BENCH_BIND").unwrap_or("127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(bind).await.expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(api::serve(state, listener, async move {
        let _ = rx.await;
    }));
    (url, tx, st)
}

const SCREEN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt nextStep trace { condition result } } } }";

const SCREEN_LEAN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt missingFacts nextStep } } }";

#[tokio::main]
async fn main() {
    let a = args();
    let (url, _stop) = start_server().await;
    if !matches!(a.scenario.as_str(), "serve" | "inprocess" | "booking") {
        println!("scenario `{}`: {} clients, {} s each, server in-process on loopback", a.scenario, a.clients, a.secs);
        println!("| target | req/s | p50 ms | p99 ms | requests | errors |\n|---|---|---|---|---|---|");
    }
    match a.scenario.as_str() {
        "screening" => {
            let trivial = load("trivial `{ __typename }`", &url, json!({"query": "{ __typename }"}), a.clients, a.secs).await;
            trivial.print();
            let facts: Value = json!({
                "birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
                "residenceSince": "2025-02-01", "movedWithGuardian": true, "hasResidencePermit": true,
                "residencePermitSince": "2025-03-01", "enrolledInSchoolAtResidence": true, "meetsResidenceDibaoTest": false
            });
            let screen = load(
                "screenEligibility (all entitlements with traces)",
                &url,
                json!({"query": SCREEN, "variables": {"i": facts}}),
                a.clients,
                a.secs,
            )
            .await;
            screen.print();
            let lean = load(
                "screenEligibility (outcomes, missing facts, next steps)",
                &url,
                json!({"query": SCREEN_LEAN, "variables": {"i": facts}}),
                a.clients,
                a.secs,
            )
            .await;
            lean.print();
            println!("\nratio with traces / trivial = {:.1} %", 100.0 * screen.rps / trivial.rps.max(1.0));
            println!("ratio without traces / trivial = {:.1} %", 100.0 * lean.rps / trivial.rps.max(1.0));
        }
        "queue" => queue_scenario(&a).await,
        "booking" => booking_scenario(&a).await,
        "inprocess" => {
            let (_, _, state) = start_server_with(None).await;
            {
                let f: domain::eligibility::Facts = serde_json::from_value(json!({"birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102", "residenceSince": "2025-02-01", "movedWithGuardian": true})).expect("facts");
                let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("day");
                let t = Instant::now();
                for _ in 0..2000 {
                    let r = domain::eligibility::screen_with(
                        &state.reference.policy,
                        &state.reference.divisions(),
                        &f,
                        day,
                        domain::eligibility::Lang::Zh,
                        domain::eligibility::ScreenOptions { trace: false, plain: false },
                    );
                    assert!(r.is_ok());
                }
                println!("engine alone: {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / 2000.0);
            }
            let schema = api::graphql::schema_builder().data(state).finish();
            let facts: Value = json!({"birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102", "residenceSince": "2025-02-01", "movedWithGuardian": true});
            // BENCH_QUERY times one more query (variable `$i` holds the facts) to find where time goes.
            let extra = std::env::var("BENCH_QUERY").ok();
            let mut queries = vec![("trivial", "{ __typename }"), ("lean", SCREEN_LEAN), ("traces", SCREEN)];
            if let Some(q) = extra.as_deref() {
                queries.push(("BENCH_QUERY", q));
            }
            // BENCH_ONLY=lean (or trivial, traces, BENCH_QUERY) times one query alone, for profiles.
            if let Ok(only) = std::env::var("BENCH_ONLY") {
                queries.retain(|(name, _)| *name == only);
            }
            for (name, q) in queries {
                let vars = async_graphql::Variables::from_json(json!({"i": facts}));
                // As over HTTP, where parsed documents are cached (api::http::ParsedQueries).
                let doc = async_graphql::parser::parse_query(q).expect("query parses");
                let t = Instant::now();
                let n = 2000;
                for _ in 0..n {
                    let mut req = async_graphql::Request::new(q).variables(vars.clone());
                    req.set_parsed_query(doc.clone());
                    let r = schema.execute(req).await;
                    assert!(r.errors.is_empty(), "{:?}", r.errors);
                    let _ = serde_json::to_vec(&r).unwrap_or_default();
                }
                println!("{name}: {:.1} µs per execute+serialize", t.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
        }
        "serve" => {
            // For an external load generator (bench/screening.sh drives it with wrk).
            println!("serving {url}");
            std::future::pending::<()>().await;
        }
        other => eprintln!("unknown scenario `{other}` (known: screening, queue, booking, inprocess, serve)"),
    }
}

const QUEUE: &str = "query($a: String){ queue(first: 20, after: $a){ edges { cursor node { id entitlementCode status dueAt } } pageInfo { hasNextPage } } }";

/// One million requests over Guizhou's counties and six departments on PostgreSQL; one county
/// queue's first page and a page deep in it, through GraphQL and by plain SQL.
async fn queue_scenario(a: &Args) {
    use sea_orm::{ConnectionTrait, Statement};
    let admin = std::env::var("BENCH_DATABASE_URL").unwrap_or("postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = "tongxin_bench_queue";
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
    let url = format!("{base}/{name}");
    let fresh = std::env::var("BENCH_FRESH").is_ok();
    let admin_db = sea_orm::Database::connect(admin.clone()).await.expect("postgres");
    if fresh {
        let _ = admin_db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
    let _ = admin_db.execute_unprepared(&format!("CREATE DATABASE {name}")).await;
    let (gql_url, _stop, state) = start_server_with(Some(url.clone())).await;
    let db = &state.db;
    let have: i64 = db
        .query_one_raw(Statement::from_string(sea_orm::DbBackend::Postgres, "SELECT count(*) AS n FROM requests"))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    if have < 1_000_000 {
        let t = std::time::Instant::now();
        let guardian = uuid::Uuid::now_v7();
        db.execute_unprepared(&format!(
            "INSERT INTO accounts (id, email, password_hash, display_name, role, created_at) VALUES ('{guardian}', 'bench-guardian@tongxin.test', NULL, 'bench', 'guardian', now()) ON CONFLICT DO NOTHING"
        ))
        .await
        .expect("guardian");
        let sql = format!(
            "WITH c AS (SELECT array_agg(code ORDER BY code) a FROM regions WHERE level = 'county' AND code LIKE '52%'),
                  d AS (SELECT ARRAY['civil_affairs','education','housing','medical_security','disabled_federation','hrss'] a,
                               ARRAY['dibao_residence','school_enrolment','public_housing','medical_assistance','rehabilitation','parent_employment'] e)
             INSERT INTO requests (id, kind, child_id, guardian_id, entitlement_code, department_code, region_code, status, priority, details,
               policy_version, eligibility_outcome, cross_province, first_response_due_at, due_at, escalation_level, created_at, updated_at)
             SELECT gen_random_uuid(), 'lead', gen_random_uuid(), '{guardian}', d.e[1 + g % 6], d.a[1 + g % 6],
                    c.a[1 + (g / 6) % array_length(c.a, 1)],
                    (ARRAY['routed','claimed','in_progress','needs_info','resolved_granted'])[1 + (g / 7) % 5], 0, 'bench', 'guizhou-2025', 'ELIGIBLE', false,
                    now() + (g % 997) * interval '1 hour', now() + (g % 9973) * interval '1 minute', 0, now(), now()
             FROM generate_series(1, 1000000) g, c, d"
        );
        db.execute_unprepared(&sql).await.expect("generate requests");
        db.execute_unprepared("ANALYZE requests").await.expect("analyze");
        println!("generated 1,000,000 requests in {:.1} s", t.elapsed().as_secs_f64());
    }
    // A county education officer of 南明区.
    let email = "bench-edu@nanming.gov.cn";
    let admin_v = api::auth::Viewer {
        account_id: api::services::accounts::create_admin(&state, "bench-admin@tongxin.test", "bench-password-2026").await.expect("admin"),
        session_id: uuid::Uuid::nil(),
        role: api::auth::Role::Admin,
        department_code: None,
        region_code: None,
        organization_id: None,
    };
    let new = api::services::accounts::NewStaff {
        email: email.into(),
        display_name: "bench".into(),
        role: api::auth::Role::DepartmentStaff,
        department_code: Some("education".into()),
        region_code: Some("520102".into()),
        organization_id: None,
    };
    let staff_id = match api::services::accounts::create_staff_account(&state, &admin_v, new).await {
        Ok(a) => a.id,
        Err(_) => {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            entities::account::Entity::find()
                .filter(entities::account::Column::Email.eq(email))
                .one(db)
                .await
                .expect("db")
                .expect("staff")
                .id
        }
    };
    api::services::accounts::set_password_verified(&state, staff_id, "bench-password-2026").await.expect("password");
    let tokens = api::services::accounts::login(&state, email, "bench-password-2026", None).await.expect("login");
    let rows: i64 = db
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM requests WHERE department_code = 'education' AND region_code = '520102' AND status IN ('routed','claimed','in_progress','needs_info')",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    let deep_at = (rows / 2).max(1);
    let deep: (chrono::DateTime<chrono::Utc>, uuid::Uuid) = {
        let r = db
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT due_at, id FROM requests WHERE department_code = 'education' AND region_code = '520102' AND status IN ('routed','claimed','in_progress','needs_info') ORDER BY due_at, id OFFSET {deep_at} LIMIT 1"),
            ))
            .await
            .expect("deep")
            .expect("row");
        (r.try_get("", "due_at").expect("due"), r.try_get("", "id").expect("id"))
    };
    let cursor = {
        use async_graphql::connection::CursorType;
        api::graphql::pagination::Cursor(vec![deep.0.to_rfc3339().into(), deep.1.to_string().into()]).encode_cursor()
    };
    println!("queue education@520102: {rows} open requests; deep page after row {deep_at}; {} clients, {} s each\n", a.clients, a.secs);
    println!("| target | req/s | p50 ms | p99 ms | requests | errors |\n|---|---|---|---|---|---|");
    let auth = format!("Bearer {}", tokens.access_token);
    load_auth("GraphQL queue, first page", &gql_url, json!({"query": QUEUE}), &auth, a.clients, a.secs).await.print();
    load_auth("GraphQL queue, deep page", &gql_url, json!({"query": QUEUE, "variables": {"a": cursor}}), &auth, a.clients, a.secs)
        .await
        .print();
    let first_sql = "SELECT * FROM requests WHERE department_code = $1 AND region_code = $2 AND status IN ('routed','claimed','in_progress','needs_info') ORDER BY due_at, id LIMIT 21";
    let deep_sql = "SELECT * FROM requests WHERE department_code = $1 AND region_code = $2 AND status IN ('routed','claimed','in_progress','needs_info') AND (due_at, id) > ($3, $4) ORDER BY due_at, id LIMIT 21";
    // The server's pool settings: 20 connections, each pinged as it is checked out (api::db).
    let pool =
        sea_orm::sqlx::postgres::PgPoolOptions::new().max_connections(20).test_before_acquire(true).connect(&url).await.expect("pool");
    sql_load("plain SQL, first page", &pool, first_sql, None, a.clients, a.secs).await.print();
    sql_load("plain SQL, deep page", &pool, deep_sql, Some(deep), a.clients, a.secs).await.print();
}

/// Loads `url` with an authorised POST: with `wrk` in a separate process when it is installed (a C
/// load generator costs the shared cores far less than an in-process HTTP client), else in-process.
async fn load_auth(name: &str, url: &str, body: Value, auth: &str, clients: usize, secs: u64) -> Report {
    if std::process::Command::new("wrk").arg("--version").output().is_ok() {
        return load_wrk(name, url, &body, auth, clients, secs).await;
    }
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, auth.parse().expect("header"));
    let client = reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(clients).build().unwrap_or_default();
    load_with(name, client, url, body, clients, secs).await
}

async fn load_wrk(name: &str, url: &str, body: &Value, auth: &str, clients: usize, secs: u64) -> Report {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, auth.parse().expect("header"));
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap_or_default();
    check_sample(name, &client, url, serde_json::to_vec(body).unwrap_or_default()).await;
    let dir = std::env::temp_dir().join(format!("tongxin-wrk-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let body_file = dir.join("body.json");
    std::fs::write(&body_file, serde_json::to_vec(body).unwrap_or_default()).expect("body");
    let script = format!(
        r#"wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "{auth}"
local f = io.open("{}"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %d %d\n", summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99)))
end
"#,
        body_file.display()
    );
    let script_file = dir.join("load.lua");
    std::fs::write(&script_file, script).expect("script");
    let args = vec!["-t2".to_owned(), format!("-c{clients}"), format!("-d{secs}s"), "--latency".into(), "-s".into()];
    let (script_arg, url_arg) = (script_file.clone(), url.to_owned());
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("wrk").args(args).arg(script_arg).arg(url_arg).output())
        .await
        .expect("join")
        .expect("wrk runs");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| panic!("wrk printed no result: {text}"));
    let f: Vec<f64> = line.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    let us = |v: f64| Duration::from_micros(v as u64);
    Report { name: format!("{name} (wrk)"), requests: f[0] as usize, errors: f[1] as usize, rps: f[0] / f[2], p50: us(f[3]), p99: us(f[4]) }
}

async fn sql_load(
    name: &str,
    pool: &sea_orm::sqlx::PgPool,
    sql: &'static str,
    after: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    clients: usize,
    secs: u64,
) -> Report {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let mut q = sea_orm::sqlx::query(sql).bind("education").bind("520102");
                    if let Some((d, i)) = after {
                        q = q.bind(d).bind(i);
                    }
                    if q.fetch_all(&pool).await.is_ok() {
                        lat.push(t.elapsed());
                    }
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    report(name, all, 0, start.elapsed().as_secs_f64())
}

const BOOK: &str = "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status waitlistPosition } }";

/// Contended booking on PostgreSQL: `clients` guardians book their children concurrently, first
/// each into a session of its own (the uncontended baseline), then all into a few hot sessions
/// whose seats run out, so every booking after that queues on the same rows. Each client books its
/// children one after another; a run ends when every child has booked once. The database is then
/// checked for oversell: confirmed bookings and the seat counter must equal capacity exactly.
async fn booking_scenario(a: &Args) {
    use integration_tests::{TestApp, fixtures};
    use sea_orm::{ConnectionTrait, Statement};
    assert!(
        integration_tests::on_postgres(),
        "the booking benchmark runs on PostgreSQL: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
    );
    const HOT: usize = 4;
    const HOT_CAPACITY: i32 = 50;
    let per_client: usize = std::env::var("BENCH_CHILDREN").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let app = TestApp::spawn_with(|c| {
        c.login_per_address_per_minute = 100_000;
        c.database_max_connections = Some(20);
    })
    .await;
    let setup = Instant::now();
    let (staff, _, loc) = fixtures::verified_org(&app, "bench-org@org.cn", 901).await;
    let svc = fixtures::service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let hot: Vec<String> = futures::future::join_all((0..HOT).map(|_| fixtures::session(&app, &staff, &svc, 5, HOT_CAPACITY))).await;
    let own: Vec<String> = futures::future::join_all((0..a.clients).map(|_| fixtures::session(&app, &staff, &svc, 6, 10_000))).await;
    let families: Vec<(String, Vec<String>)> = futures::future::join_all((0..a.clients).map(|i| {
        let app = &app;
        async move {
            let g = app.guardian(&format!("bench-family{i}@example.org")).await;
            let mut kids = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                kids.push(app.child(&g, "2018-05-01", "520304", "520102").await);
            }
            (g, kids)
        }
    }))
    .await;
    println!(
        "scenario `booking` on PostgreSQL: {} clients (one guardian each, {per_client} children each), {HOT} hot sessions of {HOT_CAPACITY} seats; setup {:.1} s\n",
        a.clients,
        setup.elapsed().as_secs_f64()
    );
    println!("| target | bookings/s | p50 ms | p99 ms | bookings | errors |\n|---|---|---|---|---|---|");
    let url = app.url("/graphql");
    let run = |name: &'static str, pick: Box<dyn Fn(usize, usize) -> String + Send + Sync>| {
        let pick = Arc::new(pick);
        let (families, url) = (&families, &url);
        async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(families.len()).build().unwrap_or_default();
            let start = Instant::now();
            let tasks: Vec<_> = families
                .iter()
                .enumerate()
                .map(|(i, (token, kids))| {
                    let (client, url, token, kids, pick) = (client.clone(), url.clone(), token.clone(), kids.clone(), pick.clone());
                    tokio::spawn(async move {
                        let (mut lat, mut errors) = (Vec::new(), 0usize);
                        for (k, child) in kids.iter().enumerate() {
                            let t = Instant::now();
                            let body = json!({"query": BOOK, "variables": {"s": pick(i, k), "c": child}});
                            let r = client.post(&url).bearer_auth(&token).json(&body).send().await;
                            let ok = match r {
                                Ok(r) => r.json::<Value>().await.ok().is_some_and(|v| v["data"]["bookSession"]["status"].is_string()),
                                Err(_) => false,
                            };
                            if ok { lat.push(t.elapsed()) } else { errors += 1 }
                        }
                        (lat, errors)
                    })
                })
                .collect();
            let (mut all, mut errors) = (Vec::new(), 0);
            for t in tasks {
                let (l, e) = t.await.unwrap_or_default();
                all.extend(l);
                errors += e;
            }
            report(name, all, errors, start.elapsed().as_secs_f64())
        }
    };
    let own_ids = own.clone();
    let baseline = run("uncontended: each client books into its own session", Box::new(move |i, _| own_ids[i].clone())).await;
    baseline.print();
    let hot_ids = hot.clone();
    let contended = run("contended: every client books into 4 hot sessions", Box::new(move |i, k| hot_ids[(i + k) % HOT].clone())).await;
    contended.print();
    println!("\ncontended / uncontended throughput = {:.1} %", 100.0 * contended.rps / baseline.rps.max(1.0));

    // Oversell check, straight from the database.
    let ids = hot.iter().map(|h| format!("'{}'", h.replace('\'', ""))).collect::<Vec<_>>().join(",");
    let rows = app
        .state
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT s.id::text AS id, s.capacity, s.booked,
                        (SELECT count(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'confirmed') AS confirmed,
                        (SELECT count(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'waitlisted') AS waiting,
                        (SELECT count(DISTINCT b.waitlist_seq) FROM bookings b WHERE b.session_id = s.id AND b.status = 'waitlisted') AS places
                 FROM sessions s WHERE s.id IN ({ids})"
            ),
        ))
        .await
        .expect("oversell check");
    let mut oversold = 0;
    for r in &rows {
        let (cap, booked): (i32, i32) = (r.try_get("", "capacity").expect("capacity"), r.try_get("", "booked").expect("booked"));
        let (confirmed, waiting, places): (i64, i64, i64) =
            (r.try_get("", "confirmed").expect("c"), r.try_get("", "waiting").expect("w"), r.try_get("", "places").expect("p"));
        println!(
            "hot session: capacity {cap}, seat counter {booked}, confirmed {confirmed}, waitlisted {waiting} with {places} distinct places"
        );
        assert_eq!(places, waiting, "every waiting child has its own place");
        if confirmed != i64::from(cap) || booked != cap {
            oversold += 1;
        }
    }
    assert_eq!(rows.len(), HOT);
    assert_eq!(oversold, 0, "a hot session is oversold or left a seat empty");
    println!("oversell: none (every hot session has exactly its capacity confirmed)");
}
