//! CPU time of a process from `/proc/<pid>/stat`. Requests per second move with whatever else
//! the two shared cores are doing; the server's CPU time per request holds steady, so the
//! benchmarks report both.

use std::time::Duration;

/// User plus system CPU time consumed so far by `pid` (`"self"` for this process).
pub fn cpu_time(pid: &str) -> Duration {
    stat_cpu(pid, 11).unwrap_or_else(|| panic!("/proc/{pid}/stat is unreadable"))
}

/// The CPU time in `/proc/<pid>/stat` from the two fields at `at` after the command name (11: the
/// process's own user and system time, 13: its reaped children's); `None` once it has exited.
pub fn stat_cpu(pid: &str, at: usize) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    let rest = stat.rsplit_once(')').map(|(_, r)| r)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(at..at + 2)?.iter().filter_map(|f| f.parse::<u64>().ok()).sum();
    Some(Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second()))
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Server CPU microseconds per request between two readings.
pub fn micros_per_request(before: Duration, after: Duration, requests: usize) -> f64 {
    (after.saturating_sub(before)).as_secs_f64() * 1e6 / requests.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_spent_some_cpu_after_working() {
        let before = cpu_time("self");
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(120) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        assert_ne!(x, 1);
        let after = cpu_time("self");
        assert!(after > before, "{before:?} → {after:?}");
        assert!(micros_per_request(before, after, 1000) > 0.0);
    }
}
