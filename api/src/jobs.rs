//! Scheduled jobs: session reminders and request deadlines (warnings, escalations). Every job
//! claims its work with conditional updates, so any number of server processes can run them.

use std::time::Duration;

use crate::{
    services::{bookings, requests},
    state::AppState,
};

/// One pass of every job.
pub async fn run_once(state: &AppState) {
    if let Err(e) = bookings::send_due_reminders(state, chrono::Duration::hours(state.config.reminder_hours_before)).await {
        tracing::error!(error = %e, "reminder job failed");
    }
    match requests::run_deadlines(state).await {
        Ok((warned, escalated)) if warned + escalated > 0 => tracing::info!(warned, escalated, "deadline job"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "deadline job failed"),
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
