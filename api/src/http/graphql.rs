//! GraphQL over HTTP: `POST /graphql` with an `application/json` body (one operation, no
//! batches), `GET /graphql?query=…` for queries only. Every failure, down to a body that is not
//! JSON, answers with a GraphQL error body carrying `extensions.code`.

use async_graphql_axum::GraphQLResponse;
use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tracing::Instrument;

use super::app::{Http, client_addr, connect_info};
use crate::{
    auth::viewer::Auth,
    error::{AppError, Lang},
    graphql::{
        errors,
        gate::{self, Kind},
        persisted::{self, Origin},
        prevalidated,
    },
    services::accounts,
};

/// The GraphiQL page for a plain GET, a query otherwise.
pub(super) async fn graphiql_or_query(h: State<Http>, req: Request) -> Response {
    if req.uri().query().is_none_or(|q| !["query=", "documentId=", "extensions="].iter().any(|k| q.contains(k))) {
        return super::graphiql::page();
    }
    get(h, req).await
}

/// GET runs queries only: a mutation over GET is refused (it could be triggered by a link).
pub(super) async fn get(State(h): State<Http>, req: Request) -> Response {
    let ci = connect_info(&req);
    let headers = req.headers().clone();
    let lang = lang_of(&headers);
    let query = req.uri().query().unwrap_or_default().to_owned();
    let mut gql: async_graphql::Request = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(_) => {
            let e = AppError::validation("query", "查询参数格式错误", "the query string is not a GraphQL request");
            return unreadable(&h, refused(StatusCode::BAD_REQUEST, e, lang));
        }
    };
    let params = axum::extract::Query::<std::collections::HashMap<String, String>>::try_from_uri(req.uri());
    if let Some(id) = params.ok().and_then(|p| p.0.get(persisted::DOCUMENT_ID).cloned()) {
        gql.extensions.insert(persisted::DOCUMENT_ID.to_owned(), async_graphql::Value::String(id));
    }
    execute(&h, ci, &headers, gql, true).await
}

/// POST takes exactly one operation as `application/json`. Other content types are refused
/// before anything runs: a form or `text/plain` POST needs no CORS preflight, so accepting one
/// would let any web page run anonymous mutations from a visitor's browser.
pub(super) async fn post(State(h): State<Http>, req: Request) -> Response {
    let ci = connect_info(&req);
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts.headers);
    if super::uploads::is_multipart(&parts.headers) {
        return match super::uploads::receive(&h.state, &parts.headers, body).await {
            Ok(gql) => execute(&h, ci, &parts.headers, gql, false).await,
            Err(super::uploads::Refusal(status, e)) => unreadable(&h, refused(status, e, lang)),
        };
    }
    if !is_json(&parts.headers) {
        let e = AppError::validation("contentType", "请求须以 application/json 发送", "send the request as application/json");
        return unreadable(&h, refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, e, lang));
    }
    // The body limit layer bounds what this reads.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return unreadable(&h, refused(StatusCode::PAYLOAD_TOO_LARGE, too_large(), lang));
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => return unreadable(&h, refused(StatusCode::BAD_REQUEST, malformed(), lang)),
    };
    if value.is_array() {
        let e = AppError::validation(
            "body",
            "不支持批量请求，请逐个发送",
            "batched requests are not supported; send one operation per request",
        );
        return unreadable(&h, refused(StatusCode::BAD_REQUEST, e, lang));
    }
    // GraphQL over HTTP's persisted documents name the document at the top level.
    let document_id = value.get(persisted::DOCUMENT_ID).cloned();
    let mut gql: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(_) => return unreadable(&h, refused(StatusCode::BAD_REQUEST, malformed(), lang)),
    };
    if let Some(id) = document_id.and_then(|v| async_graphql::Value::from_json(v).ok()) {
        gql.extensions.insert(persisted::DOCUMENT_ID.to_owned(), id);
    }
    execute(&h, ci, &parts.headers, gql, false).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// The caller's language from `Accept-Language`.
pub(super) fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

pub(super) fn too_large() -> AppError {
    AppError::validation("body", "请求体过大", "the request body is too large")
}

fn malformed() -> AppError {
    AppError::validation("body", "请求体不是有效的 GraphQL JSON 请求", "the body is not a valid GraphQL JSON request")
}

/// A response carrying one coded error.
pub(super) fn refused(status: StatusCode, err: AppError, lang: Lang) -> Response {
    let code = err.code();
    let (resp, retry) = errors::response_of(err, lang);
    let mut out = GraphQLResponse::from(resp).into_response();
    *out.status_mut() = status;
    retry_after(&mut out, retry);
    out.extensions_mut().insert(ResultCode(code));
    out
}

