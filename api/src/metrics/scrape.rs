//! The series read when Prometheus scrapes: states of the outbox, bookings and requests, the
//! pool, the session cache, unreadable PII and the calendar.
//!
//! Why read at scrape time rather than refresh in the jobs pass: the values are never older than
//! the scrape, cost nothing when nobody scrapes, and stay right on processes started with
//! `WORKERS=false`. The reads are a handful of `COUNT … GROUP BY status` over indexed or small
//! tables, a few milliseconds every scrape interval; they are bounded by a timeout, and when the
//! database does not answer the scrape still succeeds with `tongxin_database_up 0`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::{booking, outbox, request};
use prometheus_client::{
    encoding::{EncodeLabelSet, text},
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use super::JobLabel;
use crate::{error::AppResult, state::AppState};

/// Longest a scrape waits for the database.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: String,
}

/// What the database says at scrape time.
struct Stored {
    outbox_pending: u64,
    outbox_oldest_pending: Option<DateTime<Utc>>,
    outbox_failed: u64,
    bookings: Vec<(String, i64)>,
    requests: Vec<(String, i64)>,
}

async fn stored(db: &DatabaseConnection) -> AppResult<Stored> {
    let pending = || outbox::Entity::find().filter(outbox::Column::Status.eq("pending"));
    let outbox_pending = pending().count(db).await?;
    let outbox_oldest_pending = pending()
        .select_only()
        .column(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::CreatedAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    let outbox_failed = crate::mail::failed::failed_count(db).await?;
    let bookings = booking::Entity::find()
        .select_only()
        .column(booking::Column::Status)
        .column_as(Expr::col(booking::Column::Id).count(), "n")
        .group_by(booking::Column::Status)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?;
    let requests = request::Entity::find()
        .select_only()
        .column(request::Column::Status)
        .column_as(Expr::col(request::Column::Id).count(), "n")
        .group_by(request::Column::Status)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?;
    Ok(Stored { outbox_pending, outbox_oldest_pending, outbox_failed, bookings, requests })
}

/// (size, idle, max) of the connection pool.
fn pool(db: &DatabaseConnection) -> (u32, usize, u32) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => (0, 0, 0),
    }
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let g = Gauge::<i64>::default();
    g.set(value);
    registry.register(name, help, g);
}

fn gauge_f(registry: &mut Registry, name: &str, help: &str, value: f64) {
    let g = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
    g.set(value);
    registry.register(name, help, g);
}

fn by_status(registry: &mut Registry, name: &str, help: &str, rows: &[(String, i64)]) {
    let f = Family::<StatusLabel, Gauge>::default();
    for (status, n) in rows {
        f.get_or_create(&StatusLabel { status: status.clone() }).set(*n);
    }
    registry.register(name, help, f);
}

/// The whole exposition: counted series, then the ones read now.
pub async fn render(state: &AppState) -> String {
    let metrics = &state.metrics;
    let _one_at_a_time = metrics.scrape_lock.lock().await;
    let mut now = Registry::default();
    let read = tokio::time::timeout(DATABASE_TIMEOUT, stored(&state.db)).await;
    let stored = match read {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "metrics: database read failed");
            None
        }
        Err(_) => {
            tracing::warn!("metrics: database read timed out");
            None
        }
    };
    gauge(&mut now, "tongxin_database_up", "1 when the scrape could read the database", i64::from(stored.is_some()));
    if let Some(s) = stored {
        gauge(&mut now, "tongxin_outbox_pending", "E-mails waiting for delivery (outbox depth)", s.outbox_pending as i64);
        let age = s.outbox_oldest_pending.map_or(0.0, |t| std::cmp::max((state.clock.now() - t).num_milliseconds(), 0) as f64 / 1000.0);
        gauge_f(&mut now, "tongxin_outbox_oldest_pending_age_seconds", "Age of the oldest e-mail still pending (0 when none)", age);
        gauge(&mut now, "tongxin_outbox_failed", "E-mails given up on, waiting for an administrator's requeueMail", s.outbox_failed as i64);
        by_status(&mut now, "tongxin_bookings", "Bookings by status", &s.bookings);
        by_status(&mut now, "tongxin_requests", "Requests by status", &s.requests);
    }
    let (size, idle, max) = pool(&state.db);
    let conns = Family::<StateLabel, Gauge>::default();
    conns.get_or_create(&StateLabel { state: "idle".into() }).set(idle as i64);
    conns.get_or_create(&StateLabel { state: "in_use".into() }).set(i64::from(size).saturating_sub(idle as i64));
    now.register("tongxin_db_pool_connections", "Open pooled database connections, idle or in use", conns);
    gauge(&mut now, "tongxin_db_pool_max_connections", "DATABASE_MAX_CONNECTIONS in force", i64::from(max));
    let (hits, misses) = state.sessions.lookups();
    // A fresh family each scrape: the counts are the cache's own totals since start.
    let lookups = Family::<ResultLabel, Counter>::default();
    lookups.get_or_create(&ResultLabel { result: "hit".into() }).inc_by(hits);
    lookups.get_or_create(&ResultLabel { result: "miss".into() }).inc_by(misses);
    now.register("tongxin_session_cache_lookups", "Session lookups answered from memory (hit) or the database (miss)", lookups);
    gauge(
        &mut now,
        "tongxin_pii_unreadable_values",
        "Stored ID numbers shown as unreadable since start (a key is missing or wrong)",
        state.pii.unreadable_count() as i64,
    );
    let today = state.clock.today();
    let covered = state.reference.calendar().covered_until().map_or(0, |until| (until - today).num_days());
    gauge(&mut now, "tongxin_calendar_covered_days", "Days ahead the working-day calendar covers (alert below 60)", covered);
    let lags = Family::<JobLabel, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
    for (job, lag) in metrics.job_lags() {
        lags.get_or_create(&JobLabel { job: job.into() }).set(lag);
    }
    now.register("tongxin_job_lag_seconds", "Seconds since the job last succeeded (since start if it never did)", lags);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = text::encode_registry(&mut out, metrics.registry());
    let _ = text::encode_registry(&mut out, &now);
    let _ = text::encode_eof(&mut out);
    out
}
