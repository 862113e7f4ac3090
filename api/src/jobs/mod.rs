//! Scheduled jobs: session reminders, request deadlines (warnings, escalations), overdue care
//! measures, verification reminders and the turning-16 mark.
//!
//! With several replicas on one PostgreSQL database, each job runs on one replica only: the
//! replica holding the job's advisory lock (`locks`), taken on its first pass and kept while it
//! lives. When that replica stops or loses its database connection, the lock goes with the
//! connection and the next replica to try takes the job over. Every job still claims its work
//! with conditional updates, so the short overlap while a lost connection goes unnoticed repeats
//! nothing.

use std::time::Duration;

use tokio::sync::watch;

pub mod job;

pub use job::Job;

use crate::{
    locks::Locks,
    services::{bookings, key_care, register, requests},
    state::AppState,
};

impl Job {
    /// Runs the job once here, whoever holds its lock (tests, and the holder's pass).
    pub async fn run(self, state: &AppState) {
        let ok = match self {
            Job::Reminders => {
                let r = bookings::send_due_reminders(state, chrono::Duration::hours(state.config.reminder_hours_before)).await;
                r.map_err(|e| tracing::error!(error = %e, "reminder job failed")).is_ok()
            }
            Job::Deadlines => match requests::run_deadlines(state).await {
                Ok((warned, escalated)) => {
                    if warned + escalated > 0 {
                        tracing::info!(warned, escalated, "deadline job");
                    }
                    true
                }
                Err(e) => {
                    tracing::error!(error = %e, "deadline job failed");
                    false
                }
            },
            Job::CareMeasures => key_care::escalate_overdue(state)
                .await
                .map_err(|e| tracing::error!(error = %e, "care-measure escalation job failed"))
                .is_ok(),
            // The register's daily work, safe to repeat at every pass: each record is claimed once
            // per due period, each request marked once.
            Job::VerificationReminders => {
                register::notify_due(state).await.map_err(|e| tracing::error!(error = %e, "verification reminder job failed")).is_ok()
            }
            Job::AgedOut => register::mark_aged_out(state).await.map_err(|e| tracing::error!(error = %e, "turning-16 job failed")).is_ok(),
            Job::DocumentRetention => crate::services::documents::lifetime::run_retention(state)
                .await
                .map_err(|e| tracing::error!(error = %e, "document retention job failed"))
                .is_ok(),
        };
        state.metrics.job_run(self.name(), ok);
    }
}

/// One pass of the jobs this replica holds (taking any that no replica holds), stopping between
/// jobs once `shutdown` fires. Returns the jobs run.
pub async fn run_pass(state: &AppState, locks: &mut Option<Locks>, shutdown: &watch::Receiver<bool>) -> Vec<Job> {
    if let Some(held) = locks.as_mut()
        && !held.alive().await
    {
        tracing::warn!("the job locks' connection is gone (and its locks with it); taking them again");
        *locks = None;
    }
    if locks.is_none() {
        match Locks::open(&state.db).await {
            Ok(l) => *locks = Some(l),
            Err(e) => {
                tracing::error!(error = %e, "no connection for the job locks; jobs skipped this pass");
                return Vec::new();
            }
        }
    }
    let mut ran = Vec::new();
    for job in Job::ALL {
        if *shutdown.borrow() {
            break;
        }
        let Some(held) = locks.as_mut() else { break };
        match held.try_hold(job.lock()).await {
            Ok(true) => {
                job.run(state).await;
                ran.push(job);
            }
            Ok(false) => tracing::trace!(job = job.name(), "another replica runs this job"),
            Err(e) => {
                tracing::error!(error = %e, "job lock failed; jobs skipped until the next pass");
                *locks = None;
            }
        }
    }
    ran
}

/// Runs the jobs every `JOBS_INTERVAL_SECS` until shutdown, then lets the jobs go to the other
/// replicas.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_secs(state.config.jobs_interval_secs.max(1));
    let mut locks = None;
    loop {
        run_pass(&state, &mut locks, &shutdown).await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
    }
    if let Some(l) = locks {
        l.close().await;
    }
}
