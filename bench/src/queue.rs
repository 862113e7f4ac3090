//! The department queue on one million requests, through GraphQL and by plain SQL.

use domain::lifecycle::request::RequestStatus;
use serde_json::json;

use crate::{
    Args,
    cpu::{cpu_time, micros_per_request},
    load::{Report, load_auth, sql_load},
    pgbench::{Backends, reaped_children_cpu},
    server::start_server_with,
};

const QUEUE: &str = "query($a: String){ queue(first: 20, after: $a){ edges { cursor node { id entitlementCode status dueAt } } pageInfo { hasNextPage } } }";

/// One million requests over Guizhou's counties and six departments on PostgreSQL; one county
/// queue's first page and a page deep in it, through GraphQL and by plain SQL.
/// States as an SQL list (`'routed','claimed',…`), named by `domain::lifecycle`, the one source
/// of the stored names.
fn sql_list(states: &[RequestStatus]) -> String {
    states.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(",")
}

pub async fn queue_scenario(a: &Args) {
    let open = sql_list(&RequestStatus::OPEN);
    let generated = sql_list(&[RequestStatus::OPEN.as_slice(), &[RequestStatus::Granted]].concat());
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
                    (ARRAY[{generated}])[1 + (g / 7) % 5], 0, 'bench', 'guizhou-2025', 'ELIGIBLE', false,
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
            format!(
                "SELECT count(*) AS n FROM requests WHERE department_code = 'education' AND region_code = '520102' AND status IN ({open})"
            ),
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
                format!("SELECT due_at, id FROM requests WHERE department_code = 'education' AND region_code = '520102' AND status IN ({open}) ORDER BY due_at, id OFFSET {deep_at} LIMIT 1"),
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
    println!(
        "queue education@520102: {rows} open requests; deep page after row {deep_at}; {} clients, {} s per target, {} rounds\n",
        a.clients, a.secs, a.rounds
    );
    println!(
        "| round | target | req/s | p50 ms | p99 ms | requests | errors | server (or SQL client) CPU µs/req | PG backends CPU µs/req | wrk CPU µs/req |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    let auth = format!("Bearer {}", tokens.access_token);
    // The page as the console sends it: a trusted document, by hash.
    let first_body = crate::screening::trusted_body(&state, QUEUE, None);
    let deep_body = crate::screening::trusted_body(&state, QUEUE, Some(json!({"a": cursor})));
    // Leaked once: the load runner's workers hold the statement for the whole run.
    let first_sql: &'static str = format!(
        "SELECT * FROM requests WHERE department_code = $1 AND region_code = $2 AND status IN ({open}) ORDER BY due_at, id LIMIT 21"
    )
    .leak();
    let deep_sql: &'static str = format!(
        "SELECT * FROM requests WHERE department_code = $1 AND region_code = $2 AND status IN ({open}) AND (due_at, id) > ($3, $4) ORDER BY due_at, id LIMIT 21"
    )
    .leak();
    // The server's pool settings: 20 connections, each pinged as it is checked out (api::db).
    let pool =
        sea_orm::sqlx::postgres::PgPoolOptions::new().max_connections(20).test_before_acquire(true).connect(&url).await.expect("pool");
    let mut ratios = Vec::new();
    for round in 1..=a.rounds {
        let row = |(r, pg, wrk): &(Report, f64, f64)| {
            print!("| {round} ");
            r.print_with(&format!("{pg:.0} | {wrk:.0}"));
        };
        let g1 = with_backends(
            &pool,
            name,
            load_auth("GraphQL queue, first page, trusted document", &gql_url, first_body.clone(), &auth, a.clients, a.secs),
        )
        .await;
        row(&g1);
        let s1 = with_backends(&pool, name, sql_measured("plain SQL, first page", &pool, first_sql, None, a)).await;
        row(&s1);
        let g2 = with_backends(
            &pool,
            name,
            load_auth("GraphQL queue, deep page, trusted document", &gql_url, deep_body.clone(), &auth, a.clients, a.secs),
        )
        .await;
        row(&g2);
        let s2 = with_backends(&pool, name, sql_measured("plain SQL, deep page", &pool, deep_sql, Some(deep), a)).await;
        row(&s2);
        ratios.push((g1.0.rps / s1.0.rps.max(1.0), g2.0.rps / s2.0.rps.max(1.0)));
    }
    println!();
    for (i, (first, deep)) in ratios.iter().enumerate() {
        println!("round {}: GraphQL / plain SQL = {:.1} % (first page), {:.1} % (deep page)", i + 1, 100.0 * first, 100.0 * deep);
    }
}

/// A load run with the CPU its database's PostgreSQL backends and its load generator spent per
/// request: the server and the plain-SQL loop send the same statement, and the two cores are
/// shared, so what each side costs PostgreSQL and `wrk` belongs beside what it costs its client.
/// `wrk` is this process's only child, so the children's CPU reaped during the run is its own (0
/// for the plain-SQL loop, which has none).
async fn with_backends(pool: &sea_orm::sqlx::PgPool, database: &str, run: impl Future<Output = Report>) -> (Report, f64, f64) {
    let backends = Backends::start(pool, database).await;
    let before = reaped_children_cpu();
    let r = run.await;
    let wrk = micros_per_request(before, reaped_children_cpu(), r.requests);
    let pg = backends.finish(r.requests).await;
    (r, pg, wrk)
}

/// The plain-SQL loop with its own CPU per request (this process serves no requests meanwhile),
/// the counterpart of the server's CPU column.
async fn sql_measured(
    what: &str,
    pool: &sea_orm::sqlx::PgPool,
    sql: &'static str,
    after: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
    a: &Args,
) -> Report {
    let before = cpu_time("self");
    let mut r = sql_load(what, pool, sql, after, a.clients, a.secs).await;
    r.cpu_us = Some(micros_per_request(before, cpu_time("self"), r.requests));
    r
}
