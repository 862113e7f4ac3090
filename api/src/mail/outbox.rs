//! The transactional outbox. `enqueue` writes the e-mail in the caller's transaction, so an e-mail
//! exists exactly when the change that caused it committed. The worker claims due rows with a
//! conditional UPDATE (a lease), which on both SQLite and PostgreSQL lets only one process own a
//! row: two servers never send the same e-mail twice. Failed deliveries come back after an
//! exponential backoff until `OUTBOX_MAX_ATTEMPTS`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::outbox;
use lettre::{
    Message,
    message::{SinglePart, header},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{Mailer, templates::Mail};
use crate::error::AppResult;

/// How long a worker owns a claimed row; longer than the SMTP timeout.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
const BATCH: u64 = 20;

/// Puts an e-mail into the outbox inside the caller's transaction.
pub async fn enqueue(conn: &impl ConnectionTrait, recipient: &str, mail: Mail, now: DateTime<Utc>) -> AppResult<Uuid> {
    enqueue_about(conn, recipient, mail, None, now).await
}

/// Puts an e-mail about `child` into the outbox. Every e-mail whose text comes from a child's
/// record or the work on it must name the child here, or erasing the child would leave its text
/// behind (`services::erasure`).
pub async fn enqueue_about(
    conn: &impl ConnectionTrait,
    recipient: &str,
    mail: Mail,
    child: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(id),
        recipient: Set(recipient.to_owned()),
        subject: Set(mail.subject),
        body: Set(mail.body),
        status: Set("pending".into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        child_id: Set(child),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Delay before attempt `attempts + 1`: 5 s, 10 s, 20 s … capped at one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = std::cmp::min(5i64.saturating_mul(1i64 << attempts.clamp(0, 20)), 3600);
    chrono::Duration::seconds(secs)
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Delivered.
    pub sent: usize,
    /// Failed and rescheduled (or given up).
    pub failed: usize,
}

/// Delivers every due e-mail once; returns what happened. Safe to run in many processes at once.
pub async fn deliver_due(db: &DatabaseConnection, mailer: &Mailer, from: &str, max_attempts: i32, now: DateTime<Utc>) -> AppResult<Pass> {
    let due: Vec<Uuid> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(outbox::Column::Status.eq("pending"))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(outbox::Column::LockedUntil.is_null().or(outbox::Column::LockedUntil.lt(now)))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let mut pass = Pass::default();
    for id in due {
        // Claim: only the process whose UPDATE matched owns the row until the lease ends.
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::LockedUntil, Expr::value(now + LEASE))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq("pending"))
            .filter(outbox::Column::LockedUntil.is_null().or(outbox::Column::LockedUntil.lt(now)))
            .exec(db)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let Some(row) = outbox::Entity::find_by_id(id).one(db).await? else { continue };
        let result = match build(&row, from) {
            Ok(message) => mailer.send(message).await,
            Err(e) => Err(e),
        };
        let attempts = row.attempts + 1;
        let mut update = outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::value(attempts))
            .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(outbox::Column::Id.eq(id));
        match result {
            Ok(()) => {
                tracing::info!(outbox_id = %id, attempts, transport = mailer.kind(), "mail delivered");
                update =
                    update.col_expr(outbox::Column::Status, Expr::value("sent")).col_expr(outbox::Column::SentAt, Expr::value(Some(now)));
                pass.sent += 1;
            }
            Err(error) => {
                let gave_up = attempts >= max_attempts;
                tracing::warn!(outbox_id = %id, attempts, gave_up, %error, "mail delivery failed");
                update = update
                    .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                    .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + backoff(attempts)));
                if gave_up {
                    update = update.col_expr(outbox::Column::Status, Expr::value("failed"));
                }
                pass.failed += 1;
            }
        }
        update.exec(db).await?;
    }
    Ok(pass)
}

fn build(row: &outbox::Model, from: &str) -> Result<Message, String> {
    Message::builder()
        .from(from.parse().map_err(|e| format!("MAIL_FROM: {e}"))?)
        .to(row.recipient.parse().map_err(|e| format!("recipient: {e}"))?)
        .subject(row.subject.clone())
        .message_id(Some(format!("<{}@tongxin>", row.id)))
        .singlepart(
            SinglePart::builder()
                .header(header::ContentType::TEXT_PLAIN)
                .header(header::ContentTransferEncoding::Base64)
                .body(row.body.clone()),
        )
        .map_err(|e| e.to_string())
}

/// Runs delivery passes until `shutdown` fires; wakes early when a commit enqueued mail.
pub async fn run_worker(state: crate::state::AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let c = state.config.clone();
    let poll = Duration::from_millis(c.outbox_poll_ms);
    loop {
        if let Err(e) = deliver_due(&state.db, &state.mailer, &c.mail_from, c.outbox_max_attempts, state.clock.now()).await {
            tracing::error!(error = %e, "outbox pass failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = state.mail_wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}
