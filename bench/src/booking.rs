//! Contended booking on PostgreSQL: `bookSession` over HTTP, driven by `wrk` in its own process,
//! against `pgbench` running the same statements (`bench/booking.sql`) on the same kind of rows,
//! in alternating rounds; then the database is checked (no oversell, waiting places 1…n each
//! once) and a burst of 200 families on one session of 10 seats is timed.

use std::time::Instant;

use domain::lifecycle::booking::BookingStatus;
use futures::StreamExt;
use integration_tests::{TestApp, fixtures};
use serde_json::{Value, json};

use crate::{Args, pgbench, statements::StatementLog, writes, wrk_lines};

const BOOK: &str = "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status waitlistPosition } }";
/// Sessions booked together in a round: consecutive requests go to these, so they contend.
const HOT: usize = 4;
const HOT_CAPACITY: i32 = 50;
const ROUNDS: usize = 4;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub struct Family {
    pub token: String,
    pub kids: Vec<String>,
}

/// `n` guardians with `kids` children each, made through the public API, 16 at a time.
pub async fn families(app: &TestApp, tag: &str, n: usize, kids: usize, birth: &'static str, hukou: &'static str) -> Vec<Family> {
    futures::stream::iter(0..n)
        .map(|i| async move {
            let token = app.guardian(&format!("bench-{tag}{i}@example.org")).await;
            let mut v = Vec::with_capacity(kids);
            for _ in 0..kids {
                v.push(app.child(&token).born(birth).hukou(hukou).lives_in("520102").await);
            }
            Family { token, kids: v }
        })
        .buffered(16)
        .collect()
        .await
}

pub async fn booking_scenario(a: &Args) {
    let (n_families, kids, groups) = (env("BENCH_FAMILIES", 200), env("BENCH_CHILDREN", 7), env("BENCH_GROUPS", 10));
    let app = writes::server("booking").await;
    let setup = Instant::now();
    let (staff, _, loc) = fixtures::verified_org(&app, "bench-org@org.cn", 901).await;
    let svc = fixtures::service(&app, &staff, &loc, "READING", "cultural_services", (6, 12)).await;
    let hot: Vec<Vec<String>> = futures::future::join_all(
        (0..ROUNDS).map(|_| futures::future::join_all((0..groups * HOT).map(|_| fixtures::session(&app, &staff, &svc, 5, HOT_CAPACITY)))),
    )
    .await;
    let (probe, burst) = (fixtures::session(&app, &staff, &svc, 5, 1).await, fixtures::session(&app, &staff, &svc, 5, 10).await);
    let fams = families(&app, "family", n_families, kids, "2018-05-01", "520304").await;
    // Children interleaved across families; a round books every child into each of its HOT
    // sessions of a group, group after group.
    let children: Vec<(usize, &String)> = (0..kids).flat_map(|k| fams.iter().enumerate().map(move |(f, fam)| (f, &fam.kids[k]))).collect();
    let pairs = |round: usize| -> Vec<(usize, String, String)> {
        let hot = &hot[round];
        (0..groups)
            .flat_map(|g| children.iter().flat_map(move |&(f, c)| (0..HOT).map(move |j| (f, c.clone(), hot[g * HOT + j].clone()))))
            .collect()
    };
    let (url, dbname, pool) = writes::database(&app).await;
    let dir = writes::scratch();
    sqlx_exec(
        &pool,
        "CREATE TABLE bench_pairs (round int, n int, child_id uuid, session_id uuid, guardian_id uuid, PRIMARY KEY (round, n))",
    )
    .await;
    for round in 0..ROUNDS {
        let (c, s): (Vec<String>, Vec<String>) = pairs(round).into_iter().map(|(_, c, s)| (c, s)).unzip();
        sea_orm::sqlx::query(
            "INSERT INTO bench_pairs (round, n, child_id, session_id)
             SELECT $1, t.n - 1, t.c::uuid, t.s::uuid FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(c, s, n)",
        )
        .bind(round as i32)
        .bind(c)
        .bind(s)
        .execute(&pool)
        .await
        .expect("pairs");
        let lines: String = pairs(round)
            .into_iter()
            .map(|(f, c, s)| wrk_lines::line(&fams[f].token, &json!({"query": BOOK, "variables": {"s": s, "c": c}})))
            .collect();
        std::fs::write(dir.join(format!("round{round}.txt")), lines).expect("lines");
    }
    sqlx_exec(
        &pool,
        "UPDATE bench_pairs p SET guardian_id = m.account_id FROM children c JOIN household_members m ON m.household_id = c.household_id WHERE c.id = p.child_id",
    )
    .await;
    sqlx_exec(&pool, "ANALYZE").await;
    let per_round = children.len() * HOT * groups;
    println!(
        "scenario `booking` on PostgreSQL: {n_families} families × {kids} children; per round {groups} groups of {HOT} hot sessions of {HOT_CAPACITY} seats, \
         {per_round} bookings prepared; {} connections; setup {:.1} s\n",
        a.clients,
        setup.elapsed().as_secs_f64()
    );
    count_statements(&app, &pool, &dbname, &probe, &fams[0]).await;

    writes::header("bookings");
    let script = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/booking.sql"));
    let (mut server, mut sql) = (Vec::new(), Vec::new());
    let gql = app.url("/graphql");
    for round in 0..ROUNDS {
        let load = writes::load_average();
        if round % 2 == 0 {
            let backends = pgbench::Backends::start(&pool, &dbname).await;
            let r = wrk_lines::run("contended bookSession", &gql, &dir.join(format!("round{round}.txt")), a.clients, a.secs).await;
            writes::server_row(round, &r, backends.finish(r.requests).await, &load);
            server.push(r.rps);
        } else {
            let vars = [("round", round.to_string()), ("clients", a.clients.to_string()), ("k", "0".into())];
            let r = pgbench::run("same statements", &pool, &url, script, &vars, a.clients, per_round / a.clients).await;
            writes::pgbench_row(round, &r, &load);
            sql.push(r.report.rps);
        }
    }
    writes::ratio("contended booking", &server, &sql);
    check_sessions(&pool, &hot.concat()).await;
    burst_of_families(&app, &pool, &burst, &fams).await;
    let _ = std::fs::remove_dir_all(&dir);
}

