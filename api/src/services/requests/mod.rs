//! Service requests: a family asks once, and the request lands in the one queue (department,
//! county) that must act, with deadlines in working days that a job watches. Every transition is
//! an event kept with the request; families see only public events.
//!
//! One room per stage: `submission` files, `workflow` and `withdrawal` move a request through
//! `transition` (the one way a state changes), `queue` reads, `deadlines` runs the job, `stats`
//! counts, `history` and `notices` record and tell. This module only declares them and keeps the
//! public paths.

pub mod access;
pub mod deadlines;
pub mod history;
pub mod notices;
pub mod queue;
pub mod stats;
pub mod submission;
pub mod summary;
pub mod transition;
pub mod withdrawal;
pub mod workflow;

pub use access::in_scope;
pub use deadlines::run_deadlines;
pub use notices::public_status;
pub use queue::{QueueFilter, get, mine, queue, scope_codes};
pub use stats::{QueueStats, stats};
pub use submission::{Submission, submit};
pub use summary::{RequestSummary, RequestView};
pub use withdrawal::withdraw;
pub use workflow::{Note, answer, ask_for_information, claim, comment, resolve, transfer};
