//! Children's records kept by guardians: adding and changing them as versions. Reading a record
//! lives in `child_record`, writing versions in `child_store`, validation in `child_validation`,
//! staff access in `child_access`, export and erasure in `child_rights`.

use domain::eligibility::Facts;
use entities::child;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    audit,
    child_store::{build, comparable, duplicate, ensure_unique, filled_fields, record_version},
    child_validation::validate,
    claims,
    consent::{self, Purpose, check_sensitive, covers, withdrawn},
    families,
};
pub use super::{
    child_record::{
        ChildData, ChildDetails, Secrets, UNREADABLE, details_of, guardian_child, household_children, in_scope_on, masked,
        number_or_unreadable, processable_details, secrets, without_sensitive,
    },
    child_store::versions,
};
use crate::{
    auth::Viewer,
    constraints, db,
    error::{AppError, AppResult},
    state::AppState,
};

/// Adds a child to the viewer's household. Requires a basic-services consent in force for the
/// household (no consent → no record) and, for sensitive facts, a sensitive-data consent. With a
/// `claim_code` it takes over the screened record of that ID number instead (`claims`), or adds
/// nothing.
pub async fn add_child(state: &AppState, viewer: &Viewer, data: ChildData, claim_code: Option<&str>) -> AppResult<child::Model> {
    let (data, idn) = validate(state, data)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let household_id = families::require_household(&txn, viewer).await?;
    let consents = consent::consents(&txn, household_id).await?;
    if !covers(&consents, None, Purpose::BasicServices) {
        return Err(AppError::validation(
            "consent",
            "请先同意为基本公共服务目的处理孩子的个人信息",
            "give consent for basic services (giveConsent) before adding a child",
        ));
    }
    check_sensitive(&consents, None, &data.details.facts)?;
    if let Some(typed) = claim_code {
        let hash = idn.as_ref().map(|n| state.pii.keyed_hash(n.expose()));
        let Some(found) = claims::redeem(state, &txn, hash.as_deref(), typed, now).await? else {
            txn.commit().await?; // keeps the count of wrong guesses
            return Err(claims::refused());
        };
        let linked = claims::link(state, &txn, viewer, found, household_id, &data, idn.as_ref(), &consents, now).await?;
        txn.commit().await?;
        return Ok(linked);
    }
    let id = Uuid::now_v7();
    let model = build(&state.pii, id, Some(household_id), &data, idn.as_ref(), now)?;
    ensure_unique(&txn, model.id_number_hash.as_deref(), id).await?;
    if let Err(e) = child::Entity::insert(child::ActiveModel::from(model.clone())).exec_without_returning(&txn).await {
        return Err(if constraints::CHILD_ID_NUMBER.broken_by(&e) { duplicate() } else { e.into() });
    }
    let fields = filled_fields(&state.pii, &model)?;
    record_version(&txn, &state.pii, &model, viewer.account_id, fields, now).await?;
    audit::record(
        &txn,
        Some(viewer.account_id),
        "child.created",
        "child",
        &id.to_string(),
        Some(json!({"householdId": household_id})),
        now,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, "child added");
    Ok(model)
}

/// Replaces a child's record with `data`, as a new version naming the changed fields.
pub async fn update_child(state: &AppState, viewer: &Viewer, id: Uuid, data: ChildData) -> AppResult<child::Model> {
    let (data, idn) = validate(state, data)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let old = guardian_child(&txn, viewer, id).await?;
    let household_id = old.household_id.ok_or(AppError::NotFound)?;
    let consents = consent::consents(&txn, household_id).await?;
    if !covers(&consents, Some(id), Purpose::BasicServices) {
        return Err(withdrawn());
    }
    check_sensitive(&consents, Some(id), &data.details.facts)?;
    let mut new = build(&state.pii, id, Some(household_id), &data, idn.as_ref(), now)?;
    new.created_at = old.created_at;
    new.last_verified_at = old.last_verified_at;
    new.due_notified_at = old.due_notified_at;
    new.source = old.source.clone();
    new.processable = old.processable;
    new.version = old.version + 1;
    let (before, after) = (comparable(&state.pii, &old)?, comparable(&state.pii, &new)?);
    let changed: Vec<String> = after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
    if changed.is_empty() {
        return Ok(old);
    }
    ensure_unique(&txn, new.id_number_hash.as_deref(), id).await?;
    let res = child::Entity::update_many()
        .set(child::ActiveModel::from(new.clone()).reset_all())
        .filter(child::Column::Id.eq(id))
        .filter(child::Column::Version.eq(old.version))
        .exec(&txn)
        .await;
    match res {
        Err(e) if constraints::CHILD_ID_NUMBER.broken_by(&e) => return Err(duplicate()),
        Err(e) => return Err(e.into()),
        Ok(r) if r.rows_affected != 1 => {
            return Err(AppError::conflict("记录已被他人修改，请刷新后重试", "the record was changed meanwhile: reload and retry"));
        }
        Ok(_) => {}
    }
    record_version(&txn, &state.pii, &new, viewer.account_id, changed.clone(), now).await?;
    let detail = json!({"version": new.version, "fields": changed});
    audit::record(&txn, Some(viewer.account_id), "child.updated", "child", &id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    Ok(new)
}

/// The facts the eligibility engine may use for the viewer's child.
pub async fn entitlement_facts(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<Facts> {
    let c = guardian_child(&state.db, viewer, id).await?;
    let consents = consent::consents(&state.db, c.household_id.ok_or(AppError::NotFound)?).await?;
    if !covers(&consents, Some(id), Purpose::BasicServices) {
        return Err(withdrawn());
    }
    Ok(processable_details(&c, &consents).facts)
}
