//! Submissions on PostgreSQL: `submitRequest` by guardians, then `claimRequest` and
//! `resolveRequest` by a caseworker, over HTTP with `wrk` in its own process, against `pgbench`
//! running the same statements (`bench/submit.sql`, `bench/claim.sql`, `bench/resolve.sql`) in
//! alternating rounds. A round files one request per child; resolving it frees the child for the
//! next round.

use std::{path::Path, time::Instant};

use api::auth::Role;
use integration_tests::TestApp;
use serde_json::json;

use crate::{Args, booking::families, pgbench, statements::StatementLog, writes, wrk_lines};

const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id status } }";
const CLAIM: &str = "mutation($id: ID!){ claimRequest(id: $id){ id status } }";
const RESOLVE: &str = "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"已安排至新华路小学\"){ id status } }";
const ROUNDS: usize = 4;
const DETAILS: &str = "孩子今年九月上小学";

fn submit_body(child: &str, key: &str) -> serde_json::Value {
    json!({"query": SUBMIT, "variables": {"i": {"childId": child, "entitlementCode": "school_enrolment", "details": DETAILS, "idempotencyKey": key}}})
}

fn script(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

pub async fn submit_scenario(a: &Args) {
    let n_families = std::env::var("BENCH_FAMILIES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let kids = std::env::var("BENCH_CHILDREN").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let app = writes::server("submission").await;
    let setup = Instant::now();
    let staff = app.staff("bench-edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let fams = families(&app, "submit", n_families, kids, "2019-03-10", "520102").await;
    let children: Vec<(usize, &String)> = (0..kids).flat_map(|k| fams.iter().enumerate().map(move |(f, fam)| (f, &fam.kids[k]))).collect();
    let (url, dbname, pool) = writes::database(&app).await;
    let dir = writes::scratch();
    exec(&pool, "CREATE TABLE bench_children (n int PRIMARY KEY, child_id uuid, guardian_id uuid)").await;
    let ids: Vec<String> = children.iter().map(|(_, c)| (*c).clone()).collect();
    sea_orm::sqlx::query(
        "INSERT INTO bench_children (n, child_id) SELECT t.n - 1, t.c::uuid FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n)",
    )
    .bind(&ids)
    .execute(&pool)
    .await
    .expect("children");
    exec(
        &pool,
        "UPDATE bench_children b SET guardian_id = m.account_id FROM children c JOIN household_members m ON m.household_id = c.household_id WHERE c.id = b.child_id",
    )
    .await;
    exec(&pool, "CREATE TABLE bench_requests (round int, n int, id uuid, PRIMARY KEY (round, n))").await;
    println!(
        "scenario `submit` on PostgreSQL: {n_families} families × {kids} children, one caseworker; {} connections; setup {:.1} s\n",
        a.clients,
        setup.elapsed().as_secs_f64()
    );
    let template = count_statements(&app, &pool, &dbname, &staff, &fams[0]).await;
    exec(&pool, "ANALYZE").await;

    writes::header("requests");
    let gql = app.url("/graphql");
    let mut rates: [(Vec<f64>, Vec<f64>); 3] = Default::default();
    let n = children.len();
    for round in 0..ROUNDS {
        let load = writes::load_average();
        let tag = format!("r{round}-");
        if round % 2 == 0 {
            let lines: String = children
                .iter()
                .enumerate()
                .map(|(i, (f, c))| wrk_lines::line(&fams[*f].token, &submit_body(c, &format!("{tag}{i}"))))
                .collect();
            let file = dir.join(format!("submit{round}.txt"));
            std::fs::write(&file, lines).expect("lines");
            let mut step = |k: usize, r: crate::load::Report, backend: f64| {
                writes::server_row(round, &r, backend, &load);
                rates[k].0.push(r.rps);
            };
            let b = pgbench::Backends::start(&pool, &dbname).await;
            let r = wrk_lines::run("submitRequest", &gql, &file, a.clients, a.secs).await;
            let cpu = b.finish(r.requests).await;
            step(0, r, cpu);
            let filed = filed(&pool, &tag).await;
            for (k, (name, q)) in [("claimRequest", CLAIM), ("resolveRequest", RESOLVE)].into_iter().enumerate() {
                let lines: String = filed.iter().map(|id| wrk_lines::line(&staff, &json!({"query": q, "variables": {"id": id}}))).collect();
                let file = dir.join(format!("{name}{round}.txt"));
                std::fs::write(&file, lines).expect("lines");
                let b = pgbench::Backends::start(&pool, &dbname).await;
                let r = wrk_lines::run(name, &gql, &file, a.clients, a.secs).await;
                let cpu = b.finish(r.requests).await;
                step(k + 1, r, cpu);
            }
        } else {
            let mut vars = template.clone();
            vars.extend([("round", round.to_string()), ("clients", a.clients.to_string()), ("k", "0".into()), ("tag", tag.clone())]);
            let r = pgbench::run("submit: same statements", &pool, &url, &script("submit.sql"), &vars, a.clients, n / a.clients).await;
            writes::pgbench_row(round, &r, &load);
            rates[0].1.push(r.report.rps);
            let filed = filed(&pool, &tag).await;
            sea_orm::sqlx::query("INSERT INTO bench_requests (round, n, id) SELECT $1, t.n - 1, t.i::uuid FROM unnest($2::text[]) WITH ORDINALITY AS t(i, n)")
                .bind(round as i32)
                .bind(&filed)
                .execute(&pool)
                .await
                .expect("requests");
            for (k, (name, file)) in
                [("claim: same statements", "claim.sql"), ("resolve: same statements", "resolve.sql")].into_iter().enumerate()
            {
                let r = pgbench::run(name, &pool, &url, &script(file), &vars, a.clients, filed.len() / a.clients).await;
                writes::pgbench_row(round, &r, &load);
                rates[k + 1].1.push(r.report.rps);
            }
        }
        // Whatever a round left open is closed, so every child can file again next round.
        exec(&pool, "UPDATE requests SET open_key = NULL WHERE open_key IS NOT NULL").await;
    }
    for (what, (s, p)) in ["submitRequest", "claimRequest", "resolveRequest"].iter().zip(&rates) {
        writes::ratio(what, s, p);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The lead requests filed in a round (their idempotency keys start with `tag`), oldest first.
async fn filed(pool: &sea_orm::sqlx::PgPool, tag: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sea_orm::sqlx::query_as("SELECT id::text FROM requests WHERE idempotency_key LIKE $1 || '%' AND kind = 'lead' ORDER BY id")
            .bind(tag)
            .fetch_all(pool)
            .await
            .expect("filed");
    rows.into_iter().map(|(i,)| i).collect()
}

async fn exec(pool: &sea_orm::sqlx::PgPool, sql: &'static str) {
    sea_orm::sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The statements of a submission, a claim and a resolution, from PostgreSQL's log (see
/// `statements.rs`); returns what the pgbench scripts insert as a request of the same shape.
async fn count_statements(
    app: &TestApp,
    pool: &sea_orm::sqlx::PgPool,
    dbname: &str,
    staff: &str,
    fam: &crate::booking::Family,
) -> Vec<(&'static str, String)> {
    let log = StatementLog::enable(pool, dbname).await;
    let logged = app.sibling().await;
    let from = log.mark().await;
    let r = logged.gql(Some(&fam.token), SUBMIT, submit_body(&fam.kids[0], "probe")["variables"].clone()).await;
    let id = r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("submit: {r}")).to_owned();
    crate::statements::print("submitRequest", &log.since(from).await);
    for (what, q) in [("claimRequest", CLAIM), ("resolveRequest", RESOLVE)] {
        let from = log.mark().await;
        let r = logged.gql(Some(staff), q, json!({"id": id})).await;
        assert!(r["errors"].is_null(), "{what}: {r}");
        crate::statements::print(what, &log.since(from).await);
    }
    log.disable(pool).await;
    println!();
    let (policy, outcome, trace, staff_id): (String, String, String, String) = sea_orm::sqlx::query_as(
        "SELECT policy_version, eligibility_outcome, eligibility_trace::text, assignee_id::text FROM requests WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(pool)
    .await
    .expect("template request");
    let (subject, body, event, params): (String, String, String, String) = sea_orm::sqlx::query_as(
        "SELECT subject, body, event, params FROM outbox WHERE child_id = $1::uuid AND event IS NOT NULL ORDER BY created_at, id LIMIT 1",
    )
    .bind(&fam.kids[0])
    .fetch_one(pool)
    .await
    .expect("template notice");
    vec![
        ("policy", policy),
        ("outcome", outcome),
        ("trace", trace),
        ("staff", staff_id),
        ("subject", subject),
        ("body", body),
        ("event", event),
        ("params", params),
    ]
}
