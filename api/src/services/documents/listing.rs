//! Which documents a viewer may see — of a child, of a request — and what a request still lacks.

use domain::documents::DocumentType;
use entities::{document, request, request_event};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    access,
    model::{DocumentView, status, with_blobs},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    state::AppState,
};

/// The documents of a child the viewer may see: the family sees them all; staff in scope of one
/// of the child's requests see that request's documents and the ones kept on the record; record
/// staff with a purpose see them all. Others: `NOT_FOUND`.
pub async fn of_child(state: &AppState, viewer: &Viewer, child_id: Uuid, purpose: Option<&str>) -> AppResult<Vec<DocumentView>> {
    let docs =
        document::Entity::find().filter(document::Column::ChildId.eq(child_id)).order_by_asc(document::Column::Id).all(&state.db).await?;
    let mut visible = Vec::new();
    for d in docs {
        if access::grant(&state.db, viewer, &d, purpose).await?.is_some() {
            visible.push(d);
        }
    }
    if visible.is_empty() && !access::may_see_child(&state.db, viewer, child_id, purpose).await? {
        return Err(AppError::NotFound);
    }
    with_blobs(&state.db, visible).await
}

/// The documents sent with a request, for the family or the staff handling it.
pub async fn of_request(state: &AppState, viewer: &Viewer, request_id: Uuid) -> AppResult<Vec<DocumentView>> {
    let docs = document::Entity::find()
        .filter(document::Column::RequestId.eq(request_id))
        .order_by_asc(document::Column::Id)
        .all(&state.db)
        .await?;
    let mut visible = Vec::new();
    for d in docs {
        if access::grant(&state.db, viewer, &d, None).await?.is_some() {
            visible.push(d);
        }
    }
    with_blobs(&state.db, visible).await
}

/// Documents sent with a request after the last thing staff did on it (claim, question, review,
/// comment…): what the queue flags as new.
pub async fn new_since_staff_action(conn: &impl ConnectionTrait, r: &request::Model) -> AppResult<u64> {
    let last = request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(r.id))
        .filter(request_event::Column::ActorId.is_not_null())
        .filter(request_event::Column::ActorId.ne(r.guardian_id))
        .order_by_desc(request_event::Column::CreatedAt)
        .one(conn)
        .await?
        .map(|e| e.created_at);
    let mut q = document::Entity::find().filter(document::Column::RequestId.eq(r.id));
    if let Some(at) = last {
        q = q.filter(document::Column::CreatedAt.gt(at));
    }
    Ok(sea_orm::PaginatorTrait::count(q, conn).await?)
}

/// The papers the request's entitlement needs that are not sent yet (or were sent and must be
/// replaced), in the policy's order.
pub fn missing(state: &AppState, entitlement: &str, sent: &[DocumentView]) -> Vec<DocumentType> {
    let policy = state.reference.policy.version_at(state.clock.today());
    let needed = policy.and_then(|p| p.entitlement(entitlement)).map(|e| e.documents.clone()).unwrap_or_default();
    needed
        .into_iter()
        .filter(|t| !sent.iter().any(|d| d.doc.doc_type == t.code() && d.doc.status != status::REPLACEMENT_REQUESTED))
        .collect()
}
