//! Documents are measured before they are validated: a fragment bomb, an endless text or a
//! document of aliased mutations is refused at once with `VALIDATION` on `query`, and the server
//! keeps answering others meanwhile.

use std::time::{Duration, Instant};

use integration_tests::{TestApp, code, field};
use serde_json::json;

/// A document whose fragment `F{levels}` spreads `F{levels-1}` twice, and so on: 2^levels
/// expansions of `F0` from about 40 bytes a level.
pub fn bomb(levels: usize) -> String {
    let mut q = format!("{{ departments {{ ...F{levels} }} }}\nfragment F0 on Department {{ code name }}\n");
    for i in 1..=levels {
        q.push_str(&format!("fragment F{i} on Department {{ ...F{p} ...F{p} }}\n", p = i - 1));
    }
    q
}

/// Expanded, this document is 2^26 (67 million) copies of `F0`: minutes of work and gigabytes.
/// Measured first, it is refused in milliseconds on an idle machine; the bound is loose because
/// the suite runs on two busy cores, and still a thousand times below the expansion.
#[tokio::test]
async fn a_fragment_bomb_is_refused_before_it_is_expanded() {
    let app = TestApp::spawn().await;
    let q = bomb(26);
    assert!(q.len() < 1300, "about 1 KB");
    let started = Instant::now();
    let r = app.gql_lang(None, "en", &q, json!({})).await;
    let took = started.elapsed();
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "query"), "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap_or_default().contains("expanded"), "{r}");
    assert!(took < Duration::from_secs(2), "answered in {took:?}");
}

#[tokio::test]
async fn a_fragment_bomb_in_a_get_url_is_refused_too() {
    let app = TestApp::spawn().await;
    let resp = app.http().get(app.url("/graphql")).query(&[("query", bomb(16))]).send().await.expect("get");
    let r: serde_json::Value = resp.json().await.expect("json");
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "query"), "{r}");
}

#[tokio::test]
async fn health_answers_while_ten_bombs_arrive_at_once() {
    let app = TestApp::spawn().await;
    let q = bomb(26);
    let bombs: Vec<_> = (0..10)
        .map(|_| {
            let (client, url, q) = (app.http().clone(), app.url("/graphql"), q.clone());
            tokio::spawn(async move {
                let r: serde_json::Value =
                    client.post(url).json(&json!({"query": q})).send().await.expect("bomb").json().await.expect("json");
                r
            })
        })
        .collect();
    let started = Instant::now();
    let health = app.http().get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(1), "healthz took {:?}", started.elapsed());
    for b in bombs {
        assert_eq!(code(&b.await.expect("task")), "VALIDATION");
    }
}

#[tokio::test]
async fn cycles_long_texts_and_many_spreads_are_refused() {
    let app = TestApp::spawn().await;
    let cycle = "{ departments { ...A } } fragment A on Department { ...B } fragment B on Department { ...A }";
    let long = format!("{{ departments {{ code }} }} #{}", "x".repeat(40_000));
    let spreads = format!("{{ departments {{ {} }} }} fragment F on Department {{ code }}", "...F ".repeat(300));
    for q in [cycle.to_owned(), long, spreads] {
        let r = app.gql(None, &q, json!({})).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", "query"), "{r}");
    }
    // A well-formed document with a few fragments still runs.
    let ok = app.gql(None, &bomb(3), json!({})).await;
    assert!(ok["errors"].is_null(), "{ok}");
}

#[tokio::test]
async fn a_document_runs_each_mutation_at_most_once() {
    let app = TestApp::spawn().await;
    let aliased: String = (0..3)
        .map(|i| {
            format!("a{i}: register(input: {{email: \"alias{i}@example.org\", password: \"long-enough-pass-1\", displayName: \"x\"}}) ")
        })
        .collect();
    let r = app.gql(None, &format!("mutation {{ {aliased} }}"), json!({})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "query"), "{r}");
    let hidden = "mutation { ...M } fragment M on MutationRoot { a: logout b: logout }";
    assert_eq!(code(&app.gql(None, hidden, json!({})).await), "VALIDATION");
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entities::account::Entity::find().count(&app.state.db).await.expect("count"), 0, "nothing ran");
    assert!(app.emails().await.is_empty());
}
