//! The department queue on one million requests, through GraphQL and by plain SQL.

use domain::lifecycle::request::RequestStatus;
use serde_json::json;

use crate::{
    Args,
    load::{load_auth, sql_load},
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
    println!("| round | target | req/s | p50 ms | p99 ms | requests | errors | server CPU µs/req |\n|---|---|---|---|---|---|---|---|");
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
        let row = |r: &crate::load::Report| {
            print!("| {round} ");
            r.print();
        };
        let g1 = load_auth("GraphQL queue, first page, trusted document", &gql_url, first_body.clone(), &auth, a.clients, a.secs).await;
        row(&g1);
        let s1 = sql_load("plain SQL, first page", &pool, first_sql, None, a.clients, a.secs).await;
        row(&s1);
        let g2 = load_auth("GraphQL queue, deep page, trusted document", &gql_url, deep_body.clone(), &auth, a.clients, a.secs).await;
        row(&g2);
        let s2 = sql_load("plain SQL, deep page", &pool, deep_sql, Some(deep), a.clients, a.secs).await;
        row(&s2);
        ratios.push((g1.rps / s1.rps.max(1.0), g2.rps / s2.rps.max(1.0)));
    }
    println!();
    for (i, (first, deep)) in ratios.iter().enumerate() {
        println!("round {}: GraphQL / plain SQL = {:.1} % (first page), {:.1} % (deep page)", i + 1, 100.0 * first, 100.0 * deep);
    }
}
