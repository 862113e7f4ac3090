//! What a resolver reads from the request's context: the server's state, the caller's language
//! and client address. The transport (`http`) puts them there; this leaf is what every resolver
//! module imports, so no resolver depends on another one or on the transport for them.

use std::net::IpAddr;

use async_graphql::{Context, context::ContextBase};

use crate::{error::Lang, state::AppState};

/// The client's address as seen by the server (or from `X-Forwarded-For` behind a trusted proxy).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The state of the server, from the schema data (for a field's context or a selection's).
pub fn state<'a, T>(ctx: &ContextBase<'a, T>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// The caller's client address (`None` when the transport does not know it), which keys the
/// throttles of logins and of the mutations that send e-mail.
pub fn client_addr(ctx: &Context<'_>) -> Option<IpAddr> {
    ctx.data_opt::<ClientAddr>().and_then(|a| a.0)
}

/// The request's language.
pub fn lang(ctx: &Context<'_>) -> Lang {
    ctx.data_opt::<Lang>().copied().unwrap_or_default()
}
