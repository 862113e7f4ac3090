//! What the write benchmarks (bookings, submissions) share: the bench database seen from plain
//! SQL, the load average beside each round, and one table row per round for either side.

use std::path::PathBuf;

use integration_tests::TestApp;
use sea_orm::sqlx::PgPool;

use crate::{load::Report, pgbench::Round};

/// The server under a write benchmark, on its own fresh PostgreSQL database: a pool of 20, no
/// login throttle for the many guardians, and no background workers (delivering the notices the
/// writes queue is not part of the request measured; nothing polls meanwhile).
pub async fn server(what: &str) -> TestApp {
    assert!(
        integration_tests::on_postgres(),
        "the {what} benchmark runs on PostgreSQL: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
    );
    TestApp::spawn_with(|c| {
        c.login_per_address_per_minute = 100_000;
        c.database_max_connections = Some(20);
        c.workers = false;
    })
    .await
}

/// The server's database URL and name, and a small pool of our own on it.
pub async fn database(app: &TestApp) -> (String, String, PgPool) {
    let url = app.state.config.database_url.clone();
    let name = url.rsplit_once('/').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let pool = sea_orm::sqlx::postgres::PgPoolOptions::new().max_connections(2).connect(&url).await.expect("bench pool");
    (url, name, pool)
}

/// The 1-minute load average (the machine is shared: a round means little without it).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| s.split_whitespace().next().map(str::to_owned)).unwrap_or_default()
}

/// A scratch directory for the request files of one run.
pub fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tongxin-writes-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

pub fn header(unit: &str) {
    println!(
        "| round | target | {unit}/s | p50 ms | p99 ms | {unit} | errors | server CPU µs | pgbench CPU µs | PG backends CPU µs | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
}

fn row(round: usize, r: &Report, pgbench_cpu: Option<f64>, backend_cpu: f64, load: &str) {
    let us = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "–".into());
    let p99 = if r.p99.is_zero() { "–".to_owned() } else { format!("{:.2}", r.p99.as_secs_f64() * 1e3) };
    println!(
        "| {round} | {} | {:.0} | {:.2} | {p99} | {} | {} | {} | {} | {backend_cpu:.0} | {load} |",
        r.name,
        r.rps,
        r.p50.as_secs_f64() * 1e3,
        r.requests,
        r.errors,
        us(r.cpu_us),
        us(pgbench_cpu),
    );
}

/// One round through the server (wrk, server CPU) with the backends' CPU.
pub fn server_row(round: usize, r: &Report, backend_cpu: f64, load: &str) {
    row(round, r, None, backend_cpu, load);
}

/// One pgbench round (its p50 column is pgbench's average latency).
pub fn pgbench_row(round: usize, r: &Round, load: &str) {
    row(round, &r.report, Some(r.client_cpu_us), r.backend_cpu_us, load);
}

/// Alternating rounds: the server's rate over pgbench's, each side summed over its rounds.
pub fn ratio(what: &str, server: &[f64], pgbench: &[f64]) {
    let (s, p) = (server.iter().sum::<f64>() / server.len().max(1) as f64, pgbench.iter().sum::<f64>() / pgbench.len().max(1) as f64);
    println!("\n{what}: server {s:.0}/s, pgbench {p:.0}/s, ratio {:.1} %", 100.0 * s / p.max(1.0));
}
