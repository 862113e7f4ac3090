//! Load benchmarks of the Tongxin server. Each scenario measures its target and a baseline on the
//! same server in the same run, so the ratio is meaningful on any machine.
//!
//! Usage: `cargo run --release -p bench -- screening [--secs 10] [--clients 32]`

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

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
    let body = Arc::new(serde_json::to_vec(&body).unwrap_or_default());
    // Check one response for GraphQL errors: they come with HTTP 200.
    let sample: Value = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.as_ref().clone())
        .send()
        .await
        .expect("server reachable")
        .json()
        .await
        .expect("json");
    assert!(sample.get("errors").is_none(), "{name}: sample response has errors: {sample}");
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
                    let ok = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.as_ref().clone())
                        .send()
                        .await
                        .map(|r| r.status().is_success());
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
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    Report { name: name.to_owned(), requests: all.len(), errors, rps: all.len() as f64 / elapsed, p50: pct(0.50), p99: pct(0.99) }
}

async fn start_server() -> (String, tokio::sync::oneshot::Sender<()>) {
    let dir = std::env::temp_dir().join(format!("tongxin-bench-{}", uuid::Uuid::new_v4().simple()));
    let mut config = api::config::Config::development();
    config.environment = api::config::Environment::Test;
    config.database_url = std::env::var("BENCH_DATABASE_URL").unwrap_or(format!("sqlite://{}/b.db?mode=rwc", dir.display()));
    config.policy_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy").into();
    config.mail_dir = dir.join("mail");
    let state = api::build_state(config, None).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(api::serve(state, listener, async move {
        let _ = rx.await;
    }));
    (url, tx)
}

const SCREEN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt nextStep trace { condition result } } } }";

#[tokio::main]
async fn main() {
    let a = args();
    let (url, _stop) = start_server().await;
    println!("scenario `{}`: {} clients, {} s each, server in-process on loopback", a.scenario, a.clients, a.secs);
    println!("| target | req/s | p50 ms | p99 ms | requests | errors |\n|---|---|---|---|---|---|");
    match a.scenario.as_str() {
        "screening" => {
            let trivial = load("trivial `{ __typename }`", &url, json!({"query": "{ __typename }"}), a.clients, a.secs).await;
            trivial.print();
            let facts = json!({
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
            println!("\nratio screenEligibility / trivial = {:.1} %", 100.0 * screen.rps / trivial.rps.max(1.0));
        }
        other => eprintln!("unknown scenario `{other}` (known: screening)"),
    }
}
