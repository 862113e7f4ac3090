//! The staff workbench at `/console`: hand-written ES modules, CSS and one HTML page, embedded in
//! the binary so `cargo run` serves it with nothing else installed and an intranet without a CDN
//! can use it. It is a client of the public `/graphql` endpoint only.
//!
//! Its policy is stricter than GraphiQL's: scripts and styles from this server only, no inline
//! code of either kind, and connections to this origin only (`'self'` covers the WebSocket of
//! the same host, for the queue subscription).

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// The console page's Content-Security-Policy.
pub const CONSOLE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($name:literal, $ty:expr) => {
        ($name, $ty, include_bytes!(concat!("../../assets/console/", $name)) as &[u8])
    };
}

/// Every file under `/console/`, with its content type.
const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("console.css", CSS),
    asset!("main.js", JS),
    asset!("api.js", JS),
    asset!("i18n.js", JS),
    asset!("dom.js", JS),
    asset!("live.js", JS),
    asset!("views/catalog.js", JS),
    asset!("views/signin.js", JS),
    asset!("views/queue.js", JS),
    asset!("views/request.js", JS),
    asset!("views/org.js", JS),
    asset!("views/verify.js", JS),
    asset!("views/ledger.js", JS),
    asset!("views/stats.js", JS),
];

/// The page (`/console` and `/console/`); every view is a `#/…` route inside it.
pub(super) async fn page() -> Response {
    let mut resp = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], include_str!("../../assets/console/index.html")).into_response();
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONSOLE_CSP));
    resp
}

/// One of the page's assets; anything else is 404. `no-cache`: a new release is picked up at once
/// (the browser revalidates), as the modules import each other by fixed names.
pub(super) async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, bytes)) => ([(header::CONTENT_TYPE, *ty), (header::CACHE_CONTROL, "no-cache")], *bytes).into_response(),
        None if name.is_empty() => page().await,
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
