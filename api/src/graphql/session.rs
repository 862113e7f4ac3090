//! The tokens a login answers with, shared by e-mail login (`accounts`) and families' sign-in
//! (`signin`).

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};

use crate::services::accounts::SessionTokens;

/// Tokens of a login.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived bearer token for `Authorization: Bearer`.
    pub access_token: String,
    /// Single-use token for `refreshSession`; store it securely.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
}

impl From<SessionTokens> for AuthPayload {
    fn from(t: SessionTokens) -> Self {
        AuthPayload { access_token: t.access_token, refresh_token: t.refresh_token, expires_at: t.expires_at }
    }
}
