//! The error model: each code of the fixed set once, both languages, no leaks, and the protective
//! limits of the HTTP layer.

use integration_tests::{TestApp, code, field};
use sea_orm::ConnectionTrait;
use serde_json::json;

#[tokio::test]
async fn unauthenticated_in_chinese_by_default_and_in_english_on_request() {
    let app = TestApp::spawn().await;
    let zh = app.gql(None, "{ me { id } }", json!({})).await;
    assert_eq!(code(&zh), "UNAUTHENTICATED");
    assert_eq!(zh["errors"][0]["message"], "请先登录，或登录已过期");
    let en = app.gql_lang(None, "en-US,en;q=0.9", "{ me { id } }", json!({})).await;
    assert_eq!(en["errors"][0]["message"], "authentication required or expired");
}

#[tokio::test]
async fn forbidden_when_the_role_may_not() {
    let app = TestApp::spawn().await;
    let g = app.guardian("f@example.org").await;
    let r = app.gql(Some(&g), "mutation { disableAccount(id: \"00000000-0000-0000-0000-000000000000\"){ id } }", json!({})).await;
    assert_eq!(code(&r), "FORBIDDEN");
}

#[tokio::test]
async fn not_found_for_a_missing_or_malformed_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for id in ["00000000-0000-0000-0000-000000000000", "nonsense"] {
        let r = app.gql(Some(&admin), "mutation($id: ID!){ disableAccount(id: $id){ id } }", json!({"id": id})).await;
        assert_eq!(code(&r), "NOT_FOUND", "{r}");
    }
}

#[tokio::test]
async fn validation_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"email": "no-at-sign", "password": "long-enough-pass-1", "displayName": "x"}), "email"),
        (json!({"email": "ok@example.org", "password": "short1", "displayName": "x"}), "password"),
        (json!({"email": "ok@example.org", "password": "onlyletterslong", "displayName": "x"}), "password"),
        (json!({"email": "ok@example.org", "password": "long-enough-pass-1", "displayName": ""}), "displayName"),
    ];
    for (input, f) in cases {
        let r = app.gql_lang(None, "en", "mutation($i: RegisterInput!){ register(input: $i) }", json!({"i": input})).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", f), "{r}");
        assert!(!r["errors"][0]["message"].as_str().unwrap_or_default().is_empty());
    }
    assert!(app.emails().await.is_empty(), "no account, no e-mail");
    let r = app.gql(None, "{ regions(parentCode: \"52\") { code } }", json!({})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "parentCode"));
}

#[tokio::test]
async fn conflict_on_a_duplicate() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let q = "mutation($i: StaffAccountInput!){ createStaffAccount(input: $i){ id } }";
    let input = json!({"i": {"email": "dup@x.gov.cn", "displayName": "x", "role": "CIVIL_AFFAIRS", "regionCode": "520100"}});
    assert!(app.gql(Some(&admin), q, input.clone()).await["errors"].is_null());
    assert_eq!(code(&app.gql(Some(&admin), q, input).await), "CONFLICT");
}

#[tokio::test]
async fn rate_limited_carries_a_retry_after_header_and_hint() {
    let app = TestApp::spawn_with(|c| c.login_per_account_per_minute = 1).await;
    let body = json!({"query": "mutation { login(email: \"x@example.org\", password: \"whatever-pass-1\"){ accessToken } }"});
    let _ = app.http().post(app.url("/graphql")).json(&body).send().await.expect("first");
    let resp = app.http().post(app.url("/graphql")).json(&body).send().await.expect("second");
    assert!(resp.headers().get("retry-after").is_some());
    let v: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(code(&v), "RATE_LIMITED");
}

#[tokio::test]
async fn internal_errors_never_leak_database_text() {
    let app = TestApp::spawn().await;
    app.state.db.execute_unprepared("ALTER TABLE departments RENAME TO departments_gone").await.expect("rename");
    let r = app.gql_lang(None, "en", "{ departments { code } }", json!({})).await;
    assert_eq!(code(&r), "INTERNAL");
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(msg, "internal error, please retry later");
    let text = r.to_string().to_lowercase();
    for leak in ["select", "table", "sqlite", "relation", "database"] {
        assert!(!text.contains(leak), "{leak} leaked: {r}");
    }
}

#[tokio::test]
async fn graphql_syntax_and_unknown_fields_are_validation_errors() {
    let app = TestApp::spawn().await;
    assert_eq!(code(&app.gql(None, "{ me { ", json!({})).await), "VALIDATION");
    assert_eq!(code(&app.gql(None, "{ noSuchField }", json!({})).await), "VALIDATION");
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(300 * 1024);
    let resp = app
        .http()
        .post(app.url("/graphql"))
        .json(&json!({"query": format!("{{ departments {{ code }} }} #{big}")}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 413);
}

#[tokio::test]
async fn a_too_deep_query_is_refused_but_introspection_passes() {
    let app = TestApp::spawn().await;
    let deep = format!(
        "{{ __schema {{ types {{ {} name {} }} }} }}",
        "fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType {",
        "} } } } } } } } } } } } } } }"
    );
    let r = app.gql(None, &deep, json!({})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap_or_default().contains("nested too deep"), "{r}");

    let introspection = include_str!("introspection.graphql");
    let r = app.gql(None, introspection, json!({})).await;
    assert!(r["errors"].is_null(), "GraphiQL's introspection must pass the limits: {r}");
    assert!(r["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 20));
}

#[tokio::test]
async fn mutations_over_get_are_refused() {
    let app = TestApp::spawn().await;
    let resp = app.http().get(app.url("/graphql?query=mutation%7Blogout%7D")).send().await.expect("send");
    assert_eq!(resp.status(), 405);
    let ok = app.http().get(app.url("/graphql?query=%7Bdepartments%7Bcode%7D%7D")).send().await.expect("send");
    assert_eq!(ok.status(), 200);
    let v: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(v["data"]["departments"].as_array().map(Vec::len), Some(23));
}
