//! A family's request for help, from the queue to its resolution (DOMAIN.md §4).

use super::{Refused, stored_names};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// In a department's queue; nobody has claimed it.
    Routed,
    /// Assigned to one staff member.
    Claimed,
    /// Being worked on again after the family answered a question.
    InProgress,
    /// Waiting for the family; the deadline clock is paused.
    NeedsInfo,
    /// Granted.
    Granted,
    /// Rejected with a reason and the rule.
    Rejected,
    /// Withdrawn by the family, or closed on consent withdrawal.
    Withdrawn,
}

stored_names!(RequestStatus, "request", {
    Routed => "routed",
    Claimed => "claimed",
    InProgress => "in_progress",
    NeedsInfo => "needs_info",
    Granted => "resolved_granted",
    Rejected => "resolved_rejected",
    Withdrawn => "withdrawn",
});

/// What staff, the family or the deadline job do to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAction {
    /// A staff member of the queue takes it.
    Claim,
    /// The assignee asks the family for information (pauses the deadline).
    AskForInformation,
    /// The family answers.
    Answer,
    /// The assignee decides.
    Resolve {
        /// Granted, or rejected.
        granted: bool,
    },
    /// Staff send it to another department or county's queue.
    Transfer,
    /// The deadline job moves an overdue request up to the next level's queue. A request
    /// waiting for the family is not overdue: its clock is paused.
    Escalate,
    /// The family withdraws it (or withdraws consent).
    Withdraw,
}

impl RequestAction {
    /// The action's name in refusals and logs.
    pub const fn name(self) -> &'static str {
        match self {
            RequestAction::Claim => "claim",
            RequestAction::AskForInformation => "ask for information",
            RequestAction::Answer => "answer",
            RequestAction::Resolve { .. } => "resolve",
            RequestAction::Transfer => "transfer",
            RequestAction::Escalate => "escalate",
            RequestAction::Withdraw => "withdraw",
        }
    }
}

impl RequestStatus {
    /// The state of a request just submitted.
    pub const SUBMITTED: RequestStatus = RequestStatus::Routed;

    /// The states in which a request is still open.
    pub const OPEN: [RequestStatus; 4] =
        [RequestStatus::Routed, RequestStatus::Claimed, RequestStatus::InProgress, RequestStatus::NeedsInfo];

    /// Still being handled (the queue shows it, the deadline applies).
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// The state after `action`, or why it is refused. The one table of request transitions.
    pub fn next(self, action: RequestAction) -> Result<RequestStatus, Refused> {
        use RequestAction as A;
        use RequestStatus as S;
        let to = match (self, action) {
            (S::Routed, A::Claim) => S::Claimed,
            (S::Claimed | S::InProgress, A::AskForInformation) => S::NeedsInfo,
            (S::NeedsInfo, A::Answer) => S::InProgress,
            (S::Claimed | S::InProgress, A::Resolve { granted: true }) => S::Granted,
            (S::Claimed | S::InProgress, A::Resolve { granted: false }) => S::Rejected,
            (S::Routed | S::Claimed | S::InProgress | S::NeedsInfo, A::Transfer) => S::Routed,
            (S::Routed | S::Claimed | S::InProgress, A::Escalate) => S::Routed,
            (S::Routed | S::Claimed | S::InProgress | S::NeedsInfo, A::Withdraw) => S::Withdrawn,
            _ => return Err(Refused { from: self.as_str(), action: action.name() }),
        };
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::{RequestAction as A, RequestStatus as S};

    const ACTIONS: [A; 8] = [
        A::Claim,
        A::AskForInformation,
        A::Answer,
        A::Resolve { granted: true },
        A::Resolve { granted: false },
        A::Transfer,
        A::Escalate,
        A::Withdraw,
    ];

    /// The whole table, as a caseworker would read it: rows are states, columns the actions
    /// above, `-` refused.
    #[test]
    fn every_state_and_action_moves_as_the_workflow_says() {
        use S::*;
        let expected: [(S, [Option<S>; 8]); 7] = [
            (Routed, [Some(Claimed), None, None, None, None, Some(Routed), Some(Routed), Some(Withdrawn)]),
            (Claimed, [None, Some(NeedsInfo), None, Some(Granted), Some(Rejected), Some(Routed), Some(Routed), Some(Withdrawn)]),
            (InProgress, [None, Some(NeedsInfo), None, Some(Granted), Some(Rejected), Some(Routed), Some(Routed), Some(Withdrawn)]),
            (NeedsInfo, [None, None, Some(InProgress), None, None, Some(Routed), None, Some(Withdrawn)]),
            (Granted, [None; 8]),
            (Rejected, [None; 8]),
            (Withdrawn, [None; 8]),
        ];
        for (from, row) in expected {
            for (action, to) in ACTIONS.into_iter().zip(row) {
                assert_eq!(from.next(action).ok(), to, "{from} + {}", action.name());
            }
        }
        assert_eq!(expected.len(), S::ALL.len());
    }

    #[test]
    fn a_closed_request_refuses_everything_and_says_what_was_asked() {
        let refused = S::Granted.next(A::Withdraw).expect_err("closed");
        assert_eq!((refused.from, refused.action), ("resolved_granted", "withdraw"));
        assert!(S::ALL.iter().filter(|s| !s.is_open()).all(|s| ACTIONS.iter().all(|a| s.next(*a).is_err())));
    }

    #[test]
    fn stored_names_are_the_ones_in_the_database_and_read_back() {
        let names: Vec<&str> = S::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["routed", "claimed", "in_progress", "needs_info", "resolved_granted", "resolved_rejected", "withdrawn"]);
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(*s));
        }
        let unknown = "resolved".parse::<S>().expect_err("unknown");
        assert_eq!(unknown.to_string(), "unknown request state `resolved`");
        assert_eq!(S::SUBMITTED, S::Routed);
    }
}
