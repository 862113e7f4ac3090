//! The outbox worker: each pass delivers the due e-mails (`mail::outbox`) and then the due
//! notices to families (`notify::deliver`). It sits above both, and above the state they read,
//! so neither delivery path has to know the other.

use std::time::Duration;

use crate::{
    error::AppResult,
    mail::outbox::{self, Pass, Retry},
    notify,
    state::AppState,
};

/// One delivery pass of the server's outbox, counted in its metrics.
pub async fn counted_pass(state: &AppState, retry: &Retry) -> AppResult<Pass> {
    let mail = outbox::deliver_due(&state.db, &state.mailer, &state.config.mail_from, retry, state.clock.now()).await?;
    let notices = notify::deliver::deliver_due(state, retry, state.clock.now()).await?;
    let pass = Pass { sent: mail.sent + notices.sent, failed: mail.failed + notices.failed };
    state.metrics.outbox_pass(pass.sent, pass.failed);
    Ok(pass)
}

/// Runs delivery passes until `shutdown` fires; wakes early when a commit enqueued mail.
pub async fn run_worker(state: AppState, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let c = state.config.clone();
    let poll = Duration::from_millis(c.outbox_poll_ms);
    let retry = Retry::from_config(&c);
    loop {
        if let Err(e) = counted_pass(&state, &retry).await {
            tracing::error!(error = %e, "outbox pass failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = state.mail_wake.notified() => {}
            _ = shutdown.changed() => return,
        }
    }
}
