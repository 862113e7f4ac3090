//! Queue events for the staff console's `queueEvents` subscription. With PostgreSQL, events go
//! through `pg_notify` inside the transaction that caused them (delivered only if it commits) and
//! every server process LISTENs, so a subscriber on one process sees events caused through
//! another. With SQLite (one process) they go straight to the in-process channel. The same
//! listener carries session revocations (`auth::sessions`).

use std::sync::Arc;

use entities::request;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{
    auth::sessions::{CHANNEL as SESSIONS, Revoked, SessionCache},
    error::AppResult,
};

const CHANNEL: &str = "tongxin_queue";

/// Something a queue's staff should see at once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct QueueEvent {
    /// `new`, `transferred` or `escalated`.
    pub kind: String,
    /// The request.
    pub request_id: Uuid,
    /// Queue department.
    pub department_code: String,
    /// Queue region.
    pub region_code: String,
    /// Entitlement.
    pub entitlement_code: String,
    /// Status after the event.
    pub status: String,
}

/// Fan-out of queue events to this process's subscribers.
#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<QueueEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus { tx: broadcast::channel(1024).0 }
    }
}

impl EventBus {
    /// Publishes an event of the caller's transaction.
    pub async fn publish(&self, conn: &impl ConnectionTrait, kind: &str, r: &request::Model) -> AppResult<()> {
        let e = QueueEvent {
            kind: kind.to_owned(),
            request_id: r.id,
            department_code: r.department_code.clone(),
            region_code: r.region_code.clone(),
            entitlement_code: r.entitlement_code.clone(),
            status: r.status.to_string(),
        };
        if conn.get_database_backend() == DbBackend::Postgres {
            let payload = serde_json::to_string(&e).unwrap_or_default();
            conn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await?;
        } else {
            let _ = self.tx.send(e);
        }
        Ok(())
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<QueueEvent> {
        self.tx.subscribe()
    }

    /// LISTENs on PostgreSQL until the process ends: queue events go to local subscribers,
    /// session revocations to `sessions`. The session cache is on only while LISTEN is in place:
    /// when the connection drops, revocations could be missed, so the cache empties and waits
    /// for a new connection (tried every second).
    pub fn spawn_pg_listener(&self, url: String, sessions: Arc<SessionCache>) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            loop {
                match listen(&url).await {
                    Ok(mut listener) => {
                        sessions.set_live(true);
                        // `try_recv` reports a lost connection as `None` instead of reconnecting
                        // silently, which is what lets the cache switch off.
                        while let Ok(Some(n)) = listener.try_recv().await {
                            match n.channel() {
                                CHANNEL => {
                                    if let Ok(e) = serde_json::from_str::<QueueEvent>(n.payload()) {
                                        let _ = tx.send(e);
                                    }
                                }
                                _ => {
                                    if let Some(r) = Revoked::parse(n.payload()) {
                                        sessions.forget(r);
                                    }
                                }
                            }
                        }
                        sessions.set_live(false);
                        tracing::warn!("event listener lost its connection; session cache off until it is back");
                    }
                    Err(e) => tracing::error!(error = %e, "event listener could not connect"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
    }
}

async fn listen(url: &str) -> Result<sea_orm::sqlx::postgres::PgListener, sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
    listener.listen_all([CHANNEL, SESSIONS]).await?;
    Ok(listener)
}
