//! Bookings over GraphQL: families book and cancel; organizations see their own sessions'
//! bookings, record attendance and cancel sessions.

use async_graphql::{
    Context, Enum, ID, Object, SimpleObject,
    connection::{Connection, CursorType, Edge},
};

use super::{
    context::state,
    directory::Session,
    pagination::{self, Cursor},
    scalars::parse_id,
};
use crate::{
    auth::{Role, viewer::require, viewer::require_role},
    error::{AppResult, OnField},
    services::bookings::{self as svc, BookingView},
};
use domain::input::IdempotencyKey;

// The domain's states, one for one: a state missing here does not compile.
/// State of a booking.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::lifecycle::booking::BookingStatus")]
pub enum BookingStatus {
    /// Has a seat.
    Confirmed,
    /// On the waiting list.
    Waitlisted,
    /// Cancelled (by the family or with the session).
    Cancelled,
    /// Attended.
    Attended,
    /// Did not come.
    NoShow,
}

/// A child's booking of a session.
#[derive(SimpleObject)]
pub struct Booking {
    /// Id.
    pub id: ID,
    /// State.
    pub status: BookingStatus,
    /// 1-based place in the waiting list while waitlisted.
    pub waitlist_position: Option<i64>,
    /// The child.
    pub child_id: ID,
    /// The session.
    pub session: Session,
    /// Service id.
    pub service_id: ID,
    /// Service name.
    pub service_name: String,
}

impl From<BookingView> for Booking {
    fn from(v: BookingView) -> Self {
        Booking {
            id: ID(v.booking.id.to_string()),
            status: domain::lifecycle::booking::BookingStatus::from(v.booking.status).into(),
            waitlist_position: v.waitlist_position,
            child_id: ID(v.booking.child_id.to_string()),
            session: v.session.into(),
            service_id: ID(v.service.id.to_string()),
            service_name: v.service.name,
        }
    }
}

/// Booking queries.
#[derive(Default)]
pub struct BookingsQuery;

#[Object]
impl BookingsQuery {
    /// The guardian's bookings, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn my_bookings(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> AppResult<Connection<String, Booking>> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let limit = pagination::clamp(first)?;
        let after = pagination::after_uuid(after.as_deref())?;
        let mut rows = svc::mine(state(ctx), &v, after, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let mut conn = Connection::new(after.is_some(), has_next);
        conn.edges.extend(rows.into_iter().map(|b| Edge::new(Cursor::of_uuid(b.booking.id).encode_cursor(), Booking::from(b))));
        Ok(conn)
    }

    /// Bookings of one of the caller's organization's sessions. Anyone else: `NOT_FOUND`.
    async fn session_bookings(&self, ctx: &Context<'_>, session_id: ID) -> AppResult<Vec<Booking>> {
        let v = require(ctx)?;
        Ok(svc::for_session(state(ctx), &v, parse_id(&session_id)?).await?.into_iter().map(Into::into).collect())
    }
}

/// Booking mutations.
#[derive(Default)]
pub struct BookingsMutation;

#[Object]
impl BookingsMutation {
    /// Books a seat for the guardian's child; a full session puts the child on the waiting list
    /// (or answers `CAPACITY_FULL` when `joinWaitlist` is false).
    async fn book_session(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        child_id: ID,
        #[graphql(default = true)] join_waitlist: bool,
        #[graphql(desc = "Retrying with the same key returns the first booking (1–128 characters).")] idempotency_key: Option<String>,
    ) -> AppResult<Booking> {
        let v = require(ctx)?;
        let (s, c) = (parse_id(&session_id)?, parse_id(&child_id)?);
        let key = idempotency_key.as_deref().map(IdempotencyKey::parse).transpose().on("idempotencyKey")?;
        Ok(svc::book(state(ctx), &v, s, c, join_waitlist, key).await?.into())
    }

    /// Cancels a booking before the organization's cutoff; the first waiting child gets the seat.
    async fn cancel_booking(&self, ctx: &Context<'_>, id: ID) -> AppResult<Booking> {
        let v = require(ctx)?;
        Ok(svc::cancel(state(ctx), &v, parse_id(&id)?).await?.into())
    }

    /// Records whether the child came (organization staff, after the start).
    async fn mark_attendance(&self, ctx: &Context<'_>, booking_id: ID, attended: bool) -> AppResult<Booking> {
        let v = require(ctx)?;
        Ok(svc::mark_attendance(state(ctx), &v, parse_id(&booking_id)?, attended).await?.into())
    }

    /// Cancels a session of the caller's organization; every family is told.
    async fn cancel_session(&self, ctx: &Context<'_>, session_id: ID, reason: String) -> AppResult<Session> {
        let v = require(ctx)?;
        Ok(svc::cancel_session(state(ctx), &v, parse_id(&session_id)?, &reason).await?.into())
    }
}
