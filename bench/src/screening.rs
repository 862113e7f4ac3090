//! `screenEligibility` against a trivial query of the same server, over HTTP and in-process.

use std::time::Instant;

use serde_json::{Value, json};

use crate::{Args, load::load, server::start_server_with};

pub const SCREEN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt nextStep trace { condition result } } } }";

pub const SCREEN_LEAN: &str = "query($i: ScreeningInput!){ screenEligibility(input: $i, asOf: \"2026-09-01\"){ scope { outcome } entitlements { code outcome handledAt missingFacts nextStep } } }";

/// Over HTTP, with in-process clients: the trivial query, then screening with and without traces.
pub async fn screening_scenario(a: &Args, url: &str) {
    let trivial = load("trivial `{ __typename }`", url, json!({"query": "{ __typename }"}), a.clients, a.secs).await;
    trivial.print();
    let facts: Value = json!({
        "birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
        "residenceSince": "2025-02-01", "movedWithGuardian": true, "hasResidencePermit": true,
        "residencePermitSince": "2025-03-01", "enrolledInSchoolAtResidence": true, "meetsResidenceDibaoTest": false
    });
    let screen = load(
        "screenEligibility (all entitlements with traces)",
        url,
        json!({"query": SCREEN, "variables": {"i": facts}}),
        a.clients,
        a.secs,
    )
    .await;
    screen.print();
    let lean = load(
        "screenEligibility (outcomes, missing facts, next steps)",
        url,
        json!({"query": SCREEN_LEAN, "variables": {"i": facts}}),
        a.clients,
        a.secs,
    )
    .await;
    lean.print();
    println!("\nratio with traces / trivial = {:.1} %", 100.0 * screen.rps / trivial.rps.max(1.0));
    println!("ratio without traces / trivial = {:.1} %", 100.0 * lean.rps / trivial.rps.max(1.0));
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
                domain::eligibility::ScreenOptions { trace: false, plain: false },
            );
            assert!(r.is_ok());
        }
        println!("engine alone: {:.1} µs", t.elapsed().as_secs_f64() * 1e6 / 2000.0);
    }
    let schema = api::graphql::schema_builder().data(state).finish();
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
