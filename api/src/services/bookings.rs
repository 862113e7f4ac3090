//! Bookings that never overbook. A seat is taken by a conditional
//! `UPDATE sessions SET booked = booked + 1 WHERE booked < capacity … RETURNING`, which locks the
//! session row until the commit (SQLite: `BEGIN IMMEDIATE`), and the database's
//! `CHECK (booked <= capacity)` backs it. A full session puts the child on the waiting
//! list in order; a freed seat goes to the first waiting child, whose guardian is e-mailed.

use chrono::{DateTime, Duration, Utc};
use entities::{account, booking, child, organization, service, session};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    mail::{outbox, templates},
    services::{audit, children, directory},
    state::AppState,
};

/// Booking states (stored lower-case).
pub mod status {
    /// Has a seat.
    pub const CONFIRMED: &str = "confirmed";
    /// Waiting for a seat.
    pub const WAITLISTED: &str = "waitlisted";
    /// Cancelled by the family or with the session.
    pub const CANCELLED: &str = "cancelled";
    /// Came.
    pub const ATTENDED: &str = "attended";
    /// Did not come.
    pub const NO_SHOW: &str = "no_show";
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

fn age_at(birth: chrono::NaiveDate, day: chrono::NaiveDate) -> i32 {
    domain::calendar::age_on(birth, day) as i32
}

/// Books `child_id` into `session_id` for the guardian. Full session: waiting list, or
/// `CAPACITY_FULL` when the family does not want to wait.
///
/// One short transaction: the guardian's child and the session's bookable service are read
/// without any lock, then one conditional `UPDATE … RETURNING` takes a seat (or, on a full
/// session, the next waiting place), and one `INSERT … RETURNING` writes the booking. The session
/// row is locked only from that `UPDATE` to the commit, so bookings of one session queue on that
/// row for two statements and nothing else.
pub async fn book(
    state: &AppState,
    viewer: &Viewer,
    session_id: Uuid,
    child_id: Uuid,
    join_waitlist: bool,
    key: Option<&str>,
) -> AppResult<BookingView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let key = key.map(super::booking_keys::check).transpose()?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let child = children::guardian_child(&txn, viewer, child_id).await?;
    let place = Place { viewer, child: &child, session_id, join_waitlist, key: key.clone(), now };
    match take_place(&txn, place).await {
        Ok(view) => {
            txn.commit().await?;
            tracing::info!(booking_id = %view.booking.id, session_id = %session_id, status = %view.booking.status, "session booked");
            Ok(view)
        }
        Err(e) => {
            let _ = txn.rollback().await;
            // A retry with a key already used gets its booking back, whatever changed since
            // (seats gone, the child's booking there, the same key racing for another session).
            if let Some(k) = key.as_deref()
                && let Some(b) = super::booking_keys::find(&state.db, viewer.account_id, k).await?
            {
                super::booking_keys::same_input(&b, session_id, child_id)?;
                return views(&state.db, vec![b]).await?.pop().ok_or(AppError::NotFound);
            }
            Err(e)
        }
    }
}

/// What one booking asks for.
struct Place<'a> {
    viewer: &'a Viewer,
    child: &'a child::Model,
    session_id: Uuid,
    join_waitlist: bool,
    key: Option<String>,
    now: DateTime<Utc>,
}

/// The statements of a booking inside its transaction; any error rolls it all back.
async fn take_place(txn: &DatabaseTransaction, p: Place<'_>) -> AppResult<BookingView> {
    let (sess, svc) = bookable(txn, p.session_id).await?;
    if sess.cancelled_at.is_some() || sess.starts_at <= p.now {
        return Err(AppError::validation("sessionId", "该场次已取消或已开始", "the session was cancelled or has started"));
    }
    let day = (sess.starts_at + Duration::hours(8)).date_naive();
    match p.child.birth_date {
        Some(b) if (svc.min_age..=svc.max_age).contains(&age_at(b, day)) => {}
        Some(_) => {
            return Err(AppError::Validation {
                field: "childId".into(),
                msg: crate::error::Msg::owned(
                    format!("该活动面向 {}–{} 岁儿童", svc.min_age, svc.max_age),
                    format!("this activity is for children aged {} to {}", svc.min_age, svc.max_age),
                ),
            });
        }
        None => return Err(AppError::validation("childId", "请先补充儿童出生日期", "the child's birth date is needed first")),
    }
    let (sess, seq) = seat_or_place(txn, &p).await?;
    let st = if seq.is_some() { status::WAITLISTED } else { status::CONFIRMED };
    let row = booking::Model {
        id: Uuid::now_v7(),
        session_id: p.session_id,
        child_id: p.child.id,
        guardian_id: p.viewer.account_id,
        status: st.into(),
        waitlist_seq: seq,
        created_at: p.now,
        cancelled_at: None,
        promoted_at: None,
        attendance_at: None,
        idempotency_key: p.key,
    };
    // A cancelled booking of the child for this session is booked again in place (same id); an
    // active one makes the insert return nothing.
    use booking::Column as B;
    let again = OnConflict::columns([B::SessionId, B::ChildId])
        .update_columns([
            B::GuardianId,
            B::Status,
            B::WaitlistSeq,
            B::CreatedAt,
            B::CancelledAt,
            B::PromotedAt,
            B::AttendanceAt,
            B::IdempotencyKey,
        ])
        .action_and_where(Expr::col((booking::Entity, B::Status)).eq(status::CANCELLED))
        .to_owned();
    let model = booking::Entity::insert_many([booking::ActiveModel::from(row)])
        .on_conflict(again)
        .exec_with_returning(txn)
        .await?
        .pop()
        .ok_or_else(|| AppError::conflict("该儿童已预约此场次", "the child already has a booking for this session"))?;
    let position = match seq {
        Some(s) => Some(waiting_before(txn, p.session_id, s).await? + 1),
        None => None,
    };
    Ok(BookingView { booking: model, session: sess, service: svc, waitlist_position: position })
}

