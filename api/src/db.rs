//! Database connection and the one way to start a write transaction. SQLite gets WAL, a busy
//! timeout and `BEGIN IMMEDIATE` for writes, so concurrent writers queue instead of failing with
//! "database is locked"; PostgreSQL relies on row locks and constraints.

use std::time::Duration;

use migration::MigratorTrait;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::{
    config::Config,
    locks::{self, Locks},
};

/// A pooled SQLite connection idle this long is pinged before use.
pub const IDLE_PING_AFTER: Duration = Duration::from_secs(30);

/// Opens the pool with the settings that make both backends safe under concurrency.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    connect_url(&config.database_url, config.database_max_connections, None).await
}

/// Opens a pool for `url`; `schema` sets the PostgreSQL search path (used by tests).
pub async fn connect_url(url: &str, max: Option<u32>, schema: Option<&str>) -> Result<DatabaseConnection, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        ensure_sqlite_dir(url);
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max.unwrap_or(if sqlite { 8 } else { 20 }))
        .min_connections(if sqlite { 1 } else { 2 })
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(true)
        .sqlx_logging_level(tracing::log::LevelFilter::Debug)
        .sqlx_slow_statements_logging_settings(tracing::log::LevelFilter::Warn, Duration::from_millis(500))
        // sqlx reports each checkout's wait only as a `tracing` event; `/metrics` reads it
        // (metrics::pool_waits).
        .map_sqlx_postgres_pool_opts(|o| o.acquire_time_level(tracing::log::LevelFilter::Debug))
        .map_sqlx_sqlite_pool_opts(|o| o.acquire_time_level(tracing::log::LevelFilter::Debug))
        .map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.busy_timeout(Duration::from_secs(10))
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
        });
    if sqlite {
        // An SQLite connection lives in this process: nothing can drop it behind our back, so
        // only connections idle long enough to be suspect are pinged.
        opts.test_before_acquire_if_idle_for(IDLE_PING_AFTER);
    } else {
        // A PostgreSQL connection dies whenever the server restarts, fails over or terminates
        // backends, and then every pooled connection is dead at once. Pinging each one as it is
        // checked out makes the pool discard the dead ones and open fresh ones, so callers see
        // no error; a retry after a failed statement could not do that, since the next pooled
        // connection is just as dead. The cost is one round trip per checkout (see README).
        opts.test_before_acquire(true);
    }
    if let Some(s) = schema {
        opts.set_schema_search_path(s.to_owned());
    }
    Database::connect(opts).await
}

fn ensure_sqlite_dir(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// Runs every pending migration (schema and reference data). On PostgreSQL one replica at a
/// time: replicas starting together would otherwise race to create the same tables; the others
/// wait for the lock, then find nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let mut locks = Locks::open(db).await?;
    if !locks.try_hold(locks::MIGRATIONS).await? {
        tracing::info!("another replica is migrating the database; waiting for it to finish");
        locks.hold(locks::MIGRATIONS).await?;
    }
    let done = migration::Migrator::up(db, None).await;
    locks.close().await;
    done
}

/// Names of the migrations not applied yet, read without creating or changing anything.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let pending = migration::Migrator::get_pending_migrations_read_only(db).await?;
    Ok(pending.iter().map(|m| m.name().to_owned()).collect())
}

/// Refuses to go on while migrations are pending (when `MIGRATE_ON_START` is off, migrations are
/// the operator's step, and a server on an older schema would fail on every request).
pub async fn require_migrated(db: &DatabaseConnection) -> Result<(), String> {
    let pending = pending_migrations(db).await.map_err(|e| format!("migration status: {e}"))?;
    if pending.is_empty() {
        return Ok(());
    }
    Err(format!("MIGRATE_ON_START is off and {} migration(s) are pending ({}): run `api migrate` first", pending.len(), pending.join(", ")))
}

/// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock up front so the
/// busy handler can queue writers), a plain `BEGIN` on PostgreSQL.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let opts = TransactionOptions {
        sqlite_transaction_mode: (db.get_database_backend() == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(opts).await
}

/// Checks that the database answers (readiness probe).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}
