//! Care-measure states by their stored names; the states and their moves are
//! `domain::lifecycle::care`.

use domain::lifecycle::care::CareStatus as S;

/// Assigned, not done.
pub const OPEN: &str = S::Open.as_str();
/// Done.
pub const DONE: &str = S::Done.as_str();
/// Closed unfinished: the child's record was erased.
pub const WITHDRAWN: &str = S::Withdrawn.as_str();
