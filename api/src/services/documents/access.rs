//! Who may see a document. The family of the child; the staff whose queue holds a request the
//! document was sent with (or, for documents kept on the record, an open request of the child);
//! record staff (民政, 儿童主任, 儿童督导员) of the child's area who state a purpose, as for
//! `childRecord`. Never after the consent is withdrawn, never for an erased child. Everyone else
//! learns nothing, not even that the document exists.

use entities::{child, document, request};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    error::AppResult,
    services::{families, request_records::open, requests, scope::in_area},
};

/// Roles that keep the grassroots records and open them for a purpose.
pub const RECORD_STAFF: [Role; 3] = [Role::CivilAffairs, Role::ChildDirector, Role::ChildSupervisor];

/// The purpose written to the access log when staff open a document of a request they handle.
pub const REQUEST_HANDLING: &str = "request_handling";

/// Why the viewer may see a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A guardian of the child's household.
    Family,
    /// Staff, for the logged purpose.
    Staff(String),
}

/// Whether a staff viewer's queue holds a request that carries the document.
async fn handles(conn: &impl ConnectionTrait, viewer: &Viewer, d: &document::Model) -> AppResult<bool> {
    if !matches!(viewer.role, Role::DepartmentStaff | Role::CivilAffairs) {
        return Ok(false);
    }
    let q = request::Entity::find().filter(request::Column::ErasedAt.is_null());
    let rows = match d.request_id {
        Some(r) => q.filter(request::Column::Id.eq(r)).all(conn).await?,
        None => q.filter(request::Column::ChildId.eq(d.child_id)).filter(request::Column::Status.is_in(open())).all(conn).await?,
    };
    Ok(rows.iter().any(|r| requests::in_scope(viewer, r)))
}

/// Why `viewer` may see `d`, or `None`. `purpose` is what record staff state (`childRecord`'s
/// purposes); staff handling the request need none.
pub async fn grant(conn: &impl ConnectionTrait, viewer: &Viewer, d: &document::Model, purpose: Option<&str>) -> AppResult<Option<Grant>> {
    let Some(c) = child::Entity::find_by_id(d.child_id).one(conn).await?.filter(|c| c.deleted_at.is_none()) else { return Ok(None) };
    if viewer.role == Role::Guardian {
        let mine = families::household_of(conn, viewer.account_id).await?;
        return Ok((mine.is_some() && mine == c.household_id && mine == Some(d.household_id)).then_some(Grant::Family));
    }
    if !families::child_processable(conn, c.id).await? {
        return Ok(None);
    }
    if handles(conn, viewer, d).await? {
        return Ok(Some(Grant::Staff(purpose.unwrap_or(REQUEST_HANDLING).to_owned())));
    }
    match purpose {
        Some(p) if RECORD_STAFF.contains(&viewer.role) && in_area(viewer, &c) => Ok(Some(Grant::Staff(p.to_owned()))),
        _ => Ok(None),
    }
}

/// Whether the viewer may list the child's documents at all (an empty list rather than
/// `NOT_FOUND` for a child without documents).
pub async fn may_see_child(conn: &impl ConnectionTrait, viewer: &Viewer, child_id: Uuid, purpose: Option<&str>) -> AppResult<bool> {
    let Some(c) = child::Entity::find_by_id(child_id).one(conn).await?.filter(|c| c.deleted_at.is_none()) else { return Ok(false) };
    if viewer.role == Role::Guardian {
        let mine = families::household_of(conn, viewer.account_id).await?;
        return Ok(mine.is_some() && mine == c.household_id);
    }
    if !families::child_processable(conn, child_id).await? {
        return Ok(false);
    }
    let open = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::ErasedAt.is_null())
        .filter(request::Column::Status.is_in(open()))
        .all(conn)
        .await?;
    Ok(open.iter().any(|r| requests::in_scope(viewer, r))
        || (purpose.is_some() && RECORD_STAFF.contains(&viewer.role) && in_area(viewer, &c)))
}
