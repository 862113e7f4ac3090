//! What every handler of the HTTP surface shares: the router's state (the schemas and the
//! document gate), and the client's address and socket peer of a request.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::{ConnectInfo, Request},
    http::HeaderMap,
};

use crate::{
    graphql::{context::ClientAddr, gate::Gate, schema::AppSchema},
    state::AppState,
};

/// The router's state.
#[derive(Clone)]
pub(super) struct Http {
    pub(super) state: AppState,
    pub(super) schema: AppSchema,
    /// The same schema without per-request validation, for trusted documents that passed it
    /// ([`prevalidated`](crate::graphql::prevalidated)).
    pub(super) prevalidated_schema: AppSchema,
    pub(super) ws_schema: AppSchema,
    pub(super) gate: Arc<Gate>,
}

/// The socket peer of the request, when the server was started with connection info.
pub(super) fn connect_info(req: &Request) -> Option<SocketAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` entry when the proxy in
/// front is trusted.
pub(super) fn client_addr(state: &AppState, ci: Option<SocketAddr>, headers: &HeaderMap) -> ClientAddr {
    if state.config.trust_proxy
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
