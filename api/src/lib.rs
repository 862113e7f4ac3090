//! Tongxin (童心): the GraphQL service behind the families' app, the social organizations'
//! listings and the departments' work queues for migrant children in Guizhou.
//!
//! Layers: `http` (transport) → `graphql` (API types, one module per domain) → `services` (use
//! cases and persistence) → `domain` crate (pure rules). Errors are `error::AppError` throughout
//! and become wire errors once, in `graphql::errors`.
// async-graphql nests one future per level of the schema; the hand-resolved pages add levels.
#![recursion_limit = "256"]

pub mod auth;
pub mod clock;
pub mod config;
pub mod constraints;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod drain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod hsds;
pub mod http;
pub mod jobs;
pub mod key_files;
pub mod locks;
pub mod mail;
pub mod metrics;
pub mod notify;
pub mod pii;
pub mod ratelimit;
pub mod reference;
pub mod services;
pub mod sms;
pub mod spreadsheet;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod wechat;

use std::{future::IntoFuture, net::SocketAddr, sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};

use crate::{auth::jwt::JwtKeys, clock::Clock, config::Config, mail::Mailer, ratelimit::RateLimits, reference::Reference, state::AppState};

/// Builds the shared state: connects, migrates, loads reference data and policy.
pub async fn build_state(config: Config, mailer: Option<Mailer>) -> Result<AppState, String> {
    config.validate().map_err(|e| e.to_string())?;
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        return Err("jsonwebtoken has no crypto provider (feature unification enabled two backends?)".into());
    }
    let reference = Reference::load(&config.policy_dir, &config.calendar_file, &config.divisions_file)?;
    if !reference.calendar().covers(chrono::Utc::now().date_naive(), graphql::calendar::DAYS_AHEAD) {
        tracing::warn!(covered_until = ?reference.calendar().covered_until(), "the working-day calendar ends within 60 days: add next year to CALENDAR_FILE");
    }
    let jwt = JwtKeys::from_config(&config).map_err(|e| e.to_string())?;
    let pii = crate::pii::Pii::from_config(&config).map_err(|e| e.to_string())?;
    let mailer = match mailer {
        Some(m) => m,
        None => Mailer::from_config(&config)?,
    };
    let sms = sms::Sms::from_config(&config).map_err(|e| e.to_string())?;
    let wechat = wechat::WeChat::from_config(&config).map_err(|e| e.to_string())?;
    let documents = storage::Store::from_config(&config.storage).map_err(|e| e.to_string())?;
    let trusted = graphql::persisted::TrustedDocuments::load(config.trusted_documents.as_deref(), config.trusted_documents_only)?;
    let db = db::connect(&config).await.map_err(|e| format!("database: {e}"))?;
    if config.migrate_on_start {
        db::migrate(&db).await.map_err(|e| format!("migration: {e}"))?;
    } else {
        db::require_migrated(&db).await?;
    }
    let changes = services::divisions::sync(&db, &reference.divisions()).await.map_err(|e| format!("DIVISIONS_FILE: {e}"))?;
    if changes != services::divisions::Changes::default() {
        tracing::info!(
            added = changes.added.len(),
            changed = changes.changed.len(),
            removed = changes.removed.len(),
            "regions table updated from DIVISIONS_FILE"
        );
    }
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
        drain: drain::Drain::default(),
        metrics: Arc::new(metrics::Metrics::new()),
        sms: Arc::new(sms),
        wechat: wechat.map(Arc::new),
        documents,
        trusted: Arc::new(trusted),
    })
}

/// Background work of a server process: the outbox worker and the scheduled jobs.
pub fn spawn_workers(state: &AppState, shutdown: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    if !state.config.workers {
        return Vec::new();
    }
    vec![tokio::spawn(delivery::run_worker(state.clone(), shutdown.clone())), tokio::spawn(jobs::run(state.clone(), shutdown))]
}

/// Serves until `shutdown` resolves, then drains: stops accepting, tells every socket to go away
/// (1001), gives in-flight requests up to `SHUTDOWN_GRACE_SECS` to finish, and stops the workers
/// after the item each is working on.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let metrics = match state.config.metrics_addr {
        Some(addr) => Some(serve_metrics(&state, addr, stop_rx.clone()).await?),
        None => None,
    };
    let workers = spawn_workers(&state, stop_rx);
    spawn_reference_reload_on_sighup(&state);
    let drain = state.drain.clone();
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let app = http::router(state);
    let begin = {
        let drain = drain.clone();
        async move {
            shutdown.await;
            drain.begin();
        }
    };
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(begin);
    // The grace period counts from the shutdown, however long the server ran before.
    let overdue = async {
        drain.going_away().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server.into_future() => served?,
        () = overdue => tracing::warn!(grace_secs = grace.as_secs(), "requests still in flight after SHUTDOWN_GRACE_SECS; stopping anyway"),
    }
    if tokio::time::timeout(grace, drain.sockets_closed()).await.is_err() {
        tracing::warn!("sockets still open after SHUTDOWN_GRACE_SECS; stopping anyway");
    }
    let _ = stop_tx.send(true);
    if tokio::time::timeout(grace, futures::future::join_all(workers.into_iter().chain(metrics))).await.is_err() {
        tracing::warn!("background workers still busy after SHUTDOWN_GRACE_SECS; stopping anyway");
    }
    tracing::info!("drained");
    Ok(())
}

/// Serves `/metrics` alone on `METRICS_ADDR` until `stop` fires; binding is part of starting.
async fn serve_metrics(
    state: &AppState,
    addr: SocketAddr,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| std::io::Error::new(e.kind(), format!("METRICS_ADDR {addr}: {e}")))?;
    tracing::info!(addr = %listener.local_addr()?, "metrics listening");
    let app = http::metrics::router(state.clone());
    Ok(tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.changed().await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
            tracing::error!(error = %e, "metrics listener failed");
        }
    }))
}

/// Reloads the working-day calendar and the divisions when the process gets SIGHUP (the
/// operator's usual "reread your files"); an invalid file is logged and the data in force stays.
fn spawn_reference_reload_on_sighup(state: &AppState) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        let state = state.clone();
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                if let Err(e) = services::divisions::reload_reference(&state).await {
                    tracing::error!(error = %e, "reference reload refused; the calendar and divisions in force stay");
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
