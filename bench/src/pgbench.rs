//! The plain-SQL baseline of the write benchmarks: `pgbench` running a script of the same
//! statements as the server, in its own process, plus the CPU of the PostgreSQL backends that
//! serve either side, read from `/proc/<pid>/stat` like the server's.

use std::{collections::HashMap, path::Path, time::Duration};

use sea_orm::sqlx::PgPool;

use crate::load::Report;

/// User plus system CPU of the children this process has waited for (`cutime` + `cstime` of
/// `/proc/self/stat`): after `pgbench` or `wrk` exits and is reaped, its CPU time is there.
pub fn reaped_children_cpu() -> Duration {
    crate::cpu::stat_cpu("self", 13).unwrap_or_default()
}

/// CPU of the PostgreSQL backends of one database over a run. Backends come and go (pgbench opens
/// its own), so they are sampled during the run; a backend's CPU is its last reading minus its
/// reading at the start (zero for one that appeared later).
pub struct Backends {
    pool: PgPool,
    database: String,
    base: HashMap<i32, Duration>,
    last: std::sync::Arc<std::sync::Mutex<HashMap<i32, Duration>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Backends {
    pub async fn start(pool: &PgPool, database: &str) -> Backends {
        // One connection of its own, excluded from the sum: a pool would alternate connections
        // and count one sampling query's CPU on the next sample.
        let pool = &sea_orm::sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_with(pool.connect_options().as_ref().clone())
            .await
            .expect("sampling connection");
        let base = sample(pool, database).await;
        let last = std::sync::Arc::new(std::sync::Mutex::new(base.clone()));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let (p, d, l) = (pool.clone(), database.to_owned(), last.clone());
        let task = tokio::spawn(async move {
            loop {
                let now = sample(&p, &d).await;
                if let Ok(mut m) = l.lock() {
                    m.extend(now);
                }
                tokio::select! {
                    _ = &mut rx => break,
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
        });
        Backends { pool: pool.clone(), database: database.to_owned(), base, last, stop: Some(tx), task: Some(task) }
    }

    /// Backend CPU µs per request since `start`.
    pub async fn finish(mut self, requests: usize) -> f64 {
        let end = sample(&self.pool, &self.database).await;
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        let mut last = self.last.lock().map(|m| m.clone()).unwrap_or_default();
        last.extend(end);
        let total: Duration = last.iter().map(|(pid, t)| t.saturating_sub(self.base.get(pid).copied().unwrap_or_default())).sum();
        total.as_secs_f64() * 1e6 / requests.max(1) as f64
    }
}

async fn sample(pool: &PgPool, database: &str) -> HashMap<i32, Duration> {
    let pids: Vec<(i32,)> = sea_orm::sqlx::query_as("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
        .bind(database)
        .fetch_all(pool)
        .await
        .unwrap_or_default();
    pids.into_iter().filter_map(|(p,)| Some((p, crate::cpu::stat_cpu(&p.to_string(), 11)?))).collect()
}

/// What one pgbench round measured.
pub struct Round {
    pub report: Report,
    /// pgbench's own CPU µs per transaction (the client side, for comparison with the server's).
    pub client_cpu_us: f64,
    pub backend_cpu_us: f64,
}

/// Runs `script` with pgbench against `url` (`postgres://…/db`): `clients` connections, prepared
/// statements (as sqlx sends them), `per_client` transactions each, with `vars` as `-D name=value`.
pub async fn run(name: &str, pool: &PgPool, url: &str, script: &Path, vars: &[(&str, String)], clients: usize, per_client: usize) -> Round {
    let database = url.rsplit_once('/').map(|(_, d)| d.to_owned()).unwrap_or_default();
    let mut args: Vec<String> = vec![
        "-n".into(),
        "-M".into(),
        "prepared".into(),
        format!("-c{clients}"),
        "-j2".into(),
        format!("-t{per_client}"),
        "-f".into(),
        script.display().to_string(),
    ];
    for (k, v) in vars {
        args.push("-D".into());
        args.push(format!("{k}={v}"));
    }
    args.push(url.to_owned());
    let backends = Backends::start(pool, &database).await;
    let before = reaped_children_cpu();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("pgbench").args(args).output())
        .await
        .expect("join")
        .expect("pgbench runs");
    let client = reaped_children_cpu().saturating_sub(before);
    let text = String::from_utf8_lossy(&out.stdout);
    let pick = |prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|r| r.split_whitespace().next())
            // "144/144" (processed of planned) counts the first number.
            .and_then(|v| v.split('/').next()?.parse().ok())
            .unwrap_or_else(|| panic!("pgbench printed no `{prefix}`: {text}\n{}", String::from_utf8_lossy(&out.stderr)))
    };
    let done = pick("number of transactions actually processed:") as usize;
    let failed = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("number of failed transactions:"))
        .and_then(|r| r.split_whitespace().next()?.parse().ok())
        .unwrap_or(0usize);
    let latency = pick("latency average =");
    let tps = pick("tps =");
    let backend_cpu_us = backends.finish(done).await;
    if !out.status.success() {
        eprintln!("pgbench: {}", String::from_utf8_lossy(&out.stderr));
    }
    let report = Report {
        name: format!("{name} (pgbench)"),
        requests: done,
        errors: failed,
        rps: tps,
        p50: Duration::from_secs_f64(latency / 1e3),
        p99: Duration::ZERO,
        cpu_us: None,
    };
    Round { report, client_cpu_us: client.as_secs_f64() * 1e6 / done.max(1) as f64, backend_cpu_us }
}
