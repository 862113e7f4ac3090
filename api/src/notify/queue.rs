//! Queuing a notice in the caller's transaction (see the module page of `notify`).

use chrono::{DateTime, Utc};
use entities::outbox;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::kinds::Notice;
use crate::error::AppResult;

/// Queues `notice` to the family's `account` inside the caller's transaction; `child` names the
/// child it is about (erasing the child purges it, as `outbox::enqueue_about`).
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    account: Uuid,
    child: Option<Uuid>,
    notice: Notice,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    debug_assert_eq!(notice.params.len(), notice.event.param_count());
    let id = Uuid::now_v7();
    // The address is looked up when the e-mail is sent: the family may add or change it.
    let row = outbox::ActiveModel {
        account_id: Set(Some(account)),
        event: Set(Some(notice.event.as_str().into())),
        params: Set(Some(serde_json::to_string(&notice.params).unwrap_or_else(|_| "[]".into()))),
        ..crate::mail::outbox::pending(id, "", notice.mail, child, now)
    };
    outbox::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(id)
}
