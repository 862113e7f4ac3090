//! A booking as the family or the organization sees it, and the family's list.

use entities::{booking, service, session, status::BookingStatus as Stored};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    error::{AppError, AppResult},
    state::AppState,
};

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

pub(crate) fn age_at(birth: chrono::NaiveDate, day: chrono::NaiveDate) -> i32 {
    domain::calendar::age_on(birth, day) as i32
}

pub(crate) async fn waiting_before(conn: &impl ConnectionTrait, session_id: Uuid, seq: i64) -> AppResult<i64> {
    use sea_orm::PaginatorTrait;
    Ok(booking::Entity::find()
        .filter(booking::Column::SessionId.eq(session_id))
        .filter(booking::Column::Status.eq(Stored::Waitlisted))
        .filter(booking::Column::WaitlistSeq.lt(seq))
        .count(conn)
        .await? as i64)
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

pub(crate) async fn views(conn: &impl ConnectionTrait, rows: Vec<booking::Model>) -> AppResult<Vec<BookingView>> {
    let session_ids: Vec<Uuid> = rows.iter().map(|b| b.session_id).collect();
    let sessions = session::Entity::find().filter(session::Column::Id.is_in(session_ids)).all(conn).await?;
    let service_ids: Vec<Uuid> = sessions.iter().map(|s| s.service_id).collect();
    let services = service::Entity::find().filter(service::Column::Id.is_in(service_ids)).all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for b in rows {
        let Some(sess) = sessions.iter().find(|s| s.id == b.session_id).cloned() else { continue };
        let Some(svc) = services.iter().find(|s| s.id == sess.service_id).cloned() else { continue };
        let waitlist_position = match b.waitlist_seq {
            Some(seq) if b.status == Stored::Waitlisted => Some(waiting_before(conn, b.session_id, seq).await? + 1),
            _ => None,
        };
        out.push(BookingView { booking: b, session: sess, service: svc, waitlist_position });
    }
    Ok(out)
}
