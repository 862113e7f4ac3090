//! The HTTP surface: `POST /graphql` (queries also over GET, never mutations), GraphiQL in
//! development, health probes, and the protective layers (body limit, timeout, request ids,
//! tracing without personal data).

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::{
    Router,
    extract::{ConnectInfo, FromRequest, Request, State, WebSocketUpgrade},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    auth::viewer::Auth,
    error::Lang,
    graphql::{AppSchema, errors},
    services::accounts,
    state::AppState,
};

/// The client's address as seen by the server (or from `X-Forwarded-For` behind a trusted proxy).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

#[derive(Clone)]
struct Http {
    state: AppState,
    schema: AppSchema,
    ws_schema: AppSchema,
    documents: std::sync::Arc<ParsedQueries>,
}

/// Parsed GraphQL documents by query text. Clients send the same few operations over and over, and
/// async-graphql's (pest) parser was a fifth of the server's work in the screening profile; a
/// parsed document is reused for the identical text. Bounded, so arbitrary queries only churn it;
/// long texts and parse errors are never kept.
pub struct ParsedQueries(quick_cache::sync::Cache<String, async_graphql::parser::types::ExecutableDocument>);

impl ParsedQueries {
    /// Entries kept (distinct operations).
    const CAPACITY: usize = 512;
    /// Longest query text cached, in bytes.
    const MAX_TEXT: usize = 16 * 1024;

    fn new() -> Self {
        ParsedQueries(quick_cache::sync::Cache::new(Self::CAPACITY))
    }

    /// Attaches the cached parse of the request's query, parsing and caching it on a miss.
    fn prepare(&self, mut req: async_graphql::Request) -> async_graphql::Request {
        if req.query.len() > Self::MAX_TEXT {
            return req;
        }
        if let Some(doc) = self.0.get(&req.query) {
            req.set_parsed_query(doc);
        } else if let Ok(doc) = async_graphql::parser::parse_query(&req.query) {
            self.0.insert(req.query.clone(), doc.clone());
            req.set_parsed_query(doc);
        }
        req
    }
}

/// Builds the router for `state`.
pub fn router(state: AppState) -> Router {
    let harden = |b: async_graphql::SchemaBuilder<_, _, _>| {
        let b = b.data(state.clone());
        if state.config.graphiql_enabled() { b } else { b.disable_introspection().disable_suggestions() }
    };
    let schema = harden(crate::graphql::schema_builder()).finish();
    let ws_schema = harden(crate::graphql::ws_schema_builder()).finish();
    let http = Http { state: state.clone(), schema, ws_schema, documents: std::sync::Arc::new(ParsedQueries::new()) };
    let request_id = HeaderName::from_static("x-request-id");
    let mut graphql = axum::routing::post(graphql_post);
    graphql = if state.config.graphiql_enabled() { graphql.get(graphiql_or_query) } else { graphql.get(graphql_get) };
    Router::new()
        .route("/graphql", graphql)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/hsds/services", get(hsds_services))
        .route("/graphql/ws", get(graphql_ws))
        .with_state(http)
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
                    // Path only: query strings may carry tokens.
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.config.request_timeout()))
                .layer(RequestBodyLimitLayer::new(state.config.body_limit_bytes)),
        )
}

/// GraphQL subscriptions over WebSocket (`graphql-transport-ws` or `graphql-ws`). The access
/// token travels in the `connection_init` payload as `{"authorization": "Bearer …"}`, since
/// browsers cannot set headers on a WebSocket.
async fn graphql_ws(State(h): State<Http>, protocol: GraphQLProtocol, headers: HeaderMap, upgrade: WebSocketUpgrade) -> Response {
    let lang = Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let (state, schema) = (h.state.clone(), h.ws_schema.clone());
    upgrade.protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |stream| {
        GraphQLWebSocket::new(stream, schema, protocol)
            .on_connection_init(move |payload| async move {
                let token = ["authorization", "Authorization"]
                    .iter()
                    .find_map(|k| payload.get(*k))
                    .and_then(|v| v.as_str())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::to_owned);
                let auth = match token {
                    Some(t) => accounts::authenticate(&state, t.trim()).await.unwrap_or(Auth::Invalid),
                    None => Auth::Anonymous,
                };
                let mut data = async_graphql::Data::default();
                data.insert(auth);
                data.insert(lang);
                Ok(data)
            })
            .serve()
    })
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

async fn readyz(State(h): State<Http>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), crate::db::ping(&h.state.db)).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

async fn graphiql_or_query(h: State<Http>, req: Request) -> Response {
    if req.uri().query().is_none_or(|q| !q.contains("query=")) {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    graphql_get(h, req).await
}

fn connect_info(req: &Request) -> Option<SocketAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// GET runs queries only: a mutation over GET is refused (it could be triggered by a link).
async fn graphql_get(State(h): State<Http>, req: Request) -> Response {
    let ci = connect_info(&req);
    let headers = req.headers().clone();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let gql: async_graphql::Request = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let only_queries = async_graphql::parser::parse_query(&gql.query)
        .map(|doc| doc.operations.iter().all(|(_, op)| op.node.ty == async_graphql::parser::types::OperationType::Query))
        .unwrap_or(true);
    if !only_queries {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "POST")], "mutations and subscriptions need POST").into_response();
    }
    execute(&h, ci, &headers, gql).await
}

async fn graphql_post(State(h): State<Http>, req: Request) -> Response {
    let ci = connect_info(&req);
    let headers = req.headers().clone();
    match GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(req, &h).await {
        Ok(gql) => execute(&h, ci, &headers, gql.into_inner()).await,
        Err(rejection) => rejection.into_response(),
    }
}

async fn execute(h: &Http, ci: Option<SocketAddr>, headers: &HeaderMap, req: async_graphql::Request) -> Response {
    let lang = Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let auth = match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        None => Auth::Anonymous,
        Some(v) => match v.strip_prefix("Bearer ") {
            Some(token) => match accounts::authenticate(&h.state, token.trim()).await {
                Ok(a) => a,
                Err(e) => {
                    tracing::error!(error = %e, "authentication lookup failed");
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
            },
            None => Auth::Invalid,
        },
    };
    let addr = client_addr(h, ci, headers);
    let req = h.documents.prepare(req).data(auth).data(lang).data(addr);
    let mut resp = h.schema.execute(req).await;
    let retry = errors::finish(&mut resp, lang);
    let mut out = GraphQLResponse::from(resp).into_response();
    if let Some(secs) = retry
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    out
}

fn client_addr(h: &Http, ci: Option<SocketAddr>, headers: &HeaderMap) -> ClientAddr {
    if h.state.config.trust_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|s| s.trim().parse().ok())
    {
        return ClientAddr(Some(ip));
    }
    ClientAddr(ci.map(|c| c.ip()))
}
