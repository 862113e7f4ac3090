//! One bookable occurrence of a service with a fixed number of seats.
use sea_orm::entity::prelude::*;

/// A session row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// Session id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The service.
    pub service_id: Uuid,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End.
    pub ends_at: DateTimeUtc,
    /// Seats.
    pub capacity: i32,
    /// Confirmed bookings; the database refuses `booked > capacity`.
    pub booked: i32,
    /// Set when the organization cancelled the session.
    pub cancelled_at: Option<DateTimeUtc>,
    /// Set by the process that sent the reminders (sent once across processes).
    pub reminder_sent_at: Option<DateTimeUtc>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// The last waiting place handed out; the next waiting child gets one more (taken with the
    /// row's lock, so places are unique and ordered).
    pub waitlist_last: i64,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
