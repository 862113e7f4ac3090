//! `wrk` in its own process posting a different request each time: writes cannot repeat one body
//! (a child books a session once, a key files one request). The requests are lines of a file,
//! `token<TAB>json body`; wrk's two threads take alternate lines, in order. A response carrying
//! GraphQL `errors` (HTTP 200) counts as an error. A thread that runs out of lines stops, and the
//! run's time is the time until then.

use std::{path::Path, time::Duration};

use crate::load::Report;

/// One request of a write benchmark: the caller's bearer token and the GraphQL body.
pub fn line(token: &str, body: &serde_json::Value) -> String {
    format!("{token}\t{body}\n")
}

const SCRIPT: &str = r#"
local file, nthreads = "FILE", 2
local threads, next_id = {}, 0
local function now() local p = io.popen("date +%s.%N"); local t = tonumber(p:read("*l")); p:close(); return t end
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  lines, i, bad, extra, t_end = {}, 0, 0, 0, 0
  local n = 0
  for l in io.lines(file) do
    if n % nthreads == tid then table.insert(lines, l) end
    n = n + 1
  end
  t0 = now()
end
function request()
  i = i + 1
  local l = lines[i]
  if l == nil then
    -- Out of lines: the thread's time ends here; what is still sent repeats the last line.
    extra = extra + 1
    if t_end == 0 then t_end = now(); wrk.thread:stop() end
    l = lines[#lines]
  end
  local tab = l:find("\t", 1, true)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. l:sub(1, tab - 1)}, l:sub(tab + 1))
end
function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b, x, secs = 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad"); x = x + t:get("extra")
    if t:get("t_end") > 0 then secs = math.max(secs, t:get("t_end") - t:get("t0")) end
  end
  if secs == 0 then secs = summary.duration / 1e6 end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %d %d %d %d\n", summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    secs, latency:percentile(50), latency:percentile(99), b, x))
end
"#;

/// Posts the lines of `lines` to `url` with `clients` connections for `secs` seconds, and reads
/// this process's CPU before and after: the server must be the only thing it runs meanwhile.
pub async fn run(name: &str, url: &str, lines: &Path, clients: usize, secs: u64) -> Report {
    let script = lines.with_extension("lua");
    std::fs::write(&script, SCRIPT.replace("FILE", &lines.display().to_string())).expect("wrk script");
    let args = vec![
        "-t2".to_owned(),
        format!("-c{clients}"),
        format!("-d{secs}s"),
        "--latency".into(),
        "-s".into(),
        script.display().to_string(),
        url.to_owned(),
    ];
    let cpu_before = crate::cpu::cpu_time("self");
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new("wrk").args(args).output()).await.expect("join").expect("wrk runs");
    let cpu_after = crate::cpu::cpu_time("self");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("wrk printed no result: {text}{}", String::from_utf8_lossy(&out.stderr)));
    let f: Vec<f64> = line.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    let us = |v: f64| Duration::from_micros(v as u64);
    // Requests sent after a thread ran out of lines repeat its last one and fail: not counted.
    let extra = f[6] as usize;
    let requests = (f[0] as usize).saturating_sub(extra);
    let errors = (f[1] as usize + f[5] as usize).saturating_sub(extra);
    Report {
        name: format!("{name} (wrk)"),
        requests,
        errors,
        rps: requests.saturating_sub(errors) as f64 / f[2],
        p50: us(f[3]),
        p99: us(f[4]),
        cpu_us: Some(crate::cpu::micros_per_request(cpu_before, cpu_after, f[0] as usize)),
    }
}
