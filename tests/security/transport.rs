//! The HTTP transport: only `application/json` POSTs run operations (a form or `text/plain` POST
//! needs no preflight, so it would let any web page run anonymous mutations; multipart uploads run
//! only with a bearer token, which no cross-site form can carry), CORS for the
//! configured origins only, security headers on every answer, and a GraphQL error body with a
//! code for every malformed request, batch, oversized body and type error.

use integration_tests::{TestApp, code, field};
use serde_json::{Value, json};

const REGISTER: &str = r#"mutation { register(input: {email: "csrf@example.org", password: "long-enough-pass-1", displayName: "x"}) }"#;

async fn accounts(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entities::account::Entity::find().count(&app.state.db).await.expect("count")
}

#[tokio::test]
async fn a_cross_site_form_text_or_multipart_post_runs_nothing() {
    let app = TestApp::spawn().await;
    let body = json!({"query": REGISTER}).to_string();
    let attempts = [
        app.http().post(app.url("/graphql")).header("content-type", "text/plain").body(body.clone()),
        app.http().post(app.url("/graphql")).header("content-type", "application/x-www-form-urlencoded").body(format!("query={REGISTER}")),
        app.http()
            .post(app.url("/graphql"))
            .header("content-type", "multipart/form-data; boundary=x")
            .body(format!("--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{body}\r\n--x--\r\n")),
        app.http().post(app.url("/graphql")).body(body.clone()),
    ];
    for req in attempts {
        let resp = req.send().await.expect("post");
        assert_eq!(resp.status(), 415);
        let v: Value = resp.json().await.expect("a GraphQL error body");
        assert_eq!((code(&v), field(&v)), ("VALIDATION", "contentType"), "{v}");
    }
    assert_eq!(accounts(&app).await, 0);
    assert!(app.emails().await.is_empty());
}

#[tokio::test]
async fn cors_answers_the_configured_origin_only() {
    let console = "https://console.tongxin.example.gov.cn";
    let app = TestApp::spawn_with(|c| c.cors_origins = vec![console.to_owned()]).await;
    let preflight = |origin: &str| {
        app.http()
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let ok = preflight(console).await.expect("preflight");
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(ok.headers()["access-control-allow-origin"], console);
    assert!(ok.headers()["access-control-allow-headers"].to_str().expect("ascii").contains("authorization"));
    let evil = preflight("https://evil.example").await.expect("preflight");
    assert!(evil.headers().get("access-control-allow-origin").is_none(), "another origin is not allowed");

    let r = app
        .http()
        .post(app.url("/graphql"))
        .header("origin", console)
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.headers()["access-control-allow-origin"], console);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let answers = [
        app.http().post(app.url("/graphql")).json(&json!({"query": "{ __typename }"})).send().await.expect("post"),
        app.http().get(app.url("/healthz")).send().await.expect("healthz"),
        app.http().post(app.url("/graphql")).body("nonsense").send().await.expect("bad post"),
    ];
    for r in answers {
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-store", "answers may hold a child's data");
        assert!(h["content-security-policy"].to_str().expect("ascii").contains("default-src 'none'"));
    }
}

#[tokio::test]
async fn malformed_json_batches_and_oversized_bodies_get_coded_errors() {
    let app = TestApp::spawn_with(|c| c.body_limit_bytes = 64 * 1024).await;
    let post = |body: String| app.http().post(app.url("/graphql")).header("content-type", "application/json").body(body).send();
    let cases = [
        ("{\"query\": ", 400, "body"),
        ("{\"variables\": 1}", 400, "body"),
        (r#"[{"query": "{ __typename }"}, {"query": "{ __typename }"}]"#, 400, "body"),
    ];
    for (body, status, f) in cases {
        let resp = post(body.to_owned()).await.expect("post");
        assert_eq!(resp.status(), status, "{body}");
        let v: Value = resp.json().await.expect("a GraphQL error body, not debug text");
        assert_eq!((code(&v), field(&v)), ("VALIDATION", f), "{v}");
        let text = v["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(!text.contains("Error(") && !text.contains("line "), "no parser internals: {text}");
    }
    let big = json!({"query": "{ __typename }", "variables": {"pad": "x".repeat(100 * 1024)}}).to_string();
    let resp = post(big).await.expect("post");
    assert_eq!(resp.status(), 413);
    let v: Value = resp.json().await.expect("a GraphQL error body");
    assert_eq!(code(&v), "VALIDATION", "{v}");
}

#[tokio::test]
async fn a_value_of_the_wrong_type_names_its_field() {
    let app = TestApp::spawn().await;
    let g = app.guardian("types@example.org").await;
    app.child(&g).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let input = json!({
        "name": "小红", "sex": "FEMALE", "birthDate": "2019-03-10", "hukouRegionCode": "520304", "residenceRegionCode": "520102",
        "residenceSince": "last spring", "movedWith": "MOTHER", "hasResidencePermit": false, "enrolledInSchoolAtResidence": true
    });
    let r = app.gql(Some(&g), "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": input})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "residenceSince"), "{r}");
    let r = app.gql(None, "query($p: String!){ regions(parentCode: $p) { code } }", json!({"p": 52})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "parentCode"), "{r}");
}

#[tokio::test]
async fn accept_language_is_read_without_regard_to_case() {
    let app = TestApp::spawn().await;
    for lang in ["EN", "En-US", "en-gb;q=0.9"] {
        let r = app.gql_lang(None, lang, "{ me { id } }", json!({})).await;
        assert_eq!(r["errors"][0]["message"], "authentication required or expired", "{lang}");
    }
    let r = app.gql_lang(None, "ZH-cn", "{ me { id } }", json!({})).await;
    assert_eq!(r["errors"][0]["message"], "请先登录，或登录已过期");
}
