//! E-mails the outbox gave up on: listed and requeued by administrators, counted for metrics.
//! Bodies never leave this module: an e-mail may quote a child's record.

use chrono::{DateTime, Utc};
use entities::outbox;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    services::audit,
};

/// A failed e-mail as administrators see it: where it was going and why it failed, no body.
#[derive(Debug, Clone)]
pub struct FailedMail {
    /// Outbox id (also the Message-ID).
    pub id: Uuid,
    /// Recipient address (an adult's; administrators need it to reach the person otherwise).
    pub recipient: String,
    /// Subject line (templates put no child data in subjects).
    pub subject: String,
    /// Delivery attempts made.
    pub attempts: i32,
    /// The transport's last error.
    pub last_error: Option<String>,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
}

/// How many e-mails are `failed`; the gauge for monitoring (`/metrics` exports it).
pub async fn failed_count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(outbox::Entity::find().filter(outbox::Column::Status.eq("failed")).count(db).await?)
}

/// Failed e-mails in id (queueing) order, after `after`.
pub async fn list(db: &DatabaseConnection, after: Option<Uuid>, limit: usize) -> AppResult<Vec<FailedMail>> {
    let mut q = outbox::Entity::find().filter(outbox::Column::Status.eq("failed"));
    if let Some(a) = after {
        q = q.filter(outbox::Column::Id.gt(a));
    }
    let rows = q.order_by_asc(outbox::Column::Id).limit(limit as u64).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| FailedMail {
            id: r.id,
            recipient: r.recipient,
            subject: r.subject,
            attempts: r.attempts,
            last_error: r.last_error,
            queued_at: r.created_at,
        })
        .collect())
}

/// Puts one failed e-mail back on the fast schedule. `NOT_FOUND` for an unknown id, `CONFLICT`
/// for an e-mail that has not failed (requeueing a sent one would send it twice).
pub async fn requeue(db: &DatabaseConnection, actor: Uuid, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    if outbox::Entity::find_by_id(id).one(db).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if requeue_where(db, Some(id), now).await? == 0 {
        return Err(AppError::conflict("该邮件未处于发送失败状态", "this e-mail has not failed"));
    }
    audit::record(db, Some(actor), "mail.requeued", "outbox", &id.to_string(), None, now).await
}

/// Puts every failed e-mail back on the fast schedule; returns how many.
pub async fn requeue_all(db: &DatabaseConnection, actor: Uuid, now: DateTime<Utc>) -> AppResult<u64> {
    let n = requeue_where(db, None, now).await?;
    audit::record(db, Some(actor), "mail.requeued_all", "outbox", "*", Some(serde_json::json!({ "count": n })), now).await?;
    Ok(n)
}

/// A requeue is a new queueing: attempts start again and so does the give-up period.
async fn requeue_where(db: &DatabaseConnection, id: Option<Uuid>, now: DateTime<Utc>) -> AppResult<u64> {
    let mut q = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("pending"))
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox::Column::CreatedAt, Expr::value(now))
        .filter(outbox::Column::Status.eq("failed"));
    if let Some(id) = id {
        q = q.filter(outbox::Column::Id.eq(id));
    }
    Ok(q.exec(db).await?.rows_affected)
}