async fn sqlx_exec(pool: &sea_orm::sqlx::PgPool, sql: &'static str) {
    sea_orm::sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The statements of a confirmed and of a waitlisted booking, from PostgreSQL's log, through a
/// second server whose fresh connections log every statement.
async fn count_statements(app: &TestApp, pool: &sea_orm::sqlx::PgPool, dbname: &str, probe: &str, fam: &Family) {
    let log = StatementLog::enable(pool, dbname).await;
    let logged = app.sibling().await;
    for (what, child) in [("confirmed booking", &fam.kids[0]), ("waitlisted booking", &fam.kids[1])] {
        let from = log.mark().await;
        let r = logged.gql(Some(&fam.token), BOOK, json!({"s": probe, "c": child})).await;
        assert!(r["data"]["bookSession"]["status"].is_string(), "{r}");
        crate::statements::print(what, &log.since(from).await);
    }
    log.disable(pool).await;
    println!();
}

/// Capacity, seat counter, confirmed, waiting, distinct places, lowest and highest place, and the
/// session's waiting-list counter.
type SessionCheck = (i32, i32, i64, i64, i64, Option<i64>, Option<i64>, i64);

/// Every hot session: seat counter and confirmed bookings both at capacity, and the waiting
/// children holding places 1…n, each once.
async fn check_sessions(pool: &sea_orm::sqlx::PgPool, ids: &[String]) {
    let (confirmed, waitlisted) = (BookingStatus::Confirmed.as_str(), BookingStatus::Waitlisted.as_str());
    let sql = format!(
        "SELECT s.capacity, s.booked,
                count(*) FILTER (WHERE b.status = '{confirmed}'),
                count(*) FILTER (WHERE b.status = '{waitlisted}'),
                count(DISTINCT b.waitlist_seq) FILTER (WHERE b.status = '{waitlisted}'),
                min(b.waitlist_seq) FILTER (WHERE b.status = '{waitlisted}'),
                max(b.waitlist_seq) FILTER (WHERE b.status = '{waitlisted}'),
                s.waitlist_last
           FROM sessions s LEFT JOIN bookings b ON b.session_id = s.id
          WHERE s.id = ANY($1::text[]::uuid[]) GROUP BY s.id"
    );
    // Built from the domain's state names, not from input.
    let rows: Vec<SessionCheck> =
        sea_orm::sqlx::query_as(sea_orm::sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(pool).await.expect("check");
    let (mut booked_sessions, mut confirmed, mut waiting) = (0, 0, 0);
    for (cap, booked, conf, wait, places, lo, hi, last) in &rows {
        if *conf == 0 && *wait == 0 {
            continue; // a group no round reached
        }
        booked_sessions += 1;
        assert!(
            booked <= cap && *conf == i64::from(*booked),
            "oversold or counter off: capacity {cap}, counter {booked}, confirmed {conf}"
        );
        if *wait > 0 {
            assert_eq!(*booked, *cap, "a child waits while a seat is free");
            assert_eq!((*places, *lo, *hi, *last), (*wait, Some(1), Some(*wait), *wait), "waiting places are not 1…n each once");
        }
        confirmed += conf;
        waiting += wait;
    }
    println!(
        "\nchecked in the database: {booked_sessions} sessions booked, {confirmed} confirmed (never above capacity, counter equal), \
         {waiting} waiting with places 1…n each once"
    );
}

/// 200 families (one child each) book one session of 10 seats at the same moment.
async fn burst_of_families(app: &TestApp, pool: &sea_orm::sqlx::PgPool, session: &str, fams: &[Family]) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(fams.len()).build().unwrap_or_default();
    let url = app.url("/graphql");
    let start = Instant::now();
    let answers = futures::future::join_all(fams.iter().map(|f| {
        let (client, url) = (client.clone(), url.clone());
        let body = json!({"query": BOOK, "variables": {"s": session, "c": f.kids.last()}});
        async move {
            let t = Instant::now();
            let v: Value = client.post(&url).bearer_auth(&f.token).json(&body).send().await.ok()?.json().await.ok()?;
            v["data"]["bookSession"]["status"].as_str().map(|s| (s.to_owned(), t.elapsed()))
        }
    }))
    .await;
    let all = start.elapsed();
    let ok: Vec<_> = answers.into_iter().flatten().collect();
    let r = crate::load::report("burst", ok.iter().map(|(_, d)| *d).collect(), fams.len() - ok.len(), all.as_secs_f64());
    let confirmed = ok.iter().filter(|(s, _)| s == "CONFIRMED").count();
    println!(
        "\nburst: {} families on one session of 10 seats: all answered in {:.0} ms, p50 {:.0} ms, p99 {:.0} ms, {} errors; {confirmed} confirmed, {} waitlisted (load avg {})",
        fams.len(),
        all.as_secs_f64() * 1e3,
        r.p50.as_secs_f64() * 1e3,
        r.p99.as_secs_f64() * 1e3,
        r.errors,
        ok.len() - confirmed,
        writes::load_average()
    );
    check_sessions(pool, &[session.to_owned()]).await;
}
