//! Trusted documents (persisted operations, issue 21): clients send a registered document's hash
//! instead of its text, and `TRUSTED_DOCUMENTS_ONLY` holds anonymous and guardian callers to them.

use std::path::PathBuf;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use integration_tests::{
    TestApp, code, field,
    ws::{WsClient, WsEvent},
};

const CALENDAR: &str = "query Calendar { workCalendar { coversNext60Days } }";
const ME: &str = "query Me { me { email role } }";
const DEPARTMENTS: &str = "{ departments { code } }";

fn hash(q: &str) -> String {
    hex::encode(Sha256::digest(q.as_bytes()))
}

/// A manifest file of `docs` in the plain `{"sha256:<hex>": text}` form, or Apollo's form.
fn manifest(docs: &[&str], apollo: bool) -> PathBuf {
    let path = std::env::temp_dir().join(format!("tongxin-trusted-{}.json", uuid::Uuid::new_v4().simple()));
    let body = if apollo {
        let ops: Vec<Value> = docs.iter().map(|d| json!({"id": hash(d), "name": "op", "type": "query", "body": d})).collect();
        json!({"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops})
    } else {
        Value::Object(docs.iter().map(|d| (format!("sha256:{}", hash(d)), json!(d))).collect())
    };
    std::fs::write(&path, body.to_string()).expect("manifest");
    path
}

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> Value {
    let mut req = app.http().post(app.url("/graphql")).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request").json().await.expect("json")
}

async fn get(app: &TestApp, params: &[(&str, String)]) -> Value {
    app.http().get(app.url("/graphql")).query(params).send().await.expect("request").json().await.expect("json")
}

fn by_hash(q: &str) -> Value {
    json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash(q)}}})
}

#[tokio::test]
async fn a_registered_document_sent_by_hash_answers_as_its_text() {
    let app = TestApp::spawn_with(|c| c.trusted_documents = Some(manifest(&[CALENDAR], false))).await;
    let text = post(&app, None, json!({"query": CALENDAR})).await;
    assert!(text["errors"].is_null(), "{text}");
    assert_eq!(post(&app, None, by_hash(CALENDAR)).await, text, "Apollo extension over POST");
    assert_eq!(post(&app, None, json!({"documentId": format!("sha256:{}", hash(CALENDAR))})).await, text, "documentId over POST");
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash(CALENDAR)}}).to_string();
    assert_eq!(get(&app, &[("extensions", ext)]).await, text, "Apollo extension over GET");
    assert_eq!(get(&app, &[("documentId", format!("sha256:{}", hash(CALENDAR)))]).await, text, "documentId over GET");
    // Text and hash together, matching: the same answer.
    let mut both = by_hash(CALENDAR);
    both["query"] = json!(CALENDAR);
    assert_eq!(post(&app, None, both).await, text);

    // An unknown hash gets the standard answer persisted-query clients look for.
    let unknown = post(&app, None, by_hash("{ unknown }")).await;
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound", "{unknown}");
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND");
    assert!(unknown["data"].is_null());
    let unknown = get(&app, &[("documentId", format!("sha256:{}", hash("{ nothing }")))]).await;
    assert_eq!(code(&unknown), "PERSISTED_QUERY_NOT_FOUND", "{unknown}");

    // A hash that is not the text's: refused, nothing runs.
    let mut wrong = by_hash(CALENDAR);
    wrong["query"] = json!(DEPARTMENTS);
    let r = post(&app, None, wrong).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "extensions.persistedQuery.sha256Hash"), "{r}");
    assert!(r["data"].is_null());
    // A malformed hash is a validation error too.
    let r = post(&app, None, json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
}

