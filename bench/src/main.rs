//! Load benchmarks of the Tongxin server. Each scenario measures its target and a baseline on the
//! same server in the same run, so the ratio is meaningful on any machine.
//!
//! Usage: `cargo run --release -p bench -- screening [--secs 10] [--clients 32] [--rounds 3]`
// async-graphql nests one future per level of the schema; the hand-resolved pages add levels.
#![recursion_limit = "256"]

mod booking;
mod cpu;
mod load;
mod pgbench;
mod queue;
mod screening;
mod server;
mod statements;
mod submit;
mod writes;
mod wrk_lines;

/// The server's allocator (see `api/src/main.rs`), so the in-process server is measured as deployed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub struct Args {
    pub scenario: String,
    pub secs: u64,
    pub clients: usize,
    /// Alternating rounds of the targets (screening and queue).
    pub rounds: usize,
}

fn args() -> Args {
    let mut a = Args { scenario: "screening".into(), secs: 10, clients: 32, rounds: 3 };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--secs" => a.secs = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.secs),
            "--clients" => a.clients = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.clients),
            "--rounds" => a.rounds = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.rounds),
            s => a.scenario = s.to_owned(),
        }
    }
    a
}

#[tokio::main]
async fn main() {
    let a = args();
    match a.scenario.as_str() {
        "screening" => screening::screening_scenario(&a).await,
        "queue" => queue::queue_scenario(&a).await,
        "booking" => booking::booking_scenario(&a).await,
        "submit" => submit::submit_scenario(&a).await,
        "inprocess" => screening::inprocess_scenario().await,
        "serve" => {
            // For an external load generator (bench/screening.sh drives it with wrk).
            let (url, _stop) = server::start_server().await;
            println!("serving {url}");
            std::future::pending::<()>().await;
        }
        other => eprintln!("unknown scenario `{other}` (known: screening, queue, booking, submit, inprocess, serve)"),
    }
}
