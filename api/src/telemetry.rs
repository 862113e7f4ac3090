//! Log lines and traces. Logs go to standard output (JSON in production); when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, the same `tracing` spans also leave the process as
//! OpenTelemetry traces over OTLP/HTTP (protobuf), service `tongxin`: one trace per request, a
//! `graphql` span named for the operation inside it, and sea-orm's database spans below that.
//!
//! Why OTLP over HTTP rather than gRPC: it needs no `tonic` stack, every collector accepts it on
//! port 4318, and the HTTP client is the `reqwest` the project already builds. The SDK exports
//! from its own thread; [`OnRuntime`] runs each export on the server's Tokio runtime, whose
//! reactor the async client needs.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::{Layer, filter::Targets, registry::LookupSpan};

/// The `service.name` of every exported span.
pub const SERVICE_NAME: &str = "tongxin";

/// How long one export may take before it is dropped (the collector is near, or down).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends the exporter's requests with the server's `reqwest` client on the server's runtime.
#[derive(Debug)]
struct OnRuntime {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for OnRuntime {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let send = async move {
            let response = client.execute(request.try_into()?).await?;
            let mut out = Response::builder().status(response.status().as_u16());
            for (name, value) in response.headers() {
                out = out.header(name.as_str(), value.as_bytes());
            }
            let body = response.bytes().await?;
            Ok::<_, HttpError>(out.body(body)?)
        };
        self.runtime.spawn(send).await?
    }
}

/// The trace pipeline to `endpoint` (the collector's base URL); call within the Tokio runtime.
/// Keep the provider: [`shutdown`] flushes what is still buffered.
pub fn tracer_provider(endpoint: &str) -> Result<SdkTracerProvider, String> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| "OTEL_EXPORTER_OTLP_ENDPOINT: no Tokio runtime".to_owned())?;
    let client = reqwest::Client::builder().timeout(EXPORT_TIMEOUT).build().map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(OnRuntime { client, runtime })
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    let resource = Resource::builder().with_service_name(SERVICE_NAME).build();
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
}

/// The `tracing` layer that turns spans into OpenTelemetry spans of `provider`: the request,
/// GraphQL and database spans (`info`), not the debug chatter of the drivers.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let filter = Targets::new().with_default(tracing::Level::INFO);
    tracing_opentelemetry::layer().with_tracer(provider.tracer(SERVICE_NAME)).with_filter(filter)
}

/// Exports what is still buffered and stops the pipeline. Blocks, so it runs off the runtime's
/// worker threads.
pub async fn shutdown(provider: SdkTracerProvider) {
    let done = tokio::task::spawn_blocking(move || provider.shutdown()).await;
    if let Ok(Err(e)) = done {
        eprintln!("trace export shutdown: {e}");
    }
}

/// Flushes buffered spans now (tests, and before a planned exit).
pub async fn flush(provider: &SdkTracerProvider) {
    let provider = provider.clone();
    let _ = tokio::task::spawn_blocking(move || provider.force_flush()).await;
}

/// Installs the process's subscriber: log lines filtered by `RUST_LOG` (default `info`, drivers at
/// `warn`), JSON in production, the pool-wait histogram of `/metrics`, and the OpenTelemetry layer
/// when there is a `provider`. Every line
/// inside a request carries the request's span, so its `request_id`.
pub fn init(json: bool, provider: Option<&SdkTracerProvider>) {
    use tracing_subscriber::{EnvFilter, fmt, prelude::*};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let logs = if json { fmt::layer().json().boxed() } else { fmt::layer().boxed() };
    tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(crate::metrics::pool_waits::layer())
        .with(provider.map(layer))
        .init();
}
