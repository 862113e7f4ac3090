//! `screenEligibility` against a trivial query of the same server, over HTTP and in-process.

use std::time::Instant;

use serde_json::{Value, json};

use crate::{
    Args,
    load::{load, load_wrk},
    server::start_server_with,
};

pub const SCREEN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt nextStep trace { condition result } } } }";

pub const SCREEN_LEAN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt missingFacts nextStep } } }";

const TRIVIAL: &str = "{ __typename }";

fn facts() -> Value {
    json!({
        "birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
        "residenceSince": "2025-02-01", "movedWithGuardian": true, "hasResidencePermit": true,
        "residencePermitSince": "2025-03-01", "enrolledInSchoolAtResidence": true, "meetsResidenceDibaoTest": false
    })
}

/// Registers `query` as a trusted document of the running server; the body that names it by hash.
pub fn trusted_body(state: &api::state::AppState, query: &str, variables: Option<Value>) -> Value {
    let doc = api::graphql::persisted::parse(query).expect("a trusted document parses");
    let hash = api::graphql::persisted::hash_of(query);
    state.trusted.add(hash.clone(), query.to_owned(), doc);
    let mut body = json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}});
    if let Some(v) = variables {
        body["variables"] = v;
    }
    body
}

/// Over HTTP: the trivial query and the lean screening, both as trusted documents sent by hash,
/// and the lean screening as text, in alternating rounds. With `wrk` installed it is the load
/// generator, in its own process, and each row carries the server's CPU µs per request;
/// otherwise in-process clients load the server (no CPU column).
pub async fn screening_scenario(a: &Args) {
    let (url, _stop, state) = start_server_with(None).await;
    let vars = json!({"i": facts()});
    let targets = [
        ("trivial, trusted document", trusted_body(&state, TRIVIAL, None)),
        ("lean screening, trusted document", trusted_body(&state, SCREEN_LEAN, Some(vars.clone()))),
        ("lean screening, text", json!({"query": SCREEN_LEAN, "variables": vars})),
    ];
    let wrk = crate::load::has_wrk();
    println!(
        "scenario `screening`: {} clients, {} s per target, {} rounds, server in-process on loopback, load by {}",
        a.clients,
        a.secs,
        a.rounds,
        if wrk { "wrk" } else { "in-process clients" }
    );
    println!("| round | target | req/s | p50 ms | p99 ms | requests | errors | server CPU µs/req |\n|---|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    for round in 1..=a.rounds {
        let mut reports = Vec::new();
        for (name, body) in &targets {
            let r = if wrk {
                load_wrk(name, &url, body, None, a.clients, a.secs).await
            } else {
                load(name, &url, body.clone(), a.clients, a.secs).await
            };
            print!("| {round} ");
            r.print();
            reports.push(r);
        }
        ratios.push((reports[1].cpu_us.zip(reports[0].cpu_us).map(|(l, t)| l / t), reports[1].rps / reports[0].rps.max(1.0)));
    }
    println!();
    for (i, (cpu, rps)) in ratios.iter().enumerate() {
        let cpu = cpu.map(|c| format!("{c:.2}×")).unwrap_or_else(|| "–".into());
        println!("round {}: lean screening / trivial (both trusted): server CPU per request {cpu}, req/s {:.1} %", i + 1, 100.0 * rps);
    }
}

/// `schema.execute` and serialisation alone, without HTTP, to find where a request's time goes.
pub async fn inprocess_scenario() {
    let (_, _, state) = start_server_with(None).await;
    {
        let f: domain::eligibility::Facts = serde_json::from_value(json!({"birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102", "residenceSince": "2025-02-01", "movedWithGuardian": true})).expect("facts");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).expect("day");
        let t = Instant::now();
        for _ in 0..2000 {
            let r = domain::eligibility::screen_with(
                &state.reference.policy,
                &state.reference.divisions(),
                &f,
                day,
                domain::eligibility::Lang::Zh,
                domain::eligibility::ScreenOptions { trace: false, plain: false, explain_scope: false },
            );
            assert!(r.is_ok());
        }
        println!("engine alone: {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / 2000.0);
    }
    // BENCH_FAST=1 runs the schema trusted documents run on once validated (no per-request
    // validation; see api::graphql::prevalidated).
    let fast = std::env::var("BENCH_FAST").is_ok();
    let builder = api::graphql::schema_builder().data(state);
    let schema = if fast { builder.validation_mode(async_graphql::ValidationMode::Fast) } else { builder }.finish();
    println!("schema validation: {}", if fast { "fast (trusted documents)" } else { "strict (texts)" });
    let facts: Value = json!({"birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102", "residenceSince": "2025-02-01", "movedWithGuardian": true});
    // BENCH_QUERY times one more query (variable `$i` holds the facts) to find where time goes.
    let extra = std::env::var("BENCH_QUERY").ok();
    let mut queries = vec![("trivial", "{ __typename }"), ("lean", SCREEN_LEAN), ("traces", SCREEN)];
    if let Some(q) = extra.as_deref() {
        queries.push(("BENCH_QUERY", q));
    }
    // BENCH_ONLY=lean (or trivial, traces, BENCH_QUERY) times one query alone, for profiles.
    if let Ok(only) = std::env::var("BENCH_ONLY") {
        queries.retain(|(name, _)| *name == only);
    }
    for (name, q) in queries {
        let vars = async_graphql::Variables::from_json(json!({"i": facts}));
        // As over HTTP, where parsed documents are cached (api::http::ParsedQueries).
        let doc = async_graphql::parser::parse_query(q).expect("query parses");
        let t = Instant::now();
        let n = 2000;
        for _ in 0..n {
            let mut req = async_graphql::Request::new(q).variables(vars.clone());
            req.set_parsed_query(doc.clone());
            let r = schema.execute(req).await;
            assert!(r.errors.is_empty(), "{:?}", r.errors);
            let _ = serde_json::to_vec(&r).unwrap_or_default();
        }
        println!("{name}: {:.1} µs per execute+serialize", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
}
