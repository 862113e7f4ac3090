//! Taking a seat or a waiting place: `bookSession` as one short transaction (see
//! `BENCHMARKS.md`, "A booking is one short transaction"). The session row is locked by the
//! conditional update that takes the seat, and by nothing before it.

use chrono::{DateTime, Duration, Utc};
use domain::{input::IdempotencyKey, lifecycle::booking::BookingStatus};
use entities::{booking, child, organization, service, session, status::BookingStatus as Stored};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use uuid::Uuid;

use super::bookings::view::{BookingView, age_at, views, waiting_before};
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    services::{children, requests::transition::commit_and_wake},
    state::AppState,
};

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
    key: Option<IdempotencyKey>,
) -> AppResult<BookingView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let child = children::guardian_child(&txn, viewer, child_id).await?;
    let place = Place { viewer, child: &child, session_id, join_waitlist, key: key.as_ref().map(|k| k.as_str().to_owned()), now };
    match take_place(&txn, place).await {
        Ok(view) => {
            commit_and_wake(state, txn).await?;
            tracing::info!(booking_id = %view.booking.id, session_id = %session_id, status = %view.booking.status, "session booked");
            Ok(view)
        }
        Err(e) => {
            let _ = txn.rollback().await;
            // A retry with a key already used gets its booking back, whatever changed since
            // (seats gone, the child's booking there, the same key racing for another session).
            if let Some(k) = key.as_ref().map(IdempotencyKey::as_str)
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
    let st = BookingStatus::book(None, seq.is_none()).map_err(AppError::internal)?;
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
        idempotency_key: p.key.clone(),
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
        .action_and_where(Expr::col((booking::Entity, B::Status)).eq(Stored::Cancelled))
        .to_owned();
    let model = booking::Entity::insert_many([booking::ActiveModel::from(row)])
        .on_conflict(again)
        .exec_with_returning(txn)
        .await?
        .pop()
        .ok_or_else(|| AppError::conflict("该儿童已预约此场次", "the child already has a booking for this session"))?;
    let position = match seq {
        Some(s) => Some(waiting_before(txn, p.session_id, s).await? + 1),
        None => {
            confirmed_notice(txn, &p, &svc, &sess).await?;
            None
        }
    };
    Ok(BookingView { booking: model, session: sess, service: svc, waitlist_position: position })
}

/// Tells the family, on its channels, that the child has its seat (in the booking's transaction:
/// the notice exists exactly when the booking does).
async fn confirmed_notice(txn: &DatabaseTransaction, p: &Place<'_>, svc: &service::Model, sess: &session::Model) -> AppResult<()> {
    let when = crate::notify::events::beijing(sess.starts_at);
    let mail = crate::mail::templates::notice(
        "预约成功",
        "Booking confirmed",
        format!("您已成功为孩子预约“{}”（{when}）。如不能参加，请在活动开始前取消，把名额留给其他孩子。", svc.name),
        format!(
            "Your child's seat in \"{}\" ({when} Beijing time) is booked. If you cannot come, please cancel before it starts.",
            svc.name
        ),
    );
    let notice = crate::notify::events::booking_confirmed(&svc.name, sess.starts_at, mail);
    crate::notify::enqueue(txn, p.viewer.account_id, Some(p.child.id), notice, p.now).await?;
    Ok(())
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
        .filter(booking::Column::Status.ne(Stored::Cancelled))
        .one(txn)
        .await;
    match held {
        Ok(Some(_)) => AppError::conflict("该儿童已预约此场次", "the child already has a booking for this session"),
        Ok(None) => AppError::CapacityFull,
        Err(e) => e.into(),
    }
}
