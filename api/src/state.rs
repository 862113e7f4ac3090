//! Everything a request handler needs, built once at start-up and cheap to clone.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::{auth::jwt::JwtKeys, clock::Clock, config::Config, mail::Mailer, pii::Pii, ratelimit::RateLimits, reference::Reference};

/// Shared server state.
#[derive(Clone)]
pub struct AppState {
    /// Connection pool.
    pub db: DatabaseConnection,
    /// Settings.
    pub config: Arc<Config>,
    /// Access-token keys.
    pub jwt: JwtKeys,
    /// Keys protecting identity numbers at rest.
    pub pii: Arc<Pii>,
    /// Mail transport used by the outbox worker.
    pub mailer: Mailer,
    /// Authentication throttles.
    pub limits: Arc<RateLimits>,
    /// Wakes the outbox worker after a commit that enqueued mail.
    pub mail_wake: Arc<Notify>,
    /// Policy versions and region knowledge.
    pub reference: Arc<Reference>,
    /// Now.
    pub clock: Clock,
    /// Queue events for subscriptions.
    pub events: crate::events::EventBus,
    /// Authenticated sessions remembered between requests.
    pub sessions: Arc<crate::auth::sessions::SessionCache>,
    /// This process's shutdown, which its open sockets follow.
    pub drain: crate::drain::Drain,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// SMS transport of the families' sign-in codes.
    pub sms: Arc<crate::sms::Sms>,
    /// The families' mini-program, when WeChat sign-in is configured.
    pub wechat: Option<Arc<crate::wechat::WeChat>>,
    /// Where documents' encrypted bytes are kept.
    pub documents: crate::storage::Store,
    /// GraphQL documents clients may send by hash (persisted operations).
    pub trusted: Arc<crate::graphql::persisted::TrustedDocuments>,
}
