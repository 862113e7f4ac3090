//! A child's seat (or place in the waiting list) in a session.
use sea_orm::entity::prelude::*;

/// A booking row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    /// Booking id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// The child.
    pub child_id: Uuid,
    /// Guardian who booked (receives the e-mails).
    pub guardian_id: Uuid,
    /// confirmed, waitlisted, cancelled, attended or no_show.
    pub status: crate::status::BookingStatus,
    /// Waiting order (set while waitlisted).
    pub waitlist_seq: Option<i64>,
    /// Booking time.
    pub created_at: DateTimeUtc,
    /// Cancellation time.
    pub cancelled_at: Option<DateTimeUtc>,
    /// When a waiting child got a seat.
    pub promoted_at: Option<DateTimeUtc>,
    /// When attendance was recorded.
    pub attendance_at: Option<DateTimeUtc>,
    /// The client's idempotency key, unique per guardian: a retried `bookSession` returns this
    /// booking. Cleared when the child's record is erased.
    pub idempotency_key: Option<String>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
