//! The routes of the HTTP surface and the protective layers around them.

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use super::{app::Http, console, documents, graphiql, graphql, headers, links, metrics, request_id, uploads, ws};
use crate::{
    graphql::{calendar, errors::ws_schema_builder, gate::Gate, limits::DocumentLimits, schema::schema_builder},
    state::AppState,
};

/// Builds the router for `state`.
pub fn router(state: AppState) -> Router {
    let harden = |b: async_graphql::SchemaBuilder<_, _, _>| {
        let b = b.data(state.clone());
        if state.config.graphiql_enabled() { b } else { b.disable_introspection().disable_suggestions() }
    };
    let schema = harden(schema_builder()).finish();
    let prevalidated_schema = harden(schema_builder().validation_mode(async_graphql::ValidationMode::Fast)).finish();
    let ws_schema = harden(ws_schema_builder()).finish();
    let gate = Arc::new(Gate::new(DocumentLimits::PUBLIC));
    let http = Http { state: state.clone(), schema, prevalidated_schema, ws_schema, gate };
    let request_id = request_id::HEADER;
    let mut graphql = axum::routing::post(graphql::post);
    graphql = if state.config.graphiql_enabled() { graphql.get(graphql::graphiql_or_query) } else { graphql.get(graphql::get) };
    let mut routes = Router::new();
    if state.config.graphiql_enabled() {
        routes = routes.route("/graphiql/{file}", get(graphiql::asset));
    }
    // On the main port unless it has its own address (`METRICS_ADDR`).
    if state.config.metrics_addr.is_none() {
        routes = routes.route("/metrics", get(metrics::scrape).with_state(state.clone()));
    }
    routes
        .route("/graphql", graphql)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/hsds/services", get(hsds_services))
        .route("/verify-email", get(links::verify_email_page).post(links::verify_email))
        .route("/reset-password", get(links::reset_password_page).post(links::reset_password))
        .route("/household-invitation", get(links::invitation_page).post(links::accept_invitation))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/console", get(console::page))
        .route("/console/", get(console::page))
        .route("/console/{*file}", get(console::asset))
        .route("/documents/{id}", get(documents::download))
        .with_state(http)
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn(request_id::sanitize))
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get(request_id::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
                    // Path only: query strings may carry tokens. Every log line of the request
                    // carries this span's fields, the request id among them.
                    let name = format!("{} {}", req.method(), req.uri().path());
                    tracing::info_span!("http", otel.name = %name, otel.kind = "server", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::count_responses))
                .layer(axum::middleware::from_fn_with_state(state.clone(), headers::secure))
                .layer(headers::cors(&state.config))
                .layer(axum::middleware::from_fn(headers::coded_failures))
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.config.request_timeout()))
                .layer(axum::middleware::from_fn_with_state(state.clone(), uploads::limit_body)),
        )
}

/// The whole public directory as HSDS JSON, in pages of 500 (`?after=<service id>`).
async fn hsds_services(
    State(h): State<Http>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let after = match q.get("after").map(|a| uuid::Uuid::parse_str(a)) {
        None => None,
        Some(Ok(a)) => Some(a),
        Some(Err(_)) => return (StatusCode::BAD_REQUEST, "after must be a service id").into_response(),
    };
    match crate::services::directory::search(&h.state, &Default::default(), after, 500).await {
        Ok(list) => axum::Json(list.iter().map(crate::hsds::service).collect::<Vec<_>>()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "hsds export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Ready when the database answers. A calendar that ends within 60 days does not take the server
/// out of rotation (deadlines are still computed), but the probe says so on every call.
async fn readyz(State(h): State<Http>) -> Response {
    if h.state.drain.is_going_away() {
        // Out of the load balancer's rotation before the connections are gone.
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down").into_response();
    }
    match tokio::time::timeout(Duration::from_secs(2), crate::db::ping(&h.state.db)).await {
        Ok(Ok(())) => {
            let cal = h.state.reference.calendar();
            if cal.covers(h.state.clock.today(), calendar::DAYS_AHEAD) {
                (StatusCode::OK, "ready").into_response()
            } else {
                let until = cal.covered_until().map_or_else(|| "nothing".to_owned(), |d| d.to_string());
                let text = format!("ready\nwarning: the working-day calendar ends {until}; add next year to CALENDAR_FILE");
                (StatusCode::OK, [(axum::http::HeaderName::from_static("x-calendar-warning"), "true")], text).into_response()
            }
        }
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}
