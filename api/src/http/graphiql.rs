//! The GraphiQL page for developers, served with every asset from the binary: government
//! intranets cannot reach a public CDN, and a page that loads nothing from elsewhere can carry a
//! strict Content-Security-Policy. The bundles are the published UMD builds of react 18.3.1,
//! react-dom 18.3.1, graphiql 3.9.0 and graphql-ws 5.16.0 (MIT; licences beside them in
//! `api/assets/graphiql/`).

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// Scripts and styles from this server only. GraphiQL sets inline styles through React, hence
/// `'unsafe-inline'` for styles (never for scripts); `connect-src 'self'` covers the WebSocket.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file under `/graphiql/`, with its content type.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("react.production.min.js", JS, include_bytes!("../../assets/graphiql/react.production.min.js")),
    ("react-dom.production.min.js", JS, include_bytes!("../../assets/graphiql/react-dom.production.min.js")),
    ("graphql-ws.min.js", JS, include_bytes!("../../assets/graphiql/graphql-ws.min.js")),
    ("graphiql.min.js", JS, include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", CSS, include_bytes!("../../assets/graphiql/graphiql.min.css")),
    ("page.css", CSS, include_bytes!("../../assets/graphiql/page.css")),
    ("init.js", JS, include_bytes!("../../assets/graphiql/init.js")),
];

/// The page itself.
pub fn page() -> Response {
    let mut resp = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], include_str!("../../assets/graphiql/index.html")).into_response();
    resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    resp
}

/// One of the page's assets; anything else is 404.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ty, bytes)) => ([(header::CONTENT_TYPE, *ty), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
