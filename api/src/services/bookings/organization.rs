//! The organization's side: its sessions' bookings, attendance, and cancelling a session.

use chrono::Duration;
use domain::lifecycle::booking::{BookingAction, BookingStatus};
use entities::{booking, service, session, status::BookingStatus as Stored};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use super::{
    cancel::{lock_session, notify_guardian},
    transition::{apply, check, movable_by},
    view::{BookingView, views},
};
use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult},
    mail::templates,
    notify,
    services::{audit, directory, requests::transition::commit_and_wake},
    state::AppState,
};

/// A session of the organization-staff viewer's organization; anything else is `NOT_FOUND`.
async fn own_session(conn: &impl ConnectionTrait, viewer: &Viewer, session_id: Uuid) -> AppResult<(session::Model, service::Model)> {
    let org = directory::own_organization(conn, viewer).await.map_err(|_| AppError::NotFound)?;
    let sess = session::Entity::find_by_id(session_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let svc =
        service::Entity::find_by_id(sess.service_id).one(conn).await?.filter(|s| s.organization_id == org.id).ok_or(AppError::NotFound)?;
    Ok((sess, svc))
}

/// Bookings of one of the organization's own sessions (confirmed first, then waiting order).
pub async fn for_session(state: &AppState, viewer: &Viewer, session_id: Uuid) -> AppResult<Vec<BookingView>> {
    let _ = own_session(&state.db, viewer, session_id).await?;
    let rows = booking::Entity::find()
        .filter(booking::Column::SessionId.eq(session_id))
        .order_by_asc(booking::Column::Status)
        .order_by_asc(booking::Column::WaitlistSeq)
        .order_by_asc(booking::Column::Id)
        .all(&state.db)
        .await?;
    views(&state.db, rows).await
}

/// Records attendance after the session started.
pub async fn mark_attendance(state: &AppState, viewer: &Viewer, booking_id: Uuid, attended: bool) -> AppResult<BookingView> {
    let now = state.clock.now();
    let b = booking::Entity::find_by_id(booking_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let (sess, svc) = own_session(&state.db, viewer, b.session_id).await?;
    if now < sess.starts_at {
        return Err(AppError::validation("bookingId", "活动开始后才能登记出勤", "attendance can be recorded once the session has started"));
    }
    let refused = AppError::conflict("只有已确认的预约可以登记出勤", "only confirmed bookings have attendance");
    let checked = check(&b, BookingAction::MarkAttendance { attended }, refused)?;
    let st = apply(&state.db, &b, checked, |u| u.col_expr(booking::Column::AttendanceAt, Expr::value(Some(now)))).await?;
    Ok(BookingView {
        booking: booking::Model { status: st.into(), attendance_at: Some(now), ..b },
        session: sess,
        service: svc,
        waitlist_position: None,
    })
}

/// The organization cancels a session: every booked or waiting family is told.
pub async fn cancel_session(state: &AppState, viewer: &Viewer, session_id: Uuid, reason: &str) -> AppResult<session::Model> {
    let reason = crate::services::text::paragraph(reason, "reason", 500)?;
    let reason = reason.as_str();
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let (sess, svc) = own_session(&txn, viewer, session_id).await?;
    let _ = lock_session(&txn, session_id).await?;
    if sess.cancelled_at.is_some() {
        return Err(AppError::conflict("该场次已取消", "the session is already cancelled"));
    }
    // Every place still held is given up at once: the states a cancel moves, to the state it
    // moves them to.
    let (active, cancelled) =
        (movable_by(BookingAction::Cancel), BookingStatus::Confirmed.next(BookingAction::Cancel).map_err(AppError::internal)?);
    let affected = booking::Entity::find()
        .filter(booking::Column::SessionId.eq(session_id))
        .filter(booking::Column::Status.is_in(active.clone()))
        .all(&txn)
        .await?;
    booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(Stored::from(cancelled)))
        .col_expr(booking::Column::CancelledAt, Expr::value(Some(now)))
        .col_expr(booking::Column::WaitlistSeq, Expr::value(Option::<i64>::None))
        .filter(booking::Column::SessionId.eq(session_id))
        .filter(booking::Column::Status.is_in(active))
        .exec(&txn)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::CancelledAt, Expr::value(Some(now)))
        .col_expr(session::Column::Booked, Expr::value(0))
        .filter(session::Column::Id.eq(session_id))
        .exec(&txn)
        .await?;
    let when = (sess.starts_at + Duration::hours(8)).format("%Y-%m-%d %H:%M");
    for b in &affected {
        let mail = templates::notice(
            "活动取消通知",
            "Session cancelled",
            format!("很抱歉，“{}”（{when}）已被组织方取消。原因：{reason}", svc.name),
            format!("We are sorry: \"{}\" ({when} Beijing time) was cancelled by the organization. Reason: {reason}", svc.name),
        );
        let notice = notify::events::booking_update(&svc.name, sess.starts_at, "活动取消", mail);
        notify_guardian(&txn, (b.guardian_id, b.child_id), notice, now).await?;
    }
    audit::record(
        &txn,
        Some(viewer.account_id),
        "session.cancelled",
        "session",
        &session_id.to_string(),
        Some(serde_json::json!({"bookings": affected.len()})),
        now,
    )
    .await?;
    commit_and_wake(state, txn).await?;
    Ok(session::Model { cancelled_at: Some(now), booked: 0, ..sess })
}
