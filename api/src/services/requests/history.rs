//! A request's history: every step is an event kept with the request; families see only the
//! public ones.

use chrono::{DateTime, Utc};
use entities::{request, request_event};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::summary::RequestView;
use crate::error::AppResult;

/// One history entry to record.
pub(crate) struct Step<'a> {
    pub kind: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<String>,
    pub public: bool,
}

/// Records a step in a request's history and returns it (a submission answers with the steps it
/// wrote instead of reading them back).
pub(crate) async fn event(
    conn: &impl ConnectionTrait,
    request_id: Uuid,
    actor: Option<Uuid>,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> AppResult<request_event::Model> {
    let Step { kind, from, to, note, public } = step;
    let row = request_event::Model {
        id: Uuid::now_v7(),
        request_id,
        actor_id: actor,
        kind: kind.to_owned(),
        from_status: from.map(str::to_owned),
        to_status: to.map(str::to_owned),
        note,
        public,
        created_at: now,
    };
    request_event::Entity::insert(request_event::ActiveModel::from(row.clone())).exec_without_returning(conn).await?;
    Ok(row)
}

/// Loads the history the viewer may see.
pub(crate) async fn view(conn: &impl ConnectionTrait, r: request::Model, staff: bool) -> AppResult<RequestView> {
    let mut q = request_event::Entity::find().filter(request_event::Column::RequestId.eq(r.id)).order_by_asc(request_event::Column::Id);
    if !staff {
        q = q.filter(request_event::Column::Public.eq(true));
    }
    let events = q.all(conn).await?;
    let linked = if staff {
        let cond = match r.parent_id {
            Some(p) => Condition::any().add(request::Column::Id.eq(p)),
            None => Condition::any().add(request::Column::ParentId.eq(r.id)),
        };
        request::Entity::find().filter(cond).all(conn).await?
    } else {
        Vec::new()
    };
    Ok(RequestView { request: r, events, linked })
}
