//! Who may see and act on a request: the guardian of the child (lead requests), or staff whose
//! department and region cover its queue. Everything else is `NOT_FOUND`.

use entities::request;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    error::{AppError, AppResult},
    services::children,
};

/// Whether a staff viewer's scope covers a request's queue.
pub fn in_scope(viewer: &Viewer, r: &request::Model) -> bool {
    matches!(viewer.role, Role::DepartmentStaff | Role::CivilAffairs)
        && viewer.department_code.as_deref() == Some(r.department_code.as_str())
        && viewer.region_contains(&r.region_code)
}

/// A request in the staff viewer's scope, locked for update on PostgreSQL.
pub(crate) async fn staff_request(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<request::Model> {
    let r = request::Entity::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound)?;
    if !in_scope(viewer, &r) || r.erased_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// The guardian's own lead request, locked for update on PostgreSQL.
pub(crate) async fn guardian_request(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<request::Model> {
    let r = request::Entity::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::Guardian || r.kind != "lead" || children::guardian_child(conn, viewer, r.child_id).await.is_err() {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Only the assignee works a claimed request.
pub(crate) fn require_assignee(viewer: &Viewer, r: &request::Model) -> AppResult<()> {
    if r.assignee_id != Some(viewer.account_id) {
        return Err(AppError::conflict("请先认领该申请", "claim the request first"));
    }
    Ok(())
}
