//! A request's history: every step is an event kept with the request; families see only the
//! public ones.

use entities::{request, request_event};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::summary::RequestView;
use crate::error::AppResult;

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
