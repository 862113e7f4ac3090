//! `/metrics` for Prometheus: on the main port behind `METRICS_TOKEN` (or openly in development),
//! or alone on `METRICS_ADDR`. Also counts every HTTP response by status class.

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// The exposition format `prometheus-client` writes.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The scrape endpoint.
pub(super) async fn scrape(State(state): State<AppState>, req: Request) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let sent = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        // Digests of equal length compared: the time taken tells nothing about the token.
        let same = sent.is_some_and(|s| Sha256::digest(s.trim().as_bytes()) == Sha256::digest(token.expose_secret().trim().as_bytes()));
        if !same {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "a METRICS_TOKEN bearer token is required")
                .into_response();
        }
    }
    let body = crate::metrics::scrape::render(&state).await;
    ([(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], body).into_response()
}

/// The router of the separate `METRICS_ADDR` listener: `/metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state(state)
}

/// Counts the response of every request by status class.
pub(super) async fn count_responses(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    state.metrics.http_response(resp.status().as_u16());
    resp
}
