//! The one way a request changes state. A transition locks the row (the caller's read, `FOR
//! UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), asks `domain::lifecycle` whether the move
//! is allowed from the state read, updates the row only if it is still in that state, writes the
//! history, enqueues the family's notice in the same transaction, commits, and wakes the mailer
//! after the commit. Call sites say what differs (the columns, the entries, the refusal), so none
//! can forget a step.

use chrono::{DateTime, Utc};
use domain::lifecycle::request::{RequestAction, RequestStatus};
use entities::{request, status::RequestStatus as Stored};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, UpdateMany, sea_query::Expr};
use uuid::Uuid;

use super::notices::tell_status;
use crate::{
    db,
    error::{AppError, AppResult},
    services::request_records::{Step, event},
    state::AppState,
};

/// A write that may have enqueued messages, from its first statement to the wake-up of the
/// mailer after its commit.
pub(crate) struct Transition<'s> {
    state: &'s AppState,
    txn: DatabaseTransaction,
    /// The time of the whole write.
    pub now: DateTime<Utc>,
}

/// A move checked against `domain::lifecycle`, with the error its call site answers when the
/// move is refused or another writer moved the row first.
pub(crate) struct Checked {
    /// The state read.
    pub from: RequestStatus,
    /// The state after the move.
    pub to: RequestStatus,
    refused: AppError,
}

/// One history entry of a move; it records the states moved from and to.
pub(crate) struct Entry {
    pub kind: &'static str,
    pub note: Option<String>,
    pub public: bool,
}

/// What a move records besides the new state.
pub(crate) struct Move<'a> {
    /// Who moved it (`None`: the system).
    pub actor: Option<Uuid>,
    /// The history entries, in order.
    pub entries: Vec<Entry>,
    /// Whether the entries name the state moved from (a withdrawal names only where it went).
    pub record_from: bool,
    /// Whether the family is told the new status (lead requests only), and with which note.
    pub tell: Tell<'a>,
}

/// Who a move tells, besides what the call site adds (a queue, an assignee).
pub(crate) enum Tell<'a> {
    /// Nobody.
    Nobody,
    /// The family, on its channels, with the caseworker's note if any.
    Family(Option<&'a str>),
}

impl<'s> Transition<'s> {
    /// Opens the write transaction.
    pub async fn begin(state: &'s AppState) -> AppResult<Self> {
        Ok(Transition { state, txn: db::begin_write(&state.db).await?, now: state.clock.now() })
    }

    /// The transaction, for the reads and writes that belong to the move.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Moves a request row this transaction read (and locked) by a checked move.
    pub async fn apply(
        &self,
        r: &request::Model,
        checked: Checked,
        m: Move<'_>,
        extra: impl FnOnce(UpdateMany<request::Entity>) -> UpdateMany<request::Entity>,
    ) -> AppResult<RequestStatus> {
        apply_in(&self.txn, r, checked, m, extra, self.now).await
    }

    /// Commits and wakes the mailer for what the transaction enqueued.
    pub async fn finish(self) -> AppResult<()> {
        commit_and_wake(self.state, self.txn).await
    }
}

/// Checks `action` from the request's stored state; `refused` is the call site's answer.
pub(crate) fn check(r: &request::Model, action: RequestAction, refused: AppError) -> AppResult<Checked> {
    let from = RequestStatus::from(r.status);
    match from.next(action) {
        Ok(to) => Ok(Checked { from, to, refused }),
        Err(_) => Err(refused),
    }
}

/// [`Transition::apply`] inside a caller's transaction (consent withdrawal, erasure), which
/// commits it and wakes the mailer.
pub(crate) async fn apply_in(
    conn: &impl ConnectionTrait,
    r: &request::Model,
    checked: Checked,
    m: Move<'_>,
    extra: impl FnOnce(UpdateMany<request::Entity>) -> UpdateMany<request::Entity>,
    now: DateTime<Utc>,
) -> AppResult<RequestStatus> {
    let Checked { from, to, refused } = checked;
    let update = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(Stored::from(to)))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(r.id))
        .filter(request::Column::Status.eq(Stored::from(from)));
    if extra(update).exec(conn).await?.rows_affected != 1 {
        return Err(refused);
    }
    for e in m.entries {
        let step = Step { kind: e.kind, from: m.record_from.then_some(from), to: Some(to), note: e.note, public: e.public };
        event(conn, r.id, m.actor, step, now).await?;
    }
    if let Tell::Family(note) = m.tell
        && r.kind == "lead"
    {
        tell_status(conn, r, to, note, now).await?;
    }
    Ok(to)
}

/// Commits a write that enqueued messages, then wakes the mailer: the one ending of every such
/// write, so none forgets the wake-up.
pub(crate) async fn commit_and_wake(state: &AppState, txn: DatabaseTransaction) -> AppResult<()> {
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(())
}
