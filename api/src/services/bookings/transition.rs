//! The one way a booking changes state: `domain::lifecycle::booking` decides whether the move is
//! allowed from the state read, and the row is updated only if it is still in that state.

use domain::lifecycle::booking::{BookingAction, BookingStatus};
use entities::{booking, status::BookingStatus as Stored};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, UpdateMany, sea_query::Expr};

use crate::error::{AppError, AppResult};

/// A move checked against `domain::lifecycle`, with the error its call site answers when the
/// move is refused or another writer moved the row first.
pub(crate) struct Checked {
    from: BookingStatus,
    /// The state after the move.
    pub to: BookingStatus,
    refused: AppError,
}

/// Checks `action` from the booking's stored state; `refused` is the call site's answer.
pub(crate) fn check(b: &booking::Model, action: BookingAction, refused: AppError) -> AppResult<Checked> {
    let from = BookingStatus::from(b.status);
    match from.next(action) {
        Ok(to) => Ok(Checked { from, to, refused }),
        Err(_) => Err(refused),
    }
}

/// Moves the booking by a checked move, with the call site's other columns.
pub(crate) async fn apply(
    conn: &impl ConnectionTrait,
    b: &booking::Model,
    checked: Checked,
    extra: impl FnOnce(UpdateMany<booking::Entity>) -> UpdateMany<booking::Entity>,
) -> AppResult<BookingStatus> {
    let Checked { from, to, refused } = checked;
    let update = booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(Stored::from(to)))
        .filter(booking::Column::Id.eq(b.id))
        .filter(booking::Column::Status.eq(Stored::from(from)));
    if extra(update).exec(conn).await?.rows_affected != 1 {
        return Err(refused);
    }
    Ok(to)
}

/// The stored states from which `action` is allowed, for the moves of many bookings at once (a
/// cancelled session, an erased child, the first of a waiting list).
pub(crate) fn movable_by(action: BookingAction) -> Vec<Stored> {
    BookingStatus::ALL.iter().filter(|s| s.next(action).is_ok()).map(|s| Stored::from(*s)).collect()
}
