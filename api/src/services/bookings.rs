//! Bookings that never overbook. A seat is taken by a conditional
//! `UPDATE sessions SET booked = booked + 1 WHERE booked < capacity … RETURNING`, which locks the
//! session row until the commit (SQLite: `BEGIN IMMEDIATE`), and the database's
//! `CHECK (booked <= capacity)` backs it. A full session puts the child on the waiting
//! list in order; a freed seat goes to the first waiting child, whose guardian is e-mailed.

use chrono::{DateTime, Duration, Utc};
use entities::{booking, service, session};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    mail::templates,
    notify,
    services::{audit, children, directory},
    state::AppState,
};

pub use super::booking_seats::book;

/// Booking states by their stored names; the states and their moves are
/// `domain::lifecycle::booking`.
pub mod status {
    use domain::lifecycle::booking::BookingStatus as S;
    /// Has a seat.
    pub const CONFIRMED: &str = S::Confirmed.as_str();
    /// Waiting for a seat.
    pub const WAITLISTED: &str = S::Waitlisted.as_str();
    /// Cancelled by the family or with the session.
    pub const CANCELLED: &str = S::Cancelled.as_str();
    /// Came.
    pub const ATTENDED: &str = S::Attended.as_str();
    /// Did not come.
    pub const NO_SHOW: &str = S::NoShow.as_str();
}

/// A booking with its session and service, as the family or the organization sees it.
#[derive(Debug, Clone)]
pub struct BookingView {
    /// The booking.
    pub booking: booking::Model,
    /// Its session.
    pub session: session::Model,
    /// The service.
    pub service: service::Model,
    /// 1-based place in the waiting list while waitlisted.
    pub waitlist_position: Option<i64>,
}

async fn lock_session(txn: &DatabaseTransaction, id: Uuid) -> AppResult<session::Model> {
    // FOR UPDATE on PostgreSQL; SQLite ignores it and is already serialised by BEGIN IMMEDIATE.
    session::Entity::find_by_id(id).lock_exclusive().one(txn).await?.ok_or(AppError::NotFound)
}

pub(super) fn age_at(birth: chrono::NaiveDate, day: chrono::NaiveDate) -> i32 {
    domain::calendar::age_on(birth, day) as i32
}

