//! Response hardening shared by every route: security headers, CORS for the configured browser
//! origins, and a GraphQL error body for failures raised by the layers themselves (body limit,
//! timeout, wrong method), which otherwise answer with plain text or nothing.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::graphql::{lang_of, refused, too_large};
use crate::{
    config::{Config, Environment},
    error::AppError,
    state::AppState,
};

/// The content security policy of API responses: nothing may load, nothing may frame them.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the security headers. JSON answers may hold a child's data, so nothing caches them.
pub(super) async fn secure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let html = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(h, HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    set(h, HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    set(h, header::CACHE_CONTROL, "no-store");
    // The GraphiQL page sets its own policy; every other answer is data.
    if !html {
        set(h, header::CONTENT_SECURITY_POLICY, API_CSP);
    }
    if state.config.environment == Environment::Production {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    resp
}

/// CORS for the origins in `CORS_ORIGINS` only. Requests carry a bearer token, never cookies, so
/// credentials are not allowed. Preflights from other origins get an answer without
/// `Access-Control-Allow-Origin`, which the browser treats as a refusal.
pub(super) fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> =
        config.cors_origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()).filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT_LANGUAGE, HeaderName::from_static("x-request-id")])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
        .max_age(std::time::Duration::from_secs(600))
}

/// Turns a bare failure of the GraphQL endpoint (from the body limit, the timeout, the router)
/// into a GraphQL error body, so clients parse every answer the same way.
pub(super) async fn coded_failures(req: Request, next: Next) -> Response {
    let graphql = req.uri().path() == "/graphql";
    let lang = lang_of(req.headers());
    let resp = next.run(req).await;
    let status = resp.status();
    let json = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if !graphql || json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let err = match status {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::REQUEST_TIMEOUT => AppError::Unavailable { retry_after_secs: 1 },
        StatusCode::METHOD_NOT_ALLOWED => {
            AppError::validation("method", "请使用 POST（或以 GET 发送查询）", "use POST (or GET for queries)")
        }
        s if s.is_client_error() => AppError::validation("body", "请求格式错误", "malformed request"),
        _ => AppError::internal("transport failure"),
    };
    let mut out = refused(status, err, lang);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = resp.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    let _: Body = resp.into_body();
    out
}
