//! The outbox for administrators: e-mails given up on after `OUTBOX_GIVE_UP_AFTER_DAYS`, and
//! requeueing them once the mail server is fixed. Bodies are never served.

use async_graphql::{
    Context, ID, Object, SimpleObject,
    connection::{Connection, CursorType, Edge},
};
use chrono::{DateTime, Utc};

use super::{
    context::state,
    pagination::{self, Cursor},
    scalars::parse_id,
};
use crate::{
    auth::{Role, viewer::require_role},
    error::AppResult,
    mail::failed,
};

/// An e-mail the outbox gave up on.
#[derive(SimpleObject)]
pub struct FailedMail {
    /// Outbox id; also the e-mail's Message-ID.
    pub id: ID,
    /// Recipient address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Delivery attempts made since it was (re)queued.
    pub attempts: i32,
    /// The transport's last error.
    pub last_error: Option<String>,
    /// When it was (re)queued.
    pub queued_at: DateTime<Utc>,
}

impl From<failed::FailedMail> for FailedMail {
    fn from(m: failed::FailedMail) -> Self {
        FailedMail {
            id: ID(m.id.to_string()),
            recipient: m.recipient,
            subject: m.subject,
            attempts: m.attempts,
            last_error: m.last_error,
            queued_at: m.queued_at,
        }
    }
}

/// Failed-mail queries.
#[derive(Default)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// E-mails that could not be delivered within the give-up period, oldest first (admin only).
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn failed_mails(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<String, FailedMail>> {
        require_role(ctx, &[Role::Admin])?;
        let limit = pagination::clamp(first)?;
        let after = pagination::after_uuid(after.as_deref())?;
        let mut rows = failed::list(&state(ctx).db, after, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let mut conn = Connection::new(after.is_some(), has_next);
        conn.edges.extend(rows.into_iter().map(|m| Edge::new(Cursor::of_uuid(m.id).encode_cursor(), FailedMail::from(m))));
        Ok(conn)
    }
}

/// Failed-mail mutations.
#[derive(Default)]
pub struct MailMutation;

#[Object]
impl MailMutation {
    /// Sends a failed e-mail again from the start of the retry schedule (admin only). Unknown id:
    /// `NOT_FOUND`; an e-mail that has not failed: `CONFLICT`.
    async fn requeue_mail(&self, ctx: &Context<'_>, id: ID) -> AppResult<bool> {
        let v = require_role(ctx, &[Role::Admin])?;
        let st = state(ctx);
        failed::requeue(&st.db, v.account_id, parse_id(&id)?, st.clock.now()).await?;
        st.mail_wake.notify_one();
        Ok(true)
    }

    /// Sends every failed e-mail again (admin only); answers how many were requeued.
    async fn requeue_failed_mails(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let v = require_role(ctx, &[Role::Admin])?;
        let st = state(ctx);
        let n = failed::requeue_all(&st.db, v.account_id, st.clock.now()).await?;
        st.mail_wake.notify_one();
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }
}
