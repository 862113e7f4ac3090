//! Reminders of sessions about to start, sent once however many processes run.

use chrono::Duration;
use entities::{booking, service, session, status::BookingStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::cancel::notify_guardian;
use crate::{
    db,
    error::{AppError, AppResult},
    mail::templates,
    notify,
    services::requests::transition::commit_and_wake,
    state::AppState,
};

/// Sends the reminder e-mails of sessions starting within `ahead`. Each session's reminders are
/// claimed by one conditional UPDATE, so several processes never send them twice.
pub async fn send_due_reminders(state: &AppState, ahead: Duration) -> AppResult<usize> {
    let now = state.clock.now();
    let due = session::Entity::find()
        .filter(session::Column::ReminderSentAt.is_null())
        .filter(session::Column::CancelledAt.is_null())
        .filter(session::Column::StartsAt.gt(now))
        .filter(session::Column::StartsAt.lte(now + ahead))
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for sess in due {
        let txn = db::begin_write(&state.db).await?;
        let claimed = session::Entity::update_many()
            .col_expr(session::Column::ReminderSentAt, Expr::value(Some(now)))
            .filter(session::Column::Id.eq(sess.id))
            .filter(session::Column::ReminderSentAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let svc = service::Entity::find_by_id(sess.service_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        let confirmed = booking::Entity::find()
            .filter(booking::Column::SessionId.eq(sess.id))
            .filter(booking::Column::Status.eq(BookingStatus::Confirmed))
            .all(&txn)
            .await?;
        let when = (sess.starts_at + Duration::hours(8)).format("%Y-%m-%d %H:%M");
        for b in &confirmed {
            let mail = templates::notice(
                "活动提醒",
                "Reminder",
                format!("提醒：您预约的“{}”将于 {when} 开始。如不能参加，请尽早取消，把名额留给其他孩子。", svc.name),
                format!(
                    "Reminder: \"{}\" starts at {when} (Beijing time). If you cannot come, please cancel so another child can take the seat.",
                    svc.name
                ),
            );
            let notice = notify::events::session_reminder(&svc.name, sess.starts_at, mail);
            notify_guardian(&txn, (b.guardian_id, b.child_id), notice, now).await?;
            sent += 1;
        }
        commit_and_wake(state, txn).await?;
    }
    Ok(sent)
}