/// A session with its service, if the service's organization is verified (otherwise it is not
/// bookable), in one statement and without a lock.
async fn bookable(conn: &impl ConnectionTrait, session_id: Uuid) -> AppResult<(session::Model, service::Model)> {
    let verified = Query::select()
        .column(organization::Column::Id)
        .from(organization::Entity)
        .and_where(organization::Column::Status.eq("verified"))
        .to_owned();
    let of: RelationDef = session::Entity::belongs_to(service::Entity).from(session::Column::ServiceId).to(service::Column::Id).into();
    match session::Entity::find_by_id(session_id)
        .join(JoinType::InnerJoin, of)
        .select_also(service::Entity)
        .filter(service::Column::OrganizationId.in_subquery(verified))
        .one(conn)
        .await?
    {
        Some((sess, Some(svc))) => Ok((sess, svc)),
        _ => Err(AppError::NotFound),
    }
}

/// Takes a seat, or else the next place on the waiting list (`Some(seq)`), by one conditional
/// update of the session row that also locks it until the commit.
async fn seat_or_place(txn: &DatabaseTransaction, p: &Place<'_>) -> AppResult<(session::Model, Option<i64>)> {
    use session::Column as S;
    let open = || sea_orm::Condition::all().add(S::Id.eq(p.session_id)).add(S::CancelledAt.is_null()).add(S::StartsAt.gt(p.now));
    // A seat freed between the two updates sends the booking back to the seat (twice at most:
    // each round needs another family to cancel in between).
    for _ in 0..3 {
        let seat = session::Entity::update_many()
            .col_expr(S::Booked, Expr::col(S::Booked).add(1))
            .filter(open())
            .filter(Expr::col(S::Booked).lt(Expr::col(S::Capacity)))
            .exec_with_returning(txn)
            .await?;
        if let Some(s) = seat.into_iter().next() {
            return Ok((s, None));
        }
        if !p.join_waitlist {
            break;
        }
        let place = session::Entity::update_many()
            .col_expr(S::WaitlistLast, Expr::col(S::WaitlistLast).add(1))
            .filter(open())
            .filter(Expr::col(S::Booked).gte(Expr::col(S::Capacity)))
            .exec_with_returning(txn)
            .await?;
        if let Some(s) = place.into_iter().next() {
            let seq = s.waitlist_last;
            return Ok((s, Some(seq)));
        }
    }
    Err(unbookable(txn, p).await)
}

/// Why neither a seat nor a place was taken, in the order a family should hear it.
async fn unbookable(txn: &DatabaseTransaction, p: &Place<'_>) -> AppError {
    let sess = match session::Entity::find_by_id(p.session_id).one(txn).await {
        Ok(Some(s)) => s,
        Ok(None) => return AppError::NotFound,
        Err(e) => return e.into(),
    };
    if sess.cancelled_at.is_some() || sess.starts_at <= p.now {
        return AppError::validation("sessionId", "该场次已取消或已开始", "the session was cancelled or has started");
    }
    let held = booking::Entity::find()
        .filter(booking::Column::SessionId.eq(p.session_id))
        .filter(booking::Column::ChildId.eq(p.child.id))
        .filter(booking::Column::Status.ne(status::CANCELLED))
        .one(txn)
        .await;
    match held {
        Ok(Some(_)) => AppError::conflict("该儿童已预约此场次", "the child already has a booking for this session"),
        Ok(None) => AppError::CapacityFull,
        Err(e) => e.into(),
    }
}

async fn waiting_before(conn: &impl ConnectionTrait, session_id: Uuid, seq: i64) -> AppResult<i64> {
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
    notify_guardian(txn, (next.guardian_id, next.child_id), mail, now).await?;
    Ok(Some(next.id))
}

/// E-mails the guardian who booked, about the booked child.
async fn notify_guardian(
    conn: &impl ConnectionTrait,
    (guardian_id, child): (Uuid, Uuid),
    mail: templates::Mail,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // A family who signs in with WeChat or a phone number may have no address.
    if let Some(g) = account::Entity::find_by_id(guardian_id).one(conn).await?
        && let Some(email) = &g.email
    {
        outbox::enqueue_about(conn, email, mail, Some(child), now).await?;
    }
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

async fn views(conn: &impl ConnectionTrait, rows: Vec<booking::Model>) -> AppResult<Vec<BookingView>> {
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
        notify_guardian(&txn, (b.guardian_id, b.child_id), mail, now).await?;
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
            notify_guardian(&txn, (b.guardian_id, b.child_id), mail, now).await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    if sent > 0 {
        state.mail_wake.notify_one();
    }
    Ok(sent)
}
