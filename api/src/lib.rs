//! Tongxin (童心): the GraphQL service behind the families' app, the social organizations'
//! listings and the departments' work queues for migrant children in Guizhou.
//!
//! Layers: `http` (transport) → `graphql` (API types, one module per domain) → `services` (use
//! cases and persistence) → `domain` crate (pure rules). Errors are `error::AppError` throughout
//! and become wire errors once, in `graphql::errors`.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_province;
pub mod error;
pub mod events;
pub mod graphql;
pub mod hsds;
pub mod http;
pub mod jobs;
pub mod key_files;
pub mod mail;
pub mod ratelimit;
pub mod reference;
pub mod services;
pub mod sms;
pub mod spreadsheet;
pub mod state;
pub mod wechat;

use std::{net::SocketAddr, sync::Arc};

use tokio::sync::{Notify, watch};

use crate::{auth::jwt::JwtKeys, clock::Clock, config::Config, mail::Mailer, ratelimit::RateLimits, reference::Reference, state::AppState};

/// Builds the shared state: connects, migrates, loads reference data and policy.
pub async fn build_state(config: Config, mailer: Option<Mailer>) -> Result<AppState, String> {
    config.validate().map_err(|e| e.to_string())?;
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        return Err("jsonwebtoken has no crypto provider (feature unification enabled two backends?)".into());
    }
    let reference = Reference::load(&config.policy_dir, &config.calendar_file)?;
    if !reference.calendar().covers(chrono::Utc::now().date_naive(), graphql::calendar::DAYS_AHEAD) {
        tracing::warn!(covered_until = ?reference.calendar().covered_until(), "the working-day calendar ends within 60 days: add next year to CALENDAR_FILE");
    }
    let jwt = JwtKeys::from_config(&config).map_err(|e| e.to_string())?;
    let pii = services::pii::Pii::from_config(&config).map_err(|e| e.to_string())?;
    let mailer = match mailer {
        Some(m) => m,
        None => Mailer::from_config(&config)?,
    };
    let sms = sms::Sms::from_config(&config).map_err(|e| e.to_string())?;
    let wechat = wechat::WeChat::from_config(&config).map_err(|e| e.to_string())?;
    let db = db::connect(&config).await.map_err(|e| format!("database: {e}"))?;
    db::migrate(&db).await.map_err(|e| format!("migration: {e}"))?;
    services::key_checks::verify(&db, &pii, Clock::default().now()).await?;
    let events = events::EventBus::default();
    // One SQLite process sees every revocation itself; PostgreSQL processes learn of each other's
    // through the listener, so their cache waits for it.
    let sessions = Arc::new(auth::sessions::SessionCache::new(config.is_sqlite()));
    if !config.is_sqlite() {
        events.spawn_pg_listener(config.database_url.clone(), sessions.clone());
    }
    Ok(AppState {
        db,
        events,
        sessions,
        limits: Arc::new(RateLimits::new(&config)),
        config: Arc::new(config),
        jwt,
        pii: Arc::new(pii),
        mailer,
        mail_wake: Arc::new(Notify::new()),
        reference: Arc::new(reference),
        clock: Clock::default(),
        sms: Arc::new(sms),
        wechat: wechat.map(Arc::new),
    })
}

/// Background work of a server process: the outbox worker and the scheduled jobs.
pub fn spawn_workers(state: &AppState, shutdown: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    if !state.config.workers {
        return Vec::new();
    }
    vec![tokio::spawn(mail::outbox::run_worker(state.clone(), shutdown.clone())), tokio::spawn(jobs::run(state.clone(), shutdown))]
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish and stops the workers.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let workers = spawn_workers(&state, stop_rx);
    spawn_calendar_reload_on_sighup(&state);
    let app = http::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await?;
    let _ = stop_tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    Ok(())
}

/// Reloads the working-day calendar when the process gets SIGHUP (the operator's usual "reread
/// your files"); an invalid file is logged and the calendar in force stays.
fn spawn_calendar_reload_on_sighup(state: &AppState) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        let reference = state.reference.clone();
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                if let Err(e) = reference.reload_calendar() {
                    tracing::error!(error = %e, "calendar reload refused; the previous calendar stays");
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = state;
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested: finishing in-flight requests");
}
