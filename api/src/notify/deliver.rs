//! The worker's side of family notices. Each due notice is claimed with the outbox lease (a
//! conditional UPDATE only one process wins), then tried on the family's channels in the family's
//! order, skipping those that refused it before: the first channel that accepts it delivers it,
//! a refusal moves on to the next, a temporary failure ends the attempt and the row comes back
//! after the outbox backoff on that same channel. The row is marked sent by the statement right
//! after a provider accepted it; a crash in between delivers it again after the lease (at least
//! once), and nothing else can send it twice. A notice no channel takes is `undeliverable`.

use chrono::{DateTime, Utc};
use entities::{account, outbox};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{
    channels::{self, Attempt},
    kinds::{Channel, Event},
    preferences,
};
use crate::{
    error::AppResult,
    mail::outbox::{self as outbox_rows, Kind, Pass, Retry},
    state::AppState,
};

/// How a notice's delivery ended in this pass.
enum Outcome {
    Sent(Channel),
    Retry(String),
    Undeliverable(String),
}

/// Delivers every due family notice once; safe to run in many processes at once.
pub async fn deliver_due(state: &AppState, retry: &Retry, now: DateTime<Utc>) -> AppResult<Pass> {
    let mut pass = Pass::default();
    for id in outbox_rows::due(&state.db, Kind::Notice, now).await? {
        let Some(row) = outbox_rows::claim(&state.db, id, retry.lease, now).await? else { continue };
        let mut refused = Channel::list(row.refused.as_deref());
        let outcome = deliver_one(state, &row, &mut refused).await?;
        let attempts = row.attempts + 1;
        let update = outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::value(attempts))
            .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(outbox::Column::Refused, Expr::value(Some(Channel::join(&refused))))
            .filter(outbox::Column::Id.eq(id));
        match outcome {
            Outcome::Sent(channel) => {
                // The very next statement after the provider accepted it (see the module doc).
                update
                    .col_expr(outbox::Column::Status, Expr::value("sent"))
                    .col_expr(outbox::Column::SentAt, Expr::value(Some(now)))
                    .col_expr(outbox::Column::DeliveredVia, Expr::value(Some(channel.as_str())))
                    .exec(&state.db)
                    .await?;
                tracing::info!(outbox_id = %id, attempts, channel = channel.as_str(), "notice delivered");
                pass.sent += 1;
            }
            Outcome::Retry(error) => {
                let next = retry.next_attempt(attempts, row.created_at, now);
                let gave_up = next.is_none();
                tracing::warn!(outbox_id = %id, attempts, gave_up, %error, "notice delivery failed");
                update
                    .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                    .col_expr(outbox::Column::NextAttemptAt, Expr::value(next.unwrap_or(now)))
                    .col_expr(outbox::Column::Status, Expr::value(if gave_up { "failed" } else { "pending" }))
                    .exec(&state.db)
                    .await?;
                pass.failed += 1;
            }
            Outcome::Undeliverable(error) => {
                tracing::warn!(outbox_id = %id, attempts, %error, "notice undeliverable: no channel of the family takes it");
                update
                    .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                    .col_expr(outbox::Column::Status, Expr::value("undeliverable"))
                    .exec(&state.db)
                    .await?;
                pass.failed += 1;
            }
        }
    }
    Ok(pass)
}

/// Tries the notice on the family's channels in order; `refused` gains each channel that
/// refuses it.
async fn deliver_one(state: &AppState, row: &outbox::Model, refused: &mut Vec<Channel>) -> AppResult<Outcome> {
    let (Some(account_id), Some(event)) = (row.account_id, row.event.as_deref().and_then(Event::parse)) else {
        return Ok(Outcome::Undeliverable("not a notice".into()));
    };
    let Some(account) = account::Entity::find_by_id(account_id).one(&state.db).await? else {
        return Ok(Outcome::Undeliverable("the account is gone".into()));
    };
    let mut reasons = Vec::new();
    for channel in preferences::order(&state.db, account_id).await? {
        if refused.contains(&channel) {
            continue;
        }
        let attempt = channels::attempt(state, row, &account, event, channel).await?;
        let outcome = match &attempt {
            Attempt::Sent => "sent",
            Attempt::Refused(_) => "refused",
            Attempt::Temporary(_) => "failed",
        };
        state.metrics.notice_attempt(channel.as_str(), outcome);
        match attempt {
            Attempt::Sent => return Ok(Outcome::Sent(channel)),
            Attempt::Temporary(e) => return Ok(Outcome::Retry(format!("{}: {e}", channel.as_str()))),
            Attempt::Refused(reason) => {
                tracing::info!(outbox_id = %row.id, channel = channel.as_str(), %reason, "channel refused the notice; trying the next");
                if channel == Channel::WeChat {
                    // The grant it held was refused by WeChat: a later attempt must not reuse it.
                    outbox::Entity::update_many()
                        .col_expr(outbox::Column::Channel, Expr::value(Option::<String>::None))
                        .filter(outbox::Column::Id.eq(row.id))
                        .exec(&state.db)
                        .await?;
                }
                refused.push(channel);
                reasons.push(format!("{}: {reason}", channel.as_str()));
            }
        }
    }
    Ok(Outcome::Undeliverable(if reasons.is_empty() { "no channel chosen".into() } else { reasons.join("; ") }))
}
