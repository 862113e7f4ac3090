//! Load generators: in-process HTTP clients, `wrk` in its own process, and plain SQL, each
//! reporting throughput and latency percentiles the same way so rows of one table compare.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::Value;

/// Throughput and latency of one load run.
pub struct Report {
    pub name: String,
    pub requests: usize,
    pub errors: usize,
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Server CPU µs per request, when the server is the only thing this process runs (the load
    /// generator is `wrk`, in its own process).
    pub cpu_us: Option<f64>,
}

impl Report {
    /// One row of the scenario's table.
    pub fn print(&self) {
        self.print_with("");
    }

    /// One row with further columns (`extra` without its leading `|`; empty for none).
    pub fn print_with(&self, extra: &str) {
        let extra = if extra.is_empty() { String::new() } else { format!(" {extra} |") };
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {} | {} |{extra}",
            self.name,
            self.rps,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.requests,
            self.errors,
            self.cpu_us.map(|us| format!("{us:.0}")).unwrap_or_else(|| "–".into())
        );
    }
}

/// Runs `clients` concurrent loops posting `body` for `secs` seconds.
pub async fn load(name: &str, url: &str, body: Value, clients: usize, secs: u64) -> Report {
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap_or_default();
    load_with(name, client, url, body, clients, secs).await
}

pub async fn load_with(name: &str, client: reqwest::Client, url: &str, body: Value, clients: usize, secs: u64) -> Report {
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
pub async fn check_sample(name: &str, client: &reqwest::Client, url: &str, body: Vec<u8>) {
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

pub fn report(name: &str, mut all: Vec<Duration>, errors: usize, elapsed: f64) -> Report {
    all.sort();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default();
    Report {
        name: name.to_owned(),
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        cpu_us: None,
    }
}

/// Loads `url` with an authorised POST: with `wrk` in a separate process when it is installed (a C
/// load generator costs the shared cores far less than an in-process HTTP client), else in-process.
pub async fn load_auth(name: &str, url: &str, body: Value, auth: &str, clients: usize, secs: u64) -> Report {
    if has_wrk() {
        return load_wrk(name, url, &body, Some(auth), clients, secs).await;
    }
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, auth.parse().expect("header"));
    let client = reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(clients).build().unwrap_or_default();
    load_with(name, client, url, body, clients, secs).await
}

/// Whether `wrk` is installed.
pub fn has_wrk() -> bool {
    std::process::Command::new("wrk").arg("--version").output().is_ok()
}

/// Loads `url` with `wrk` in its own process; the CPU this process spends meanwhile is the
/// in-process server's, per request in `cpu_us`. `auth` is the `Authorization` header, if any.
pub async fn load_wrk(name: &str, url: &str, body: &Value, auth: Option<&str>, clients: usize, secs: u64) -> Report {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(auth) = auth {
        headers.insert(reqwest::header::AUTHORIZATION, auth.parse().expect("header"));
    }
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap_or_default();
    check_sample(name, &client, url, serde_json::to_vec(body).unwrap_or_default()).await;
    let dir = std::env::temp_dir().join(format!("tongxin-wrk-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let body_file = dir.join("body.json");
    std::fs::write(&body_file, serde_json::to_vec(body).unwrap_or_default()).expect("body");
    let script = format!(
        r#"wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth_line}
local f = io.open("{}"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %d %d\n", summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99)))
end
"#,
        body_file.display(),
        auth_line = auth.map(|a| format!(r#"wrk.headers["Authorization"] = "{a}""#)).unwrap_or_default(),
    );
    let script_file = dir.join("load.lua");
    std::fs::write(&script_file, script).expect("script");
    let args = vec!["-t2".to_owned(), format!("-c{clients}"), format!("-d{secs}s"), "--latency".into(), "-s".into()];
    let (script_arg, url_arg) = (script_file.clone(), url.to_owned());
    let cpu_before = crate::cpu::cpu_time("self");
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("wrk").args(args).arg(script_arg).arg(url_arg).output())
        .await
        .expect("join")
        .expect("wrk runs");
    let cpu_after = crate::cpu::cpu_time("self");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find_map(|l| l.strip_prefix("RESULT ")).unwrap_or_else(|| panic!("wrk printed no result: {text}"));
    let f: Vec<f64> = line.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    let us = |v: f64| Duration::from_micros(v as u64);
    Report {
        name: format!("{name} (wrk)"),
        requests: f[0] as usize,
        errors: f[1] as usize,
        rps: f[0] / f[2],
        p50: us(f[3]),
        p99: us(f[4]),
        cpu_us: Some(crate::cpu::micros_per_request(cpu_before, cpu_after, f[0] as usize)),
    }
}

pub async fn sql_load(
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
