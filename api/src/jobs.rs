//! Scheduled jobs: session reminders, request deadlines (warnings, escalations), overdue care
//! measures, verification reminders and the turning-16 mark. Every job
//! claims its work with conditional updates, so any number of server processes can run them.

use std::time::Duration;

use crate::{
    services::{bookings, key_care, requests, screening},
    state::AppState,
};

/// Names of the jobs, as they appear in the `job` label of the metrics.
pub const NAMES: [&str; 5] = ["reminders", "deadlines", "care_escalation", "verification_reminders", "aged_out"];

/// One pass of every job.
pub async fn run_once(state: &AppState) {
    let r = bookings::send_due_reminders(state, chrono::Duration::hours(state.config.reminder_hours_before)).await;
    if let Err(e) = counted(state, "reminders", r) {
        tracing::error!(error = %e, "reminder job failed");
    }
    match counted(state, "deadlines", requests::run_deadlines(state).await) {
        Ok((warned, escalated)) if warned + escalated > 0 => tracing::info!(warned, escalated, "deadline job"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "deadline job failed"),
    }
    if let Err(e) = counted(state, "care_escalation", key_care::escalate_overdue(state).await) {
        tracing::error!(error = %e, "care-measure escalation job failed");
    }
    monitoring_daily(state).await;
}

/// Counts a job's run for `/metrics` (runs, failures, time since the last success).
fn counted<T, E>(state: &AppState, job: &'static str, result: Result<T, E>) -> Result<T, E> {
    state.metrics.job_run(job, result.is_ok());
    result
}

/// The register's daily work, safe to repeat at every pass: each record is claimed once per due
/// period, each request marked once.
async fn monitoring_daily(state: &AppState) {
    if let Err(e) = counted(state, "verification_reminders", screening::notify_due(state).await) {
        tracing::error!(error = %e, "verification reminder job failed");
    }
    if let Err(e) = counted(state, "aged_out", screening::mark_aged_out(state).await) {
        tracing::error!(error = %e, "turning-16 job failed");
    }
}

/// Runs the jobs every `JOBS_INTERVAL_SECS` until shutdown.
pub async fn run(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let every = Duration::from_secs(state.config.jobs_interval_secs.max(1));
    loop {
        run_once(&state).await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}
