//! OpenTelemetry traces over OTLP/HTTP, received by a fake collector that checks what a real one
//! checks: `POST /v1/traces`, `Content-Type: application/x-protobuf`, a body that decodes as an
//! `ExportTraceServiceRequest`.

use std::sync::{Arc, Mutex};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use integration_tests::TestApp;
use opentelemetry_proto::tonic::{
    collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse},
    common::v1::any_value::Value as AnyValue,
    trace::v1::Span,
};
use prost::Message;
use serde_json::json;
use tracing_subscriber::prelude::*;

type Received = Arc<Mutex<Vec<ExportTraceServiceRequest>>>;

async fn collect(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> (StatusCode, Vec<u8>) {
    if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("application/x-protobuf") {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Vec::new());
    }
    let Ok(export) = ExportTraceServiceRequest::decode(body) else { return (StatusCode::BAD_REQUEST, Vec::new()) };
    received.lock().expect("received").push(export);
    (StatusCode::OK, ExportTraceServiceResponse::default().encode_to_vec())
}

/// A collector on a loopback port; returns its base URL and what it received.
async fn fake_collector() -> (String, Received) {
    let received = Received::default();
    let app = axum::Router::new().route("/v1/traces", post(collect)).with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), received)
}

fn service_name(export: &ExportTraceServiceRequest) -> Vec<String> {
    export
        .resource_spans
        .iter()
        .filter_map(|rs| rs.resource.as_ref())
        .flat_map(|r| r.attributes.iter())
        .filter(|kv| kv.key == "service.name")
        .filter_map(|kv| match kv.value.as_ref()?.value.as_ref()? {
            AnyValue::StringValue(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn one_operation_is_one_trace_with_its_database_spans() {
    if !super::in_own_process("operability::metrics::traces::one_operation_is_one_trace_with_its_database_spans") {
        return;
    }
    let (url, received) = fake_collector().await;
    let provider = api::telemetry::tracer_provider(&url).expect("pipeline");
    // The test's runtime runs every task on this thread, so the server's spans go to this
    // subscriber (the process-wide one stays untouched for the other tests).
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(api::telemetry::layer(&provider)));
    let app = TestApp::spawn_with(|c| c.workers = false).await;
    let g = app.guardian("traced-mum@example.org").await;
    let r = app.gql(Some(&g), "query TracedHome { myHousehold { id } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    api::telemetry::flush(&provider).await;

    let exports = received.lock().expect("received").clone();
    assert!(!exports.is_empty(), "the collector received nothing");
    assert!(exports.iter().all(|e| service_name(e) == ["tongxin"]), "service.name");
    let spans: Vec<Span> =
        exports.into_iter().flat_map(|e| e.resource_spans).flat_map(|rs| rs.scope_spans).flat_map(|ss| ss.spans).collect();
    let op = spans
        .iter()
        .find(|s| s.name == "query TracedHome")
        .unwrap_or_else(|| panic!("no span for the operation among {:?}", spans.iter().map(|s| &s.name).collect::<Vec<_>>()));
    let root = spans.iter().find(|s| s.span_id == op.parent_span_id).expect("the operation's parent span");
    assert_eq!(root.name, "POST /graphql");
    assert!(root.parent_span_id.is_empty(), "the request span is the root of the trace");
    let in_trace: Vec<&Span> = spans.iter().filter(|s| s.trace_id == op.trace_id).collect();
    let db: Vec<&&Span> = in_trace.iter().filter(|s| s.name.starts_with("sea_orm.") && s.parent_span_id == op.span_id).collect();
    assert!(!db.is_empty(), "no database span under the operation: {:?}", in_trace.iter().map(|s| &s.name).collect::<Vec<_>>());
    // One trace per operation: the guardian's earlier operations are traces of their own.
    let roots = spans.iter().filter(|s| s.parent_span_id.is_empty() && s.name == "POST /graphql").count();
    let traces: std::collections::HashSet<&Vec<u8>> = spans.iter().filter(|s| s.name == "POST /graphql").map(|s| &s.trace_id).collect();
    assert_eq!(roots, traces.len());
}
