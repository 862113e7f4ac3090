//! Contended booking on PostgreSQL through `bookSession`.

use std::{sync::Arc, time::Instant};

use serde_json::{Value, json};

use crate::{Args, load::report};

const BOOK: &str = "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status waitlistPosition } }";

/// Contended booking on PostgreSQL: `clients` guardians book their children concurrently, first
/// each into a session of its own (the uncontended baseline), then all into a few hot sessions
/// whose seats run out, so every booking after that queues on the same rows. Each client books its
/// children one after another; a run ends when every child has booked once. The database is then
/// checked for oversell: confirmed bookings and the seat counter must equal capacity exactly.
pub async fn booking_scenario(a: &Args) {
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
    println!("| target | bookings/s | p50 ms | p99 ms | bookings | errors | server CPU µs/req |\n|---|---|---|---|---|---|---|");
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
