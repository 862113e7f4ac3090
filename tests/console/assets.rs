//! The console is served by the server itself, every asset from the binary, under a strict
//! policy that still lets the page reach `/graphql` (and its WebSocket) on the same origin.

use integration_tests::TestApp;

#[tokio::test]
async fn the_console_page_and_its_modules_are_served_under_a_strict_policy() {
    let app = TestApp::spawn().await;
    for path in ["/console", "/console/"] {
        let resp = app.http().get(app.url(path)).send().await.expect("page");
        assert_eq!(resp.status(), 200, "{path}");
        let h = resp.headers().clone();
        assert!(h["content-type"].to_str().expect("type").starts_with("text/html"));
        let csp = h["content-security-policy"].to_str().expect("csp").to_owned();
        for part in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
            assert!(csp.contains(part), "{csp} lacks {part}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        let html = resp.text().await.expect("html");
        assert!(html.contains(r#"<script type="module" src="/console/main.js">"#), "{html}");
        assert!(!html.contains("<script>") && !html.contains("style="), "no inline script or style: {html}");
    }
    for (path, ty) in
        [("/console/main.js", "text/javascript"), ("/console/views/queue.js", "text/javascript"), ("/console/console.css", "text/css")]
    {
        let resp = app.http().get(app.url(path)).send().await.expect("asset");
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.headers()["content-type"].to_str().expect("type").starts_with(ty), "{path}");
        assert!(!resp.text().await.expect("body").is_empty());
    }
    // Every module the page imports is served (a missing one would break the page silently).
    let main = app.http().get(app.url("/console/main.js")).send().await.expect("main").text().await.expect("text");
    for import in main.lines().filter_map(|l| l.split("from './").nth(1)).map(|r| r.trim_end_matches("';")) {
        let resp = app.http().get(app.url(&format!("/console/{import}"))).send().await.expect("import");
        assert_eq!(resp.status(), 200, "{import}");
    }
    assert_eq!(app.http().get(app.url("/console/../Cargo.toml")).send().await.expect("probe").status(), 404);
    assert_eq!(app.http().get(app.url("/console/nothing.js")).send().await.expect("probe").status(), 404);
    // The API keeps its own policy: nothing loads from a JSON answer.
    let api =
        app.http().post(app.url("/graphql")).json(&serde_json::json!({"query": "{ departments { code } }"})).send().await.expect("api");
    assert_eq!(api.headers()["content-security-policy"], "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}
