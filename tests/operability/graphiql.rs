//! GraphiQL renders on a network without the internet: the page and everything it loads come
//! from this server, under a policy that allows nothing else.

use integration_tests::TestApp;

/// The values of `attr="…"` in `html`.
fn attribute_values<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle).filter_map(|(i, _)| html[i + needle.len()..].split('"').next()).collect()
}

#[tokio::test]
async fn the_graphiql_page_loads_nothing_from_another_host() {
    let app = TestApp::spawn().await;
    let page = app.http().get(app.url("/graphql")).header("accept", "text/html").send().await.expect("page");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("http") && !csp.contains('*'), "{csp}");
    let html = page.text().await.expect("html");
    let refs: Vec<&str> = attribute_values(&html, "src").into_iter().chain(attribute_values(&html, "href")).collect();
    assert!(refs.len() >= 6, "scripts and styles: {refs:?}");
    for r in &refs {
        assert!(r.starts_with('/') && !r.starts_with("//"), "{r} is not on this server");
        let asset = app.http().get(app.url(r)).send().await.expect("asset");
        assert_eq!(asset.status(), 200, "{r}");
        let ty = asset.headers()["content-type"].to_str().expect("ascii").to_owned();
        assert!(ty.starts_with("text/javascript") || ty.starts_with("text/css"), "{r}: {ty}");
        assert!(!asset.bytes().await.expect("body").is_empty(), "{r}");
    }
    assert!(!html.contains("unpkg") && !html.contains("cdn"), "no CDN left in the page");
}

#[tokio::test]
async fn without_graphiql_its_assets_are_not_served() {
    let app = TestApp::spawn_with(|c| c.graphiql = Some(false)).await;
    let r = app.http().get(app.url("/graphiql/graphiql.min.js")).send().await.expect("asset");
    assert_eq!(r.status(), 404);
}
