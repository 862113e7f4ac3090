//! What the lower use cases need to do to requests, without depending on the request workflow:
//! the open states, withdrawing a child's open requests when consent goes, and the mark of a
//! child who turned 16. A leaf: `families` and `register` call it, and `requests` may.
//!
//! Why a leaf: the workflow (`requests`) reads children, households and consents, so families and
//! the register calling back into it would make a cycle.

use chrono::{DateTime, NaiveDate, Utc};
use domain::lifecycle::request::RequestStatus as S;
use entities::{request, request_event};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::error::AppResult;

/// Every state in which a request is still open (stored names).
pub const OPEN: [&str; 4] = [S::Routed.as_str(), S::Claimed.as_str(), S::InProgress.as_str(), S::NeedsInfo.as_str()];
const WITHDRAWN: &str = S::Withdrawn.as_str();

/// One public step of a request's history, by the system.
async fn system_event(
    conn: &impl ConnectionTrait,
    request_id: Uuid,
    kind: &str,
    to: Option<&str>,
    note: String,
    now: DateTime<Utc>,
) -> AppResult<()> {
    request_event::Entity::insert(request_event::ActiveModel::from(request_event::Model {
        id: Uuid::now_v7(),
        request_id,
        actor_id: None,
        kind: kind.to_owned(),
        from_status: None,
        to_status: to.map(str::to_owned),
        note: Some(note),
        public: true,
        created_at: now,
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Consent withdrawn: every open request of the child (a lead and its open parts) is withdrawn
/// with that reason; decided ones stay as the law on records requires. Returns the number of
/// leads withdrawn.
pub async fn withdraw_for_consent(conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let leads = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::Kind.eq("lead"))
        .filter(request::Column::Status.is_in(OPEN))
        .all(conn)
        .await?;
    for r in &leads {
        let ids: Vec<Uuid> = request::Entity::find()
            .select_only()
            .column(request::Column::Id)
            .filter(Condition::any().add(request::Column::Id.eq(r.id)).add(request::Column::ParentId.eq(r.id)))
            .filter(request::Column::Status.is_in(OPEN))
            .into_tuple()
            .all(conn)
            .await?;
        request::Entity::update_many()
            .col_expr(request::Column::Status, Expr::value(WITHDRAWN))
            .col_expr(request::Column::OpenKey, Expr::value(Option::<String>::None))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.is_in(ids.clone()))
            .exec(conn)
            .await?;
        for id in ids {
            system_event(conn, id, "withdrawn", Some(WITHDRAWN), "监护人撤回同意 / consent withdrawn by the guardian".to_owned(), now)
                .await?;
        }
    }
    Ok(leads.len())
}

/// Writes the history step of a request whose child turned 16 on `day` (the request continues).
pub(crate) async fn record_aged_out(conn: &impl ConnectionTrait, id: Uuid, day: NaiveDate, now: DateTime<Utc>) -> AppResult<()> {
    let note = format!("孩子已于 {day} 年满十六周岁，本申请继续办理 / the child turned 16 on {day}; this request continues");
    system_event(conn, id, "aged_out", None, note, now).await
}
