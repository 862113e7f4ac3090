//! Request states by their stored names; the states and their moves are
//! `domain::lifecycle::request`.

use domain::lifecycle::request::RequestStatus as S;

/// In a queue, nobody has claimed it.
pub const ROUTED: &str = S::Routed.as_str();
/// Assigned to one staff member.
pub const CLAIMED: &str = S::Claimed.as_str();
/// Being worked on (after the family answered a question).
pub const IN_PROGRESS: &str = S::InProgress.as_str();
/// Waiting for the family; the deadline clock is paused.
pub const NEEDS_INFO: &str = S::NeedsInfo.as_str();
/// Granted.
pub const GRANTED: &str = S::Granted.as_str();
/// Rejected with a reason and the rule.
pub const REJECTED: &str = S::Rejected.as_str();
/// Withdrawn by the family (or on consent withdrawal).
pub const WITHDRAWN: &str = S::Withdrawn.as_str();
/// Every state in which the request is still open.
pub const OPEN: [&str; 4] = [S::OPEN[0].as_str(), S::OPEN[1].as_str(), S::OPEN[2].as_str(), S::OPEN[3].as_str()];
