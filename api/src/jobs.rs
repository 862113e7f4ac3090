//! Scheduled jobs: session reminders (and, as capabilities land, deadline checks). Every job
//! claims its work with conditional updates, so any number of server processes can run them.

use std::time::Duration;

use crate::{services::bookings, state::AppState};

/// One pass of every job; returns how many reminder e-mails were queued.
pub async fn run_once(state: &AppState) -> usize {
    match bookings::send_due_reminders(state, chrono::Duration::hours(state.config.reminder_hours_before)).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "reminder job failed");
            0
        }
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
