//! Giving a place up: the family cancels until the organization's cutoff, erasure cancels the
//! child's places, and a freed seat goes to the first waiting child, whose guardian is told.

use chrono::{DateTime, Duration, Utc};
use domain::lifecycle::booking::{BookingAction, BookingStatus};
use entities::{booking, service, session};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    transition::{apply, check, movable_by},
    view::BookingView,
};
use crate::{
    auth::{Role, Viewer},
    error::{AppError, AppResult},
    mail::templates,
    notify,
    services::{children, requests::transition::commit_and_wake},
    state::AppState,
};

/// Locks a session row until the commit.
pub(crate) async fn lock_session(txn: &DatabaseTransaction, id: Uuid) -> AppResult<session::Model> {
    // FOR UPDATE on PostgreSQL; SQLite ignores it and is already serialised by BEGIN IMMEDIATE.
    session::Entity::find_by_id(id).lock_exclusive().one(txn).await?.ok_or(AppError::NotFound)
}

/// Gives the first waiting child the freed seat and e-mails its guardian; returns the promoted booking.
async fn promote_next(
    txn: &DatabaseTransaction,
    sess: &session::Model,
    svc: &service::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<Uuid>> {
    let Some(next) = booking::Entity::find()
        .filter(booking::Column::SessionId.eq(sess.id))
        .filter(booking::Column::Status.is_in(movable_by(BookingAction::Promote)))
        .order_by_asc(booking::Column::WaitlistSeq)
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    let checked = check(&next, BookingAction::Promote, AppError::internal("the first waiting booking cannot be promoted"))?;
    session::Entity::update_many()
        .col_expr(session::Column::Booked, Expr::col(session::Column::Booked).add(1))
        .filter(session::Column::Id.eq(sess.id))
        .filter(Expr::col(session::Column::Booked).lt(Expr::col(session::Column::Capacity)))
        .exec(txn)
        .await?;
    apply(txn, &next, checked, |u| {
        u.col_expr(booking::Column::WaitlistSeq, Expr::value(Option::<i64>::None))
            .col_expr(booking::Column::PromotedAt, Expr::value(Some(now)))
    })
    .await?;
    let when = (sess.starts_at + Duration::hours(8)).format("%Y-%m-%d %H:%M");
    let mail = templates::notice(
        "候补成功：您已获得活动名额",
        "A seat is yours",
        format!("好消息！“{}”（{when}）有名额空出，您的孩子已从候补转为正式预约。", svc.name),
        format!("Good news: a seat became free in \"{}\" ({when} Beijing time); your child's booking is now confirmed.", svc.name),
    );
    let notice = notify::events::booking_update(&svc.name, sess.starts_at, "候补成功", mail);
    notify_guardian(txn, (next.guardian_id, next.child_id), notice, now).await?;
    Ok(Some(next.id))
}

/// Tells the guardian who booked, on the family's channels (`notify`), about the booked child.
pub(crate) async fn notify_guardian(
    conn: &impl ConnectionTrait,
    (guardian_id, child): (Uuid, Uuid),
    notice: notify::Notice,
    now: DateTime<Utc>,
) -> AppResult<()> {
    notify::enqueue(conn, guardian_id, Some(child), notice, now).await?;
    Ok(())
}

/// A booking the guardian may act on (their own household's child); others are `NOT_FOUND`.
async fn own_booking(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<booking::Model> {
    let b = booking::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::Guardian || children::guardian_child(conn, viewer, b.child_id).await.is_err() {
        return Err(AppError::NotFound);
    }
    Ok(b)
}

fn already_over() -> AppError {
    AppError::conflict("该预约已取消或已结束", "the booking is already cancelled or over")
}

/// Cancels a booking until the organization's cutoff; a freed seat is offered to the first
/// waiting child.
pub async fn cancel(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<BookingView> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let b = own_booking(&txn, viewer, id).await?;
    let sess = lock_session(&txn, b.session_id).await?;
    let svc = service::Entity::find_by_id(sess.service_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let b = booking::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    check(&b, BookingAction::Cancel, already_over())?;
    if now > sess.starts_at - Duration::hours(i64::from(svc.cancel_cutoff_hours)) {
        return Err(AppError::Validation {
            field: "id".into(),
            msg: crate::error::Msg::owned(
                format!("活动开始前 {} 小时内不能在线取消，请联系组织方", svc.cancel_cutoff_hours),
                format!(
                    "bookings cannot be cancelled online within {} hours of the start; contact the organization",
                    svc.cancel_cutoff_hours
                ),
            ),
        });
    }
    let to = release(&txn, &b, &sess, &svc, now).await?;
    let sess = session::Entity::find_by_id(sess.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    commit_and_wake(state, txn).await?;
    let booking = booking::Model { status: to.into(), cancelled_at: Some(now), waitlist_seq: None, ..b };
    Ok(BookingView { booking, session: sess, service: svc, waitlist_position: None })
}

/// Cancels a booking whose session is locked by the caller; a freed seat goes to the first
/// waiting child. Returns the stored state it moved to.
async fn release(
    txn: &DatabaseTransaction,
    b: &booking::Model,
    sess: &session::Model,
    svc: &service::Model,
    now: DateTime<Utc>,
) -> AppResult<BookingStatus> {
    let checked = check(b, BookingAction::Cancel, already_over())?;
    let held_seat = BookingStatus::from(b.status) == BookingStatus::Confirmed;
    let to = apply(txn, b, checked, |u| {
        u.col_expr(booking::Column::CancelledAt, Expr::value(Some(now)))
            .col_expr(booking::Column::WaitlistSeq, Expr::value(Option::<i64>::None))
    })
    .await?;
    if held_seat {
        session::Entity::update_many()
            .col_expr(session::Column::Booked, Expr::col(session::Column::Booked).sub(1))
            .filter(session::Column::Id.eq(sess.id))
            .exec(txn)
            .await?;
        promote_next(txn, sess, svc, now).await?;
    }
    Ok(to)
}

/// Cancels every booking of the child for a session that has not started (erasure: the seat
/// goes to the next waiting child, past attendance stays for statistics).
pub(crate) async fn cancel_for_child(txn: &DatabaseTransaction, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let held = booking::Entity::find()
        .filter(booking::Column::ChildId.eq(child_id))
        .filter(booking::Column::Status.is_in(movable_by(BookingAction::Cancel)))
        .all(txn)
        .await?;
    let mut n = 0;
    for b in held {
        let sess = lock_session(txn, b.session_id).await?;
        if sess.starts_at <= now {
            continue;
        }
        let svc = service::Entity::find_by_id(sess.service_id).one(txn).await?.ok_or(AppError::NotFound)?;
        release(txn, &b, &sess, &svc, now).await?;
        n += 1;
    }
    Ok(n)
}
