//! Idempotency keys of `bookSession`, as `submitRequest` has them: a phone that lost the answer
//! retries with the same key and gets the same booking instead of `CONFLICT`. The key's rule is
//! `domain::input::IdempotencyKey`, parsed where the GraphQL input is read.

use entities::booking;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

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
