//! The transactional outbox. `enqueue` writes the e-mail in the caller's transaction, so an e-mail
//! exists exactly when the change that caused it committed. The worker claims due rows with a
//! conditional UPDATE (a lease), which on both SQLite and PostgreSQL lets only one process own a
//! row: two servers never send the same e-mail twice.
//!
//! Failed deliveries come back after an exponential backoff for `OUTBOX_MAX_ATTEMPTS` attempts,
//! then on a slow schedule (`OUTBOX_SLOW_RETRY_SECS`) until `OUTBOX_GIVE_UP_AFTER_DAYS` after
//! queueing: an SMTP outage of an afternoon loses nothing. Only then is the e-mail `failed`, and
//! an administrator can still requeue it (`mail::failed`).
//!
//! Delivery is at least once: a crash between the SMTP server accepting a message and the row
//! being marked sent delivers it again after the lease. The Message-ID is the row id, stable
//! across attempts, so receiving systems can recognise the duplicate.

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

use super::{templates::Mail, transport::Mailer};
use crate::error::AppResult;

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
    outbox::Entity::insert(pending(id, recipient, mail, child, now)).exec_without_returning(conn).await?;
    Ok(id)
}

/// A new outbox row, due at once and never tried: an e-mail as it is; a family's notice sets its
/// account, event and parameters on top.
pub(crate) fn pending(id: Uuid, recipient: &str, mail: Mail, child: Option<Uuid>, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
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
        account_id: Set(None),
        event: Set(None),
        params: Set(None),
        channel: Set(None),
        refused: Set(None),
        delivered_via: Set(None),
    }
}

/// Delay before attempt `attempts + 1`: 5 s, 10 s, 20 s … capped at one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let secs = std::cmp::min(5i64.saturating_mul(1i64 << attempts.clamp(0, 20)), 3600);
    chrono::Duration::seconds(secs)
}

/// When failed deliveries are tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts on the exponential backoff.
    pub fast_attempts: i32,
    /// Delay between attempts once the fast ones ran out.
    pub slow_every: chrono::Duration,
    /// Age (since queueing) after which a failing e-mail is marked `failed`.
    pub give_up_after: chrono::Duration,
    /// How long a worker owns a claimed row (`OUTBOX_LEASE_SECS`); longer than any provider's
    /// or the SMTP server's timeout.
    pub lease: chrono::Duration,
}

impl Default for Retry {
    /// The configuration defaults: 8 fast attempts, then hourly for three days.
    fn default() -> Self {
        Retry {
            fast_attempts: 8,
            slow_every: chrono::Duration::hours(1),
            give_up_after: chrono::Duration::days(3),
            lease: chrono::Duration::seconds(60),
        }
    }
}

impl Retry {
    /// The schedule configured by `OUTBOX_MAX_ATTEMPTS`, `OUTBOX_SLOW_RETRY_SECS` and
    /// `OUTBOX_GIVE_UP_AFTER_DAYS`.
    pub fn from_config(c: &crate::config::Config) -> Self {
        Retry {
            fast_attempts: c.outbox_max_attempts,
            slow_every: chrono::Duration::seconds(c.outbox_slow_retry_secs.clamp(1, 365 * 24 * 3600) as i64),
            give_up_after: chrono::Duration::days(i64::from(c.outbox_give_up_after_days)),
            lease: chrono::Duration::seconds(c.outbox_lease_secs.clamp(1, 24 * 3600) as i64),
        }
    }

