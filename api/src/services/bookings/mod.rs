//! Bookings that never overbook. A seat is taken by a conditional
//! `UPDATE sessions SET booked = booked + 1 WHERE booked < capacity … RETURNING`, which locks the
//! session row until the commit (SQLite: `BEGIN IMMEDIATE`), and the database's
//! `CHECK (booked <= capacity)` backs it. A full session puts the child on the waiting
//! list in order; a freed seat goes to the first waiting child, whose guardian is e-mailed.
//!
//! `booking_seats` takes a place, `cancel` gives one up, `organization` is the organization's
//! side, `reminders` the job; every state change goes through `transition`. This module only
//! declares them and keeps the public paths.

pub mod cancel;
pub mod organization;
pub mod reminders;
pub mod transition;
pub mod view;

pub use super::booking_seats::book;
pub use cancel::cancel;
pub(crate) use cancel::cancel_for_child;
pub use organization::{cancel_session, for_session, mark_attendance};
pub use reminders::send_due_reminders;
pub use view::{BookingView, mine};
