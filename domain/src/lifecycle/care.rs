//! A care measure of the key-care ledger: one department's promised help for one child.

use super::{Refused, stored_names};

/// Where a care measure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CareStatus {
    /// Promised, not yet done; overdue once past its due date.
    Open,
    /// Done, with a closing follow-up.
    Done,
    /// Closed unfinished (the child's record was erased or consent withdrawn).
    Withdrawn,
}

stored_names!(CareStatus, "care measure", {
    Open => "open",
    Done => "done",
    Withdrawn => "withdrawn",
});

/// What staff or erasure do to a care measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareAction {
    /// A follow-up note that does not close the measure.
    FollowUp,
    /// The closing follow-up.
    Complete,
    /// Closed unfinished.
    Withdraw,
}

impl CareAction {
    /// The action's name in refusals and logs.
    pub const fn name(self) -> &'static str {
        match self {
            CareAction::FollowUp => "follow up",
            CareAction::Complete => "complete",
            CareAction::Withdraw => "withdraw",
        }
    }
}

impl CareStatus {
    /// The state after `action`, or why it is refused. The one table of care transitions.
    pub fn next(self, action: CareAction) -> Result<CareStatus, Refused> {
        match (self, action) {
            (CareStatus::Open, CareAction::FollowUp) => Ok(CareStatus::Open),
            (CareStatus::Open, CareAction::Complete) => Ok(CareStatus::Done),
            (CareStatus::Open, CareAction::Withdraw) => Ok(CareStatus::Withdrawn),
            _ => Err(Refused { from: self.as_str(), action: action.name() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CareAction as A, CareStatus as S};

    #[test]
    fn only_an_open_measure_is_followed_up_completed_or_withdrawn() {
        assert_eq!(S::Open.next(A::FollowUp), Ok(S::Open));
        assert_eq!(S::Open.next(A::Complete), Ok(S::Done));
        assert_eq!(S::Open.next(A::Withdraw), Ok(S::Withdrawn));
        for closed in [S::Done, S::Withdrawn] {
            for action in [A::FollowUp, A::Complete, A::Withdraw] {
                let refused = closed.next(action).expect_err("closed");
                assert_eq!((refused.from, refused.action), (closed.as_str(), action.name()));
            }
        }
    }

    #[test]
    fn stored_names_read_back() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(*s));
        }
        assert_eq!("finished".parse::<S>().expect_err("unknown").to_string(), "unknown care measure state `finished`");
    }
}
