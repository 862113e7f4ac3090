//! PostgreSQL advisory locks: how replicas on one database take turns at what only one of them
//! may do (migrating, each scheduled job).
//!
//! The locks live on a connection of their own, detached from the pool. A session lock lasts as
//! long as its connection, so a replica that stops, crashes or is killed releases its locks with
//! it, and a lock can never stay behind on a pooled connection that someone else reuses. SQLite
//! serves one process, so there is no one to take turns with and every lock is granted.

use std::collections::BTreeSet;

use sea_orm::{
    DatabaseConnection, DbBackend, DbErr,
    sqlx::{self, Connection, postgres::PgConnection},
};

/// Advisory lock keys share one 64-bit space per database with every other application using it:
/// ours start with "Tongxi" in ASCII and end with the lock's number.
const BASE: i64 = 0x546F_6E67_7869_0000;

/// The lock held for the whole of `Migrator::up`.
pub const MIGRATIONS: i64 = BASE;

/// The lock of scheduled job number `n`.
pub const fn job(n: u8) -> i64 {
    BASE + 0x100 + n as i64
}

/// A connection holding advisory locks (nothing on SQLite).
pub struct Locks {
    conn: Option<PgConnection>,
    held: BTreeSet<i64>,
}

impl Locks {
    /// Opens the lock connection with the pool's settings.
    pub async fn open(db: &DatabaseConnection) -> Result<Locks, DbErr> {
        let conn = if db.get_database_backend() == DbBackend::Postgres {
            Some(db.get_postgres_connection_pool().acquire().await.map_err(lock_err)?.detach())
        } else {
            None
        };
        Ok(Locks { conn, held: BTreeSet::new() })
    }

    /// Takes `key` if no other session holds it; true when it is ours (also when it already was).
    pub async fn try_hold(&mut self, key: i64) -> Result<bool, DbErr> {
        let Some(conn) = self.conn.as_mut() else { return Ok(true) };
        if self.held.contains(&key) {
            return Ok(true);
        }
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(key).fetch_one(&mut *conn).await.map_err(lock_err)?;
        if got {
            self.held.insert(key);
        }
        Ok(got)
    }

    /// Waits as long as it takes for `key`.
    pub async fn hold(&mut self, key: i64) -> Result<(), DbErr> {
        let Some(conn) = self.conn.as_mut() else { return Ok(()) };
        if self.held.insert(key) {
            sqlx::query("SELECT pg_advisory_lock($1)").bind(key).execute(&mut *conn).await.map_err(lock_err)?;
        }
        Ok(())
    }

    /// Whether the connection, and with it every lock it holds, is still there.
    pub async fn alive(&mut self) -> bool {
        match self.conn.as_mut() {
            Some(conn) => conn.ping().await.is_ok(),
            None => true,
        }
    }

    /// Ends the connection, which releases every lock it holds.
    pub async fn close(self) {
        if let Some(conn) = self.conn {
            let _ = conn.close().await;
        }
    }
}

fn lock_err(e: sqlx::Error) -> DbErr {
    DbErr::Custom(format!("advisory lock connection: {e}"))
}
