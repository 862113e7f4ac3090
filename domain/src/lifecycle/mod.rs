//! The states of a request, a booking and a care measure, and the moves between them, each
//! written once. The server stores the states by their [`as_str`](request::RequestStatus::as_str)
//! names and asks [`next`](request::RequestStatus::next) before every change, so a transition
//! cannot be allowed in one resolver and refused in another.

pub mod booking;
pub mod care;
pub mod request;

/// A move the state machine does not allow from the current state. The server turns it into
/// `CONFLICT` (someone else moved the item first) or `NOT_FOUND` (a closed item is out of reach),
/// as each call site's contract says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{action} is not allowed from {from}")]
pub struct Refused {
    /// The state the item was in.
    pub from: &'static str,
    /// What was asked.
    pub action: &'static str,
}

/// A stored state name that no state machine knows (a corrupt row, or a newer server's state).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {machine} state `{name}`")]
pub struct UnknownState {
    /// Which machine.
    pub machine: &'static str,
    /// The stored name.
    pub name: String,
}

/// Writes `as_str`, `ALL` and `FromStr` of a state enum from one table of names, so the stored
/// name of a state is written in one place.
macro_rules! stored_names {
    ($ty:ident, $machine:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every state, in the order of the table.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name stored in the database and sent in events.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::lifecycle::UnknownState;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err($crate::lifecycle::UnknownState { machine: $machine, name: other.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use stored_names;