#[tokio::test]
async fn a_manifest_whose_hash_does_not_match_its_document_stops_the_start() {
    let path = std::env::temp_dir().join(format!("tongxin-trusted-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, json!({ hash(CALENDAR): DEPARTMENTS }).to_string()).expect("manifest");
    let err = TestApp::try_spawn_with(|c| c.trusted_documents = Some(path)).await.err().expect("refused");
    assert!(err.contains("TRUSTED_DOCUMENTS"), "{err}");
}

#[tokio::test]
async fn only_trusted_documents_from_anonymous_callers_and_guardians() {
    let app = TestApp::spawn().await;
    let guardian = app.guardian("trusted-family@example.org").await;
    let admin = app.admin_token().await;
    let restricted = app
        .restarted_with(|c| {
            c.trusted_documents = Some(manifest(&[CALENDAR, ME], true));
            c.trusted_documents_only = true;
        })
        .await
        .expect("restricted server");
    let app = restricted;

    // Anonymous: free text refused, the registered document by hash answered.
    let r = post(&app, None, json!({"query": DEPARTMENTS})).await;
    assert_eq!(code(&r), "PERSISTED_QUERY_REQUIRED", "{r}");
    assert!(r["data"].is_null());
    let r = get(&app, &[("query", DEPARTMENTS.to_owned())]).await;
    assert_eq!(code(&r), "PERSISTED_QUERY_REQUIRED", "GET too: {r}");
    let r = post(&app, None, by_hash(CALENDAR)).await;
    assert!(r["data"]["workCalendar"]["coversNext60Days"].is_boolean(), "{r}");
    // A bad token is no better than none.
    let r = post(&app, Some("not-a-token"), json!({"query": DEPARTMENTS})).await;
    assert_eq!(code(&r), "PERSISTED_QUERY_REQUIRED", "{r}");

    // Guardian: free text refused; by hash, or the exact registered text, accepted.
    let r = post(&app, Some(&guardian), json!({"query": DEPARTMENTS})).await;
    assert_eq!(code(&r), "PERSISTED_QUERY_REQUIRED", "{r}");
    let r = post(&app, Some(&guardian), by_hash(ME)).await;
    assert_eq!(r["data"]["me"]["email"], "trusted-family@example.org", "{r}");
    let r = post(&app, Some(&guardian), json!({"query": ME})).await;
    assert_eq!(r["data"]["me"]["role"], "GUARDIAN", "the registered text itself is trusted: {r}");

    // Administrator: free text accepted.
    let r = post(&app, Some(&admin), json!({"query": DEPARTMENTS})).await;
    assert!(r["errors"].is_null() && r["data"]["departments"].as_array().is_some_and(|d| !d.is_empty()), "{r}");

    // The WebSocket holds sockets to the same rule.
    let mut ws = WsClient::connect(&app, None).await;
    let r = ws.run("1", DEPARTMENTS, json!({})).await;
    assert_eq!(code(&r), "PERSISTED_QUERY_REQUIRED", "anonymous socket: {r}");
    ws.send(json!({"id": "2", "type": "subscribe", "payload": by_hash(CALENDAR)})).await;
    assert!(next_payload(&mut ws, "2").await["data"]["workCalendar"]["coversNext60Days"].is_boolean());
    ws.send(json!({"id": "3", "type": "subscribe", "payload": {"documentId": format!("sha256:{}", hash(CALENDAR))}})).await;
    assert!(next_payload(&mut ws, "3").await["data"]["workCalendar"]["coversNext60Days"].is_boolean(), "documentId over the socket");
    ws.send(json!({"id": "4", "type": "subscribe", "payload": by_hash("{ nope }")})).await;
    assert_eq!(code(&next_payload(&mut ws, "4").await), "PERSISTED_QUERY_NOT_FOUND");
    let mut ws = WsClient::connect(&app, Some(&guardian)).await;
    assert_eq!(code(&ws.run("1", DEPARTMENTS, json!({})).await), "PERSISTED_QUERY_REQUIRED", "guardian socket");
    let mut ws = WsClient::connect(&app, Some(&admin)).await;
    assert!(ws.run("1", DEPARTMENTS, json!({})).await["errors"].is_null(), "admin socket");
}

/// The payload of operation `id`'s first result (or its errors).
async fn next_payload(ws: &mut WsClient, id: &str) -> Value {
    loop {
        match ws.next(std::time::Duration::from_secs(10)).await {
            WsEvent::Message(m) if m["id"] == id && m["type"] == "next" => return m["payload"].clone(),
            WsEvent::Message(m) if m["id"] == id && m["type"] == "error" => return json!({"errors": m["payload"]}),
            WsEvent::Message(_) => continue,
            other => panic!("operation {id}: {other:?}"),
        }
    }
}

const REGISTER: &str = "mutation($q: String!){ registerTrustedDocument(query: $q) }";

#[tokio::test]
async fn administrators_register_documents_that_every_replica_serves() {
    let app = TestApp::spawn().await;
    let guardian = app.guardian("trusted-register@example.org").await;
    let admin = app.admin_token().await;
    let q = "query Departments { departments { code } }";

    let r = app.gql(Some(&guardian), REGISTER, json!({"q": q})).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let r = app.gql(None, REGISTER, json!({"q": q})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    assert_eq!(code(&post(&app, None, by_hash(q)).await), "PERSISTED_QUERY_NOT_FOUND", "nothing was registered");

    let r = app.gql(Some(&admin), REGISTER, json!({"q": "{ departments { code "})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "query"), "{r}");

    let r = app.gql(Some(&admin), REGISTER, json!({"q": q})).await;
    assert_eq!(r["data"]["registerTrustedDocument"], json!(hash(q)), "{r}");
    let again = app.gql(Some(&admin), REGISTER, json!({"q": q})).await;
    assert_eq!(again["data"]["registerTrustedDocument"], json!(hash(q)), "registering twice is harmless: {again}");

    let text = post(&app, None, json!({"query": q})).await;
    assert!(text["errors"].is_null(), "{text}");
    assert_eq!(post(&app, None, by_hash(q)).await, text);
    // Another replica knows it from the database.
    let other = app.sibling().await;
    assert_eq!(post(&other, None, by_hash(q)).await, text);
}

const SCREEN: &str = "query Screen($i: ScreeningInput!, $d: Date){ screenEligibility(input: $i, asOf: $d){ scope { outcome } entitlements { code outcome handledAt missingFacts nextStep } } }";

/// A trusted document is validated once; later requests skip the validation and check only their
/// variables, so every answer, bad variables included, is the one its text gets.
#[tokio::test]
async fn a_validated_document_answers_as_its_text_whatever_the_variables() {
    let invalid = "{ noSuchField }";
    let app = TestApp::spawn_with(|c| c.trusted_documents = Some(manifest(&[SCREEN, invalid], false))).await;
    let facts = json!({"birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
        "residenceSince": "2025-02-01", "movedWithGuardian": true});
    let cases = [
        json!({"i": facts, "d": "2026-09-01"}),
        json!({"i": {"birthDate": "2019-03-10"}}),
        json!({"i": {"birthDate": "2019-03-10", "noSuchFact": true}}),
        json!({"i": {"movedWithGuardian": "yes"}}),
        json!({"i": {"residenceSince": "2025-02-30"}}),
        json!({"i": {"disabilityGrade": 7}}),
        json!({"i": {"disabilityGrade": 3_000_000_000u64}}),
        json!({"i": null}),
        json!({"i": {}, "d": 20260901}),
        json!({}),
    ];
    // Twice over: the first request by hash validates the document, the later ones skip it.
    for round in 0..2 {
        for vars in &cases {
            let text = post(&app, None, json!({"query": SCREEN, "variables": vars})).await;
            let mut hashed = by_hash(SCREEN);
            hashed["variables"] = vars.clone();
            assert_eq!(post(&app, None, hashed).await, text, "round {round}, variables {vars}");
        }
    }
    let ok = post(&app, None, json!({"query": SCREEN, "variables": cases[0]})).await;
    assert!(ok["errors"].is_null() && ok["data"]["screenEligibility"]["entitlements"].as_array().is_some_and(|e| e.len() > 20), "{ok}");
    for vars in &cases[2..9] {
        let r = post(&app, None, json!({"query": SCREEN, "variables": vars})).await;
        assert_eq!(code(&r), "VALIDATION", "{vars}: {r}");
    }
    // A registered document the schema refuses is refused every time, never skipped.
    let text = post(&app, None, json!({"query": invalid})).await;
    assert_eq!(code(&text), "VALIDATION", "{text}");
    for _ in 0..2 {
        assert_eq!(post(&app, None, by_hash(invalid)).await, text);
    }
}