pub(super) async fn waiting_before(conn: &impl ConnectionTrait, session_id: Uuid, seq: i64) -> AppResult<i64> {
    use sea_orm::PaginatorTrait;
    Ok(booking::Entity::find()
        .filter(booking::Column::SessionId.eq(session_id))
        .filter(booking::Column::Status.eq(status::WAITLISTED))
        .filter(booking::Column::WaitlistSeq.lt(seq))
        .count(conn)
        .await? as i64)
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
        .filter(booking::Column::Status.eq(status::WAITLISTED))
        .order_by_asc(booking::Column::WaitlistSeq)
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    session::Entity::update_many()
        .col_expr(session::Column::Booked, Expr::col(session::Column::Booked).add(1))
        .filter(session::Column::Id.eq(sess.id))
        .filter(Expr::col(session::Column::Booked).lt(Expr::col(session::Column::Capacity)))
        .exec(txn)
        .await?;
    booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(status::CONFIRMED))
        .col_expr(booking::Column::WaitlistSeq, Expr::value(Option::<i64>::None))
        .col_expr(booking::Column::PromotedAt, Expr::value(Some(now)))
        .filter(booking::Column::Id.eq(next.id))
        .exec(txn)
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
async fn notify_guardian(
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

/// Cancels a booking until the organization's cutoff; a freed seat is offered to the first
/// waiting child.
pub async fn cancel(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<BookingView> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let b = own_booking(&txn, viewer, id).await?;
    let sess = lock_session(&txn, b.session_id).await?;
    let svc = service::Entity::find_by_id(sess.service_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let b = booking::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if b.status != status::CONFIRMED && b.status != status::WAITLISTED {
        return Err(AppError::conflict("该预约已取消或已结束", "the booking is already cancelled or over"));
    }
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
    release(&txn, &b, &sess, &svc, now).await?;
    let sess = session::Entity::find_by_id(sess.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    let booking = booking::Model { status: status::CANCELLED.into(), cancelled_at: Some(now), waitlist_seq: None, ..b };
    Ok(BookingView { booking, session: sess, service: svc, waitlist_position: None })
}

/// Cancels a booking whose session is locked by the caller; a freed seat goes to the first
/// waiting child.
async fn release(
    txn: &DatabaseTransaction,
    b: &booking::Model,
    sess: &session::Model,
    svc: &service::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(status::CANCELLED))
        .col_expr(booking::Column::CancelledAt, Expr::value(Some(now)))
        .col_expr(booking::Column::WaitlistSeq, Expr::value(Option::<i64>::None))
        .filter(booking::Column::Id.eq(b.id))
        .exec(txn)
        .await?;
    if b.status == status::CONFIRMED {
        session::Entity::update_many()
            .col_expr(session::Column::Booked, Expr::col(session::Column::Booked).sub(1))
            .filter(session::Column::Id.eq(sess.id))
            .exec(txn)
            .await?;
        promote_next(txn, sess, svc, now).await?;
    }
    Ok(())
}

/// Cancels every booking of the child for a session that has not started (erasure: the seat
/// goes to the next waiting child, past attendance stays for statistics).
pub(crate) async fn cancel_for_child(txn: &DatabaseTransaction, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let held = booking::Entity::find()
        .filter(booking::Column::ChildId.eq(child_id))
        .filter(booking::Column::Status.is_in([status::CONFIRMED, status::WAITLISTED]))
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

/// The guardian's bookings, newest first after `after`.
pub async fn mine(state: &AppState, viewer: &Viewer, after: Option<Uuid>, limit: usize) -> AppResult<Vec<BookingView>> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let mut q = booking::Entity::find()
        .filter(booking::Column::GuardianId.eq(viewer.account_id))
        .order_by_desc(booking::Column::Id)
        .limit(limit as u64);
    if let Some(a) = after {
        q = q.filter(booking::Column::Id.lt(a));
    }
    let rows = q.all(&state.db).await?;
    views(&state.db, rows).await
}

pub(super) async fn views(conn: &impl ConnectionTrait, rows: Vec<booking::Model>) -> AppResult<Vec<BookingView>> {
    let session_ids: Vec<Uuid> = rows.iter().map(|b| b.session_id).collect();
    let sessions = session::Entity::find().filter(session::Column::Id.is_in(session_ids)).all(conn).await?;
    let service_ids: Vec<Uuid> = sessions.iter().map(|s| s.service_id).collect();
    let services = service::Entity::find().filter(service::Column::Id.is_in(service_ids)).all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for b in rows {
        let Some(sess) = sessions.iter().find(|s| s.id == b.session_id).cloned() else { continue };
        let Some(svc) = services.iter().find(|s| s.id == sess.service_id).cloned() else { continue };
        let waitlist_position = match b.waitlist_seq {
            Some(seq) if b.status == status::WAITLISTED => Some(waiting_before(conn, b.session_id, seq).await? + 1),
            _ => None,
        };
        out.push(BookingView { booking: b, session: sess, service: svc, waitlist_position });
    }
    Ok(out)
}

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
    if ![status::CONFIRMED, status::ATTENDED, status::NO_SHOW].contains(&b.status.as_str()) {
        return Err(AppError::conflict("只有已确认的预约可以登记出勤", "only confirmed bookings have attendance"));
    }
    let st = if attended { status::ATTENDED } else { status::NO_SHOW };
    booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(st))
        .col_expr(booking::Column::AttendanceAt, Expr::value(Some(now)))
        .filter(booking::Column::Id.eq(booking_id))
        .exec(&state.db)
        .await?;
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
    let affected = booking::Entity::find()
        .filter(booking::Column::SessionId.eq(session_id))
        .filter(booking::Column::Status.is_in([status::CONFIRMED, status::WAITLISTED]))
        .all(&txn)
        .await?;
    booking::Entity::update_many()
        .col_expr(booking::Column::Status, Expr::value(status::CANCELLED))
        .col_expr(booking::Column::CancelledAt, Expr::value(Some(now)))
        .col_expr(booking::Column::WaitlistSeq, Expr::value(Option::<i64>::None))
        .filter(booking::Column::SessionId.eq(session_id))
        .filter(booking::Column::Status.is_in([status::CONFIRMED, status::WAITLISTED]))
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
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(session::Model { cancelled_at: Some(now), booked: 0, ..sess })
}

/// Sends the reminder e-mails of sessions starting within `ahead`. Each session's reminders are
/// claimed by one conditional UPDATE, so several processes never send them twice.
pub async fn send_due_reminders(state: &AppState, ahead: Duration) -> AppResult<usize> {
    let now = state.clock.now();
    let due = session::Entity::find()
        .filter(session::Column::ReminderSentAt.is_null())
        .filter(session::Column::CancelledAt.is_null())
        .filter(session::Column::StartsAt.gt(now))
        .filter(session::Column::StartsAt.lte(now + ahead))
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for sess in due {
        let txn = db::begin_write(&state.db).await?;
        let claimed = session::Entity::update_many()
            .col_expr(session::Column::ReminderSentAt, Expr::value(Some(now)))
            .filter(session::Column::Id.eq(sess.id))
            .filter(session::Column::ReminderSentAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let svc = service::Entity::find_by_id(sess.service_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        let confirmed = booking::Entity::find()
            .filter(booking::Column::SessionId.eq(sess.id))
            .filter(booking::Column::Status.eq(status::CONFIRMED))
            .all(&txn)
            .await?;
        let when = (sess.starts_at + Duration::hours(8)).format("%Y-%m-%d %H:%M");
        for b in &confirmed {
            let mail = templates::notice(
                "活动提醒",
                "Reminder",
                format!("提醒：您预约的“{}”将于 {when} 开始。如不能参加，请尽早取消，把名额留给其他孩子。", svc.name),
                format!(
                    "Reminder: \"{}\" starts at {when} (Beijing time). If you cannot come, please cancel so another child can take the seat.",
                    svc.name
                ),
            );
            let notice = notify::events::session_reminder(&svc.name, sess.starts_at, mail);
            notify_guardian(&txn, (b.guardian_id, b.child_id), notice, now).await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    if sent > 0 {
        state.mail_wake.notify_one();
    }
    Ok(sent)
}
