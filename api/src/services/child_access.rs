//! Staff access to children's records: the masked list of a region and the full record, whose every
//! read is written to the access log the guardian sees (`childAccessLog`).

use domain::facts::FactId;
use entities::{account, child, child_access_log};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

// `key_care` reads the area check here.
pub use super::scope::in_area;
use super::{
    child_record::{ChildDetails, Secrets, guardian_child, processable_details, secrets},
    claims::visible_from,
    consent::{Purpose, covers, governing_consents, paper_consent_in_force},
    scope::{living_in, region_in_scope},
};
use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// What staff see through `childRecord`, after the read was logged.
pub struct StaffRecord {
    /// The row.
    pub child: child::Model,
    /// Facts the staff may process (sensitive ones only under consent).
    pub details: ChildDetails,
    /// Unmasked numbers.
    pub secrets: Secrets,
}

/// A page of processable children living in `region_code`, which must lie in the viewer's scope.
pub async fn registered_children(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    first: usize,
    after: Option<Uuid>,
) -> AppResult<(Vec<child::Model>, bool)> {
    if !region_in_scope(state, viewer, region_code)? {
        return Err(AppError::Forbidden);
    }
    let mut q = child::Entity::find().filter(living_in(region_code));
    if let Some(a) = after {
        q = q.filter(child::Column::Id.gt(a));
    }
    let mut rows = q.order_by_asc(child::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

/// The full record for staff in scope, unmasked, for a stated purpose; the read is written to the
/// child's access log before the data leaves the server.
pub async fn staff_record(state: &AppState, viewer: &Viewer, id: Uuid, purpose: &str) -> AppResult<StaffRecord> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = child::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|c| c.deleted_at.is_none() && in_area(viewer, c))
        .ok_or(AppError::NotFound)?;
    // A screened child without a household is processed under the paper consent.
    let consents = governing_consents(&txn, &c).await?.unwrap_or_default();
    if !covers(&consents, Some(id), Purpose::BasicServices) && !paper_consent_in_force(&c) {
        return Err(AppError::NotFound);
    }
    let secrets = secrets(&state.pii, &c)?;
    let details = processable_details(&c, &consents);
    let mut fields: Vec<&str> = Vec::new();
    if secrets.id_number.is_some() {
        fields.push("idNumber");
    }
    if secrets.permit_number.is_some() {
        fields.push("residencePermitNumber");
    }
    let shown = serde_json::to_value(&details.facts).unwrap_or_default();
    fields.extend(FactId::sensitive().map(FactId::api_name).filter(|f| !shown[*f].is_null()));
    child_access_log::Entity::insert(child_access_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        actor_id: Set(viewer.account_id),
        actor_role: Set(viewer.role.as_str().into()),
        fields: Set(json!(fields)),
        purpose: Set(purpose.into()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, actor = %viewer.account_id, purpose, "staff read a child's record");
    Ok(StaffRecord { child: c, details, secrets })
}

/// A page of the child's access log, newest first, with the staff accounts that read it.
pub async fn access_log(
    state: &AppState,
    viewer: &Viewer,
    child_id: Uuid,
    first: usize,
    before_id: Option<Uuid>,
) -> AppResult<(Vec<(child_access_log::Model, Option<account::Model>)>, bool)> {
    guardian_child(&state.db, viewer, child_id).await?;
    let mut q = child_access_log::Entity::find().filter(child_access_log::Column::ChildId.eq(child_id));
    // Reads of a screened record before the family took it over are not the family's to see.
    if let Some(from) = visible_from(&state.db, viewer, child_id).await? {
        q = q.filter(child_access_log::Column::CreatedAt.gte(from));
    }
    if let Some(b) = before_id {
        q = q.filter(child_access_log::Column::Id.lt(b));
    }
    let mut rows = q.order_by_desc(child_access_log::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.actor_id).collect();
    let actors = account::Entity::find().filter(account::Column::Id.is_in(ids)).all(&state.db).await?;
    let out = rows
        .into_iter()
        .map(|r| {
            let a = actors.iter().find(|a| a.id == r.actor_id).cloned();
            (r, a)
        })
        .collect();
    Ok((out, more))
}
