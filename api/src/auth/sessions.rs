//! Live sessions remembered between requests, so that a signed-in client's every request does not
//! cost two primary-key reads (account and login session) before its own work starts.
//!
//! Why it stays correct: logout, refresh-token reuse, password reset, disabling and role changes
//! are the only writes that change what `authenticate` would answer. Each of them calls
//! [`SessionCache::announce`] inside its transaction (on PostgreSQL a `pg_notify` that every server
//! process receives at commit) and [`SessionCache::forget`] after it commits (this process, at
//! once). On PostgreSQL the cache answers only while this process's listener is connected: when the
//! connection drops, notifications could be missed, so the cache empties and stays off until
//! LISTEN is back. A fill that raced with a revocation is undone by the epoch check, and no entry
//! outlives [`SessionCache::MAX_AGE`] in any case.

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use super::Viewer;
use crate::error::AppResult;

/// PostgreSQL channel of session revocations.
pub const CHANNEL: &str = "tongxin_sessions";

/// What stopped being valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revoked {
    /// One login session (logout, refresh-token reuse).
    Session(Uuid),
    /// Every session of an account, or what the account may do (disabling, password reset, role).
    Account(Uuid),
}

impl Revoked {
    fn payload(self) -> String {
        match self {
            Revoked::Session(id) => format!("s:{id}"),
            Revoked::Account(id) => format!("a:{id}"),
        }
    }

    /// Parses a notification payload.
    pub fn parse(payload: &str) -> Option<Self> {
        let (kind, id) = payload.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "s" => Some(Revoked::Session(id)),
            "a" => Some(Revoked::Account(id)),
            _ => None,
        }
    }
}

#[derive(Clone)]
struct Entry {
    viewer: Viewer,
    at: Instant,
}

/// Authenticated sessions by session id. See the module documentation for the invariants.
pub struct SessionCache {
    entries: quick_cache::sync::Cache<Uuid, Entry>,
    /// Bumped by every revocation and every loss of the listener; a fill that saw another epoch
    /// before its database read is discarded.
    epoch: AtomicU64,
    live: AtomicBool,
    /// Bumped with the epoch, for those who must act on a revocation rather than only stop
    /// trusting an entry: open WebSockets re-check their session and close when it ended.
    revoked: tokio::sync::watch::Sender<u64>,
    /// Lookups answered from memory and lookups that went to the database, for `/metrics`: a
    /// falling hit ratio means revocations or an unreliable listener are costing reads.
    hits: AtomicU64,
    misses: AtomicU64,
}

impl SessionCache {
    /// Longest time an entry is trusted without a fresh read, whatever the listener says.
    pub const MAX_AGE: Duration = Duration::from_secs(60);
    const CAPACITY: usize = 100_000;

    /// A cache that answers at once (`live`: one SQLite process) or only after the PostgreSQL
    /// listener reports in.
    pub fn new(live: bool) -> Self {
        SessionCache {
            entries: quick_cache::sync::Cache::new(Self::CAPACITY),
            epoch: AtomicU64::new(0),
            live: AtomicBool::new(live),
            revoked: tokio::sync::watch::Sender::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Changes on every revocation this process learns of, and whenever the listener is lost or
    /// back (when revocations may have been missed).
    pub fn revocations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revoked.subscribe()
    }

    fn signal(&self) {
        self.revoked.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Whether the cache answers now (for readiness checks and tests).
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// The epoch to pass to [`SessionCache::fill`]; `None` while the cache is off.
    pub fn begin_fill(&self) -> Option<u64> {
        self.live.load(Ordering::Acquire).then(|| self.epoch.load(Ordering::Acquire))
    }

    /// The remembered viewer of a session, if still trusted.
    pub fn get(&self, session_id: Uuid, account_id: Uuid) -> Option<Viewer> {
        let found = self.lookup(session_id, account_id);
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn lookup(&self, session_id: Uuid, account_id: Uuid) -> Option<Viewer> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let e = self.entries.get(&session_id)?;
        (e.viewer.account_id == account_id && e.at.elapsed() < Self::MAX_AGE).then_some(e.viewer)
    }

    /// Lookups since start as (answered from memory, went to the database).
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// Remembers a viewer read from the database after [`SessionCache::begin_fill`] gave `epoch`.
    pub fn fill(&self, epoch: u64, viewer: Viewer) {
        let id = viewer.session_id;
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        self.entries.insert(id, Entry { viewer, at: Instant::now() });
        // A revocation between the check and the insert has already run its removal: undo ours.
        if self.epoch.load(Ordering::Acquire) != epoch {
            self.entries.remove(&id);
        }
    }

    /// Drops what a committed revocation made stale, in this process.
    pub fn forget(&self, r: Revoked) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        match r {
            Revoked::Session(id) => {
                self.entries.remove(&id);
            }
            Revoked::Account(_) => self.entries.clear(),
        }
        self.signal();
    }

    /// Turns the cache on (listener connected) or off and empty (listener lost).
    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
        self.signal();
    }

    /// Tells every other server process, when the caller's transaction commits.
    pub async fn announce(conn: &impl ConnectionTrait, r: Revoked) -> AppResult<()> {
        if conn.get_database_backend() == DbBackend::Postgres {
            conn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), r.payload().into()],
            ))
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn viewer(session: Uuid, account: Uuid) -> Viewer {
        Viewer {
            account_id: account,
            session_id: session,
            role: Role::Guardian,
            department_code: None,
            region_code: None,
            organization_id: None,
        }
    }

    #[test]
    fn a_revoked_session_is_not_answered_from_memory() {
        let (s, a) = (Uuid::now_v7(), Uuid::now_v7());
        let c = SessionCache::new(true);
        let e = c.begin_fill().expect("live");
        c.fill(e, viewer(s, a));
        assert_eq!(c.get(s, a).map(|v| v.session_id), Some(s));
        assert!(c.get(s, Uuid::now_v7()).is_none(), "a token of another account never matches");
        c.forget(Revoked::Session(s));
        assert!(c.get(s, a).is_none());
    }

    #[test]
    fn a_fill_that_raced_with_a_revocation_is_discarded() {
        let (s, a) = (Uuid::now_v7(), Uuid::now_v7());
        let c = SessionCache::new(true);
        let e = c.begin_fill().expect("live");
        // The database read happened before the revocation committed; the fill comes after.
        c.forget(Revoked::Account(a));
        c.fill(e, viewer(s, a));
        assert!(c.get(s, a).is_none());
    }

    #[test]
    fn without_a_listener_the_cache_neither_answers_nor_fills() {
        let (s, a) = (Uuid::now_v7(), Uuid::now_v7());
        let c = SessionCache::new(true);
        c.fill(c.begin_fill().expect("live"), viewer(s, a));
        c.set_live(false);
        assert!(c.get(s, a).is_none());
        assert!(c.begin_fill().is_none());
        c.set_live(true);
        assert!(c.get(s, a).is_none(), "entries from before the outage are gone");
    }

    #[test]
    fn notification_payloads_round_trip() {
        let id = Uuid::now_v7();
        for r in [Revoked::Session(id), Revoked::Account(id)] {
            assert_eq!(Revoked::parse(&r.payload()), Some(r));
        }
        assert_eq!(Revoked::parse("x:1"), None);
    }
}