fn retry_after(out: &mut Response, retry: Option<u64>) {
    if let Some(secs) = retry
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

async fn execute(
    h: &Http,
    ci: Option<std::net::SocketAddr>,
    headers: &HeaderMap,
    req: async_graphql::Request,
    queries_only: bool,
) -> Response {
    let started = std::time::Instant::now();
    let lang = lang_of(headers);
    let (mut req, kind, origin) = match h.gate.admit(&h.state, req).await {
        Ok(r) => r,
        Err(e) => return counted(h, None, false, started, refused(StatusCode::OK, e, lang)),
    };
    let name = gate::operation_name(&mut req);
    let kind_name = match kind {
        Kind::Query => "query",
        Kind::Mutation => "mutation",
        Kind::Subscription => "subscription",
    };
    // One span per operation, named as OpenTelemetry names GraphQL spans ("query MyBookings");
    // the database spans of its resolvers are its children. The name is the client's identifier
    // of the operation, never a variable.
    let span_name = format!("{kind_name} {}", name.as_deref().filter(|n| crate::metrics::is_graphql_name(n)).unwrap_or("anonymous"));
    let span =
        tracing::info_span!("graphql", otel.name = %span_name, graphql.operation.type = kind_name, graphql.code = tracing::field::Empty);
    let (out, valid) = run(h, ci, headers, req, (kind, origin), queries_only, lang).instrument(span.clone()).await;
    span.record("graphql.code", code_of_response(&out).as_str());
    counted(h, name.as_deref(), valid, started, out)
}

/// Runs an admitted operation; also says whether it passed validation (errors without a path
/// are about the request as a whole: syntax, validation, limits).
async fn run(
    h: &Http,
    ci: Option<std::net::SocketAddr>,
    headers: &HeaderMap,
    req: async_graphql::Request,
    (kind, origin): (Kind, Origin),
    queries_only: bool,
    lang: Lang,
) -> (Response, bool) {
    if queries_only && kind != Kind::Query {
        let e = AppError::validation("query", "变更与订阅须使用 POST", "mutations and subscriptions need POST");
        let mut out = refused(StatusCode::METHOD_NOT_ALLOWED, e, lang);
        out.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return (out, true);
    }
    let auth = match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        None => Auth::Anonymous,
        Some(v) => match v.strip_prefix("Bearer ") {
            Some(token) => match accounts::authenticate(&h.state, token.trim()).await {
                Ok(a) => a,
                Err(e) => {
                    tracing::error!(error = %e, "authentication lookup failed");
                    let out = refused(
                        StatusCode::SERVICE_UNAVAILABLE,
                        AppError::Unavailable { retry_after_secs: crate::error::DATABASE_RETRY_AFTER_SECS },
                        lang,
                    );
                    return (out, true);
                }
            },
            None => Auth::Invalid,
        },
    };
    if let Err(e) = h.state.trusted.check_caller(&h.state.db, &auth, &origin, &req.query).await {
        return (refused(StatusCode::OK, e, lang), true);
    }
    let addr = client_addr(&h.state, ci, headers);
    // A trusted document that passed validation once skips it, unless its variables need the
    // strict schema's check (then it answers exactly as a text would).
    let trusted = match &origin {
        Origin::Trusted(t) => Some(t.clone()),
        Origin::Text => None,
    };
    let prevalidated = trusted
        .as_ref()
        .is_some_and(|t| t.validated() && prevalidated::variables_fit(&t.doc, req.operation_name.as_deref(), &req.variables));
    // Kept to name the field of a type error; variables are small. Variables vouched for parse,
    // so no such error can follow.
    let variables = (!prevalidated && !req.variables.is_empty()).then(|| req.variables.clone());
    let schema = if prevalidated { &h.prevalidated_schema } else { &h.schema };
    let mut resp = schema.execute(req.data(auth).data(lang).data(addr)).await;
    let valid = resp.errors.iter().all(|e| !e.path.is_empty());
    if valid && let Some(t) = trusted {
        t.mark_validated();
    }
    let vars = if resp.errors.is_empty() { None } else { variables.and_then(|v| serde_json::to_value(v).ok()) };
    let retry = errors::finish_with_variables(&mut resp, lang, vars.as_ref());
    // A dependency that is down answers 503 for every caller, signed in or not, so load
    // balancers and clients back off the same way.
    let unavailable = errors::has_code(&resp, "UNAVAILABLE");
    let code = errors::first_code(&resp).unwrap_or("OK");
    let mut out = GraphQLResponse::from(resp).into_response();
    if unavailable {
        *out.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    retry_after(&mut out, retry);
    out.extensions_mut().insert(ResultCode(code));
    (out, valid)
}

/// The result code of an answered operation, carried to the metrics in the response's extensions.
#[derive(Clone, Copy)]
struct ResultCode(&'static str);

fn code_of_response(out: &Response) -> String {
    out.extensions().get::<ResultCode>().map_or("OK", |c| c.0).to_owned()
}

/// Counts a request refused before its operation could be read (as operation `other`).
fn unreadable(h: &Http, out: Response) -> Response {
    counted(h, None, false, std::time::Instant::now(), out)
}

/// Counts an operation in the metrics and hands its response back.
fn counted(h: &Http, name: Option<&str>, valid: bool, started: std::time::Instant, out: Response) -> Response {
    let operation = h.state.metrics.operation_names.label(name, valid);
    h.state.metrics.graphql(operation, &code_of_response(&out), started.elapsed());
    out
}
