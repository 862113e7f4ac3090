//! The set of scheduled jobs, apart from what they run: the metrics name every job's series from
//! the start, and must not reach the services the jobs call.

use crate::locks;

/// One scheduled job; its position in [`Job::ALL`] is its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    /// E-mails to families before their sessions.
    Reminders,
    /// Warnings, then escalations, of requests past their share of the deadline.
    Deadlines,
    /// Escalation of overdue care measures.
    CareMeasures,
    /// The register's verification reminders.
    VerificationReminders,
    /// The turning-16 mark.
    AgedOut,
    /// Deletion of closed requests' documents after their retention (`DOCUMENT_RETENTION_DAYS`).
    DocumentRetention,
}

impl Job {
    /// Every job, in the order of a pass.
    pub const ALL: [Job; 6] =
        [Job::Reminders, Job::Deadlines, Job::CareMeasures, Job::VerificationReminders, Job::AgedOut, Job::DocumentRetention];

    /// Name in logs.
    pub fn name(self) -> &'static str {
        match self {
            Job::Reminders => "reminders",
            Job::Deadlines => "deadlines",
            Job::CareMeasures => "care_measures",
            Job::VerificationReminders => "verification_reminders",
            Job::AgedOut => "aged_out",
            Job::DocumentRetention => "document_retention",
        }
    }

    /// The advisory lock whose holder runs this job.
    pub fn lock(self) -> i64 {
        locks::job(self as u8)
    }
}
