//! Idempotency keys of `bookSession`, as `submitRequest` has them: a phone that lost the answer
//! retries with the same key and gets the same booking instead of `CONFLICT`.

use entities::booking;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The trimmed key, 1 to 128 characters.
pub fn check(key: &str) -> AppResult<String> {
    let key = key.trim();
    if key.is_empty() || key.len() > 128 {
        return Err(AppError::validation(
            "idempotencyKey",
            "请提供 1–128 个字符的幂等键",
            "give an idempotency key of 1 to 128 characters",
        ));
    }
    Ok(key.to_owned())
}

/// The guardian's booking made with `key`.
pub async fn find(conn: &impl ConnectionTrait, guardian: Uuid, key: &str) -> AppResult<Option<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::GuardianId.eq(guardian))
        .filter(booking::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await?)
}

/// A key reused for another session or child is a client bug: `VALIDATION` on the key.
pub fn same_input(b: &booking::Model, session_id: Uuid, child_id: Uuid) -> AppResult<()> {
    if b.session_id != session_id || b.child_id != child_id {
        return Err(AppError::validation(
            "idempotencyKey",
            "该幂等键已用于另一次预约",
            "this idempotency key was used for a different booking",
        ));
    }
    Ok(())
}
