//! The stored states of a request, a booking and a care measure, as typed columns.
//!
//! Why a second enum beside `domain::lifecycle`'s: the domain is pure and knows no database, and
//! Rust lets sea-orm's traits be implemented only on a type of this crate. Each stored enum names
//! the same states by the same strings as the domain's `as_str` (the columns hold exactly the
//! strings they held as text, so no migration); the conversions below are exhaustive both ways and
//! the tests check every state's stored string against the domain's, so the two cannot drift.

use domain::lifecycle::{booking, care, request};
use sea_orm::entity::prelude::*;

/// Writes a stored state enum's conversions to and from its domain enum, one variant to one.
macro_rules! same_states {
    ($stored:ident, $domain:ty, [$($variant:ident),+ $(,)?]) => {
        impl From<$domain> for $stored {
            fn from(s: $domain) -> Self {
                match s {
                    $(<$domain>::$variant => $stored::$variant),+
                }
            }
        }

        impl From<$stored> for $domain {
            fn from(s: $stored) -> Self {
                match s {
                    $($stored::$variant => <$domain>::$variant),+
                }
            }
        }

        impl std::fmt::Display for $stored {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(<$domain>::from(*self).as_str())
            }
        }
    };
}

/// `requests.status` (and the states named in `request_events`); see
/// `domain::lifecycle::request::RequestStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum RequestStatus {
    #[sea_orm(string_value = "routed")]
    Routed,
    #[sea_orm(string_value = "claimed")]
    Claimed,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    #[sea_orm(string_value = "needs_info")]
    NeedsInfo,
    #[sea_orm(string_value = "resolved_granted")]
    Granted,
    #[sea_orm(string_value = "resolved_rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

same_states!(RequestStatus, request::RequestStatus, [Routed, Claimed, InProgress, NeedsInfo, Granted, Rejected, Withdrawn]);

/// `bookings.status`; see `domain::lifecycle::booking::BookingStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BookingStatus {
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "attended")]
    Attended,
    #[sea_orm(string_value = "no_show")]
    NoShow,
}

same_states!(BookingStatus, booking::BookingStatus, [Confirmed, Waitlisted, Cancelled, Attended, NoShow]);

/// `care_measures.status`; see `domain::lifecycle::care::CareStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CareStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

same_states!(CareStatus, care::CareStatus, [Open, Done, Withdrawn]);

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    /// Every domain state is stored as the string its `as_str` names, and reads back as itself;
    /// every stored state is a domain state.
    fn same<D, S>(all: &[D], name: fn(D) -> &'static str)
    where
        D: Copy + PartialEq + std::fmt::Debug + From<S>,
        S: ActiveEnum<Value = String> + Iterable + From<D> + Copy + std::fmt::Debug,
    {
        for d in all {
            let stored = S::from(*d);
            assert_eq!(stored.to_value(), name(*d), "{d:?}");
            assert_eq!(S::try_from_value(&name(*d).to_owned()).map(D::from).ok(), Some(*d), "{d:?}");
        }
        assert_eq!(S::iter().count(), all.len());
    }

    #[test]
    fn request_states_are_stored_by_their_domain_names() {
        same::<request::RequestStatus, RequestStatus>(request::RequestStatus::ALL, request::RequestStatus::as_str);
        assert_eq!(RequestStatus::Granted.to_value(), "resolved_granted");
        assert_eq!(RequestStatus::InProgress.to_string(), "in_progress");
    }

    #[test]
    fn booking_states_are_stored_by_their_domain_names() {
        same::<booking::BookingStatus, BookingStatus>(booking::BookingStatus::ALL, booking::BookingStatus::as_str);
        assert_eq!(BookingStatus::NoShow.to_value(), "no_show");
    }

    #[test]
    fn care_states_are_stored_by_their_domain_names() {
        same::<care::CareStatus, CareStatus>(care::CareStatus::ALL, care::CareStatus::as_str);
        assert!(CareStatus::try_from_value(&"finished".to_owned()).is_err());
    }
}
