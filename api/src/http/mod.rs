//! The HTTP surface: `POST /graphql` (queries also over GET, never mutations), the WebSocket for
//! subscriptions, GraphiQL in development, the staff console at `/console`, health probes, and the protective layers (security
//! headers, CORS, body limit, timeout, request ids, tracing without personal data).

mod app;
mod console;
mod documents;
mod graphiql;
mod graphql;
mod headers;
mod links;
pub mod metrics;
mod request_id;
mod router;
mod uploads;
mod ws;

pub use router::router;
pub use ws::MAX_OPERATIONS as WS_MAX_OPERATIONS;
