//! Staff access to children's records: the masked list of a region and the full record, whose every
//! read is written to the access log the guardian sees (`childAccessLog`).

use entities::{account, child, child_access_log};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::children::{ChildDetails, SENSITIVE_FACTS, Secrets, guardian_child, invalid, processable_details, secrets};
use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult},
    services::families::{Purpose, covers},
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

/// The prefix of codes inside a region scope (GB/T 2260 codes are hierarchical).
fn scope_prefix(scope: &str) -> &str {
    if scope.len() == 6 && scope.ends_with("0000") {
        &scope[..2]
    } else if scope.len() == 6 && scope.ends_with("00") {
        &scope[..4]
    } else {
        scope
    }
}

/// Whether the child lives in the staff viewer's area (county, or township for township staff).
pub(crate) fn in_area(viewer: &Viewer, c: &child::Model) -> bool {
    viewer.region_contains(&c.residence_region_code) || c.residence_township_code.as_deref().is_some_and(|t| viewer.region_contains(t))
}

/// A page of processable children living in `region_code`, which must lie in the viewer's scope.
pub async fn registered_children(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    first: usize,
    after: Option<Uuid>,
) -> AppResult<(Vec<child::Model>, bool)> {
    if state.reference.divisions().get(region_code).is_none() {
        return Err(invalid("regionCode", "行政区划代码不存在", "unknown region code"));
    }
    if !viewer.region_contains(region_code) {
        return Err(AppError::Forbidden);
    }
    let prefix = scope_prefix(region_code);
    let mut q = child::Entity::find().filter(child::Column::Processable.eq(true)).filter(child::Column::DeletedAt.is_null()).filter(
        Condition::any()
            .add(child::Column::ResidenceRegionCode.starts_with(prefix))
            .add(child::Column::ResidenceTownshipCode.starts_with(prefix)),
    );
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
    let consents = super::screening::governing_consents(&txn, &c).await?.unwrap_or_default();
    if !covers(&consents, Some(id), Purpose::BasicServices) && !super::screening::paper_consent_in_force(&c) {
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
    fields.extend(SENSITIVE_FACTS.iter().filter(|f| !shown[**f].is_null()));
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
    if let Some(from) = super::claims::visible_from(&state.db, viewer, child_id).await? {
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
