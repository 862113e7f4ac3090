//! Booking states by their stored names; the states and their moves are
//! `domain::lifecycle::booking`.

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
