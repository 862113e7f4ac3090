//! A child's place at an activity session: a seat, or a place on the waiting list.

use super::{Refused, stored_names};

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    /// Holds a seat.
    Confirmed,
    /// On the waiting list, in order of its place.
    Waitlisted,
    /// Given up by the family, the organization or consent withdrawal; the child may book again.
    Cancelled,
    /// The child came.
    Attended,
    /// The child did not come.
    NoShow,
}

stored_names!(BookingStatus, "booking", {
    Confirmed => "confirmed",
    Waitlisted => "waitlisted",
    Cancelled => "cancelled",
    Attended => "attended",
    NoShow => "no_show",
});

/// What the family, the organization or a freed seat do to a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingAction {
    /// A seat freed up and this booking is the first on the waiting list.
    Promote,
    /// The family or the organization gives the place up.
    Cancel,
    /// The organization records attendance; a wrong mark may be corrected.
    MarkAttendance {
        /// Came, or did not.
        attended: bool,
    },
}

impl BookingAction {
    /// The action's name in refusals and logs.
    pub const fn name(self) -> &'static str {
        match self {
            BookingAction::Promote => "promote",
            BookingAction::Cancel => "cancel",
            BookingAction::MarkAttendance { .. } => "mark attendance",
        }
    }
}

impl BookingStatus {
    /// The states that hold a place (a seat or a place in the waiting list).
    pub const ACTIVE: [BookingStatus; 2] = [BookingStatus::Confirmed, BookingStatus::Waitlisted];

    /// The state of a new booking of a child whose booking of the same session, if any, is
    /// `existing`: a cancelled booking is booked again in place; an active or past one refuses.
    pub fn book(existing: Option<BookingStatus>, seat_free: bool) -> Result<BookingStatus, Refused> {
        match existing {
            None | Some(BookingStatus::Cancelled) => Ok(if seat_free { BookingStatus::Confirmed } else { BookingStatus::Waitlisted }),
            Some(s) => Err(Refused { from: s.as_str(), action: "book" }),
        }
    }

    /// The state after `action`, or why it is refused. The one table of booking transitions.
    pub fn next(self, action: BookingAction) -> Result<BookingStatus, Refused> {
        use BookingAction as A;
        use BookingStatus as S;
        let to = match (self, action) {
            (S::Waitlisted, A::Promote) => S::Confirmed,
            (S::Confirmed | S::Waitlisted, A::Cancel) => S::Cancelled,
            (S::Confirmed | S::Attended | S::NoShow, A::MarkAttendance { attended: true }) => S::Attended,
            (S::Confirmed | S::Attended | S::NoShow, A::MarkAttendance { attended: false }) => S::NoShow,
            _ => return Err(Refused { from: self.as_str(), action: action.name() }),
        };
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::{BookingAction as A, BookingStatus as S};

    const ACTIONS: [A; 4] = [A::Promote, A::Cancel, A::MarkAttendance { attended: true }, A::MarkAttendance { attended: false }];

    #[test]
    fn every_state_and_action_moves_as_a_session_runs() {
        use S::*;
        let expected: [(S, [Option<S>; 4]); 5] = [
            (Confirmed, [None, Some(Cancelled), Some(Attended), Some(NoShow)]),
            (Waitlisted, [Some(Confirmed), Some(Cancelled), None, None]),
            (Cancelled, [None; 4]),
            (Attended, [None, None, Some(Attended), Some(NoShow)]),
            (NoShow, [None, None, Some(Attended), Some(NoShow)]),
        ];
        for (from, row) in expected {
            for (action, to) in ACTIONS.into_iter().zip(row) {
                assert_eq!(from.next(action).ok(), to, "{from} + {}", action.name());
            }
        }
        assert_eq!(expected.len(), S::ALL.len());
    }

    #[test]
    fn a_child_books_once_and_again_only_after_cancelling() {
        assert_eq!(S::book(None, true), Ok(S::Confirmed));
        assert_eq!(S::book(None, false), Ok(S::Waitlisted));
        assert_eq!(S::book(Some(S::Cancelled), true), Ok(S::Confirmed));
        for held in [S::Confirmed, S::Waitlisted, S::Attended, S::NoShow] {
            let refused = S::book(Some(held), true).expect_err("already booked");
            assert_eq!((refused.from, refused.action), (held.as_str(), "book"));
        }
    }

    #[test]
    fn stored_names_read_back() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(*s));
        }
        assert_eq!(S::NoShow.as_str(), "no_show");
        assert!("booked".parse::<S>().is_err());
    }
}