    /// After the `attempts`-th failure of an e-mail queued at `queued`: the time of the next
    /// attempt, or `None` when it is time to give up.
    pub fn next_attempt(&self, attempts: i32, queued: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts < self.fast_attempts {
            return Some(now + backoff(attempts));
        }
        let next = now + self.slow_every;
        // The last slow attempt falls at or before the deadline, never after it.
        if now - queued >= self.give_up_after { None } else { Some(std::cmp::min(next, queued + self.give_up_after)) }
    }
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
/// Notices to a family's account (`notify::enqueue`) are left to `notify::deliver::deliver_due`,
/// which chooses their channel.
pub async fn deliver_due(db: &DatabaseConnection, mailer: &Mailer, from: &str, retry: &Retry, now: DateTime<Utc>) -> AppResult<Pass> {
    let mut pass = Pass::default();
    for id in due(db, Kind::Mail, now).await? {
        let Some(row) = claim(db, id, retry.lease, now).await? else { continue };
        let message = build(&row, from);
        let attempts = row.attempts + 1;
        let result = match message {
            Ok(message) => mailer.send(message).await,
            Err(e) => Err(e),
        };
        let update = outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::value(attempts))
            .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(outbox::Column::Id.eq(id));
        match result {
            Ok(()) => {
                // Marked sent by the very next statement, before anything else (even logging):
                // this is the window in which a crash delivers the e-mail twice.
                update
                    .col_expr(outbox::Column::Status, Expr::value("sent"))
                    .col_expr(outbox::Column::SentAt, Expr::value(Some(now)))
                    .exec(db)
                    .await?;
                tracing::info!(outbox_id = %id, attempts, transport = mailer.kind(), "mail delivered");
                pass.sent += 1;
            }
            Err(error) => {
                let next = retry.next_attempt(attempts, row.created_at, now);
                let gave_up = next.is_none();
                tracing::warn!(outbox_id = %id, attempts, gave_up, %error, "mail delivery failed");
                update
                    .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                    .col_expr(outbox::Column::NextAttemptAt, Expr::value(next.unwrap_or(now)))
                    .col_expr(outbox::Column::Status, Expr::value(if gave_up { "failed" } else { "pending" }))
                    .exec(db)
                    .await?;
                pass.failed += 1;
            }
        }
    }
    Ok(pass)
}

/// Which rows a delivery pass takes: e-mails to an address, or notices to a family's account
/// (`notify::deliver`), whose channel is chosen when they are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Rows without an account.
    Mail,
    /// Rows naming a family's account.
    Notice,
}

/// Up to one batch of due, unleased rows of `kind`, oldest due first.
pub(crate) async fn due(db: &DatabaseConnection, kind: Kind, now: DateTime<Utc>) -> AppResult<Vec<Uuid>> {
    let owner = match kind {
        Kind::Mail => outbox::Column::AccountId.is_null(),
        Kind::Notice => outbox::Column::AccountId.is_not_null(),
    };
    Ok(outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(owner)
        .filter(outbox::Column::Status.eq("pending"))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(outbox::Column::LockedUntil.is_null().or(outbox::Column::LockedUntil.lt(now)))
        .order_by_asc(outbox::Column::NextAttemptAt)
        // Rows due at the same instant (one clock reading, or a frozen test clock) go out in the
        // order they were queued: ids are UUIDv7, increasing within the process. Without this,
        // PostgreSQL may return ties in any order and a family could hear "in progress" before
        // "accepted".
        .order_by_asc(outbox::Column::Id)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?)
}

/// Claims row `id` for `lease`: a conditional UPDATE that only one process's statement matches,
/// so only that process owns the row until the lease ends. The row as claimed, or `None` when
/// another process got it first (or it is no longer pending).
pub(crate) async fn claim(
    db: &DatabaseConnection,
    id: Uuid,
    lease: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<Option<outbox::Model>> {
    let claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::LockedUntil, Expr::value(now + lease))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq("pending"))
        .filter(outbox::Column::LockedUntil.is_null().or(outbox::Column::LockedUntil.lt(now)))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    Ok(outbox::Entity::find_by_id(id).one(db).await?)
}

/// The e-mail of a row, to `row.recipient`.
pub(crate) fn build(row: &outbox::Model, from: &str) -> Result<Message, String> {
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
