//! The six-monthly verification of every record (半年比对核实): staff of the area, or the child's
//! guardian, confirm the record and correct where the child lives now.

use chrono::NaiveDate;
use domain::regions::Level;
use entities::{child, child_verification};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    services::{
        audit,
        child_record::{details_of, guardian_child},
        child_store::record_version,
        consent::withdrawn,
        scope::{in_area, require_monitor},
        text,
    },
    state::AppState,
};

/// Facts a verification may correct: where the child lives now and since when.
#[derive(Clone, Debug, Default)]
pub struct Corrections {
    /// New county of residence.
    pub residence_region_code: Option<String>,
    /// New township of residence.
    pub residence_township_code: Option<String>,
    /// New start of residence.
    pub residence_since: Option<NaiveDate>,
    /// School or kindergarten now attended.
    pub school_name: Option<String>,
    /// Free note.
    pub note: Option<String>,
}

/// A child the viewer may verify: staff of the area (record processable), or the child's guardian.
async fn verifiable(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<child::Model> {
    if viewer.role == Role::Guardian {
        let c = guardian_child(conn, viewer, id).await?;
        if !c.processable {
            return Err(withdrawn());
        }
        return Ok(c);
    }
    require_monitor(viewer)?;
    child::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.processable && in_area(viewer, c))
        .ok_or(AppError::NotFound)
}

/// Confirms a record (and corrects its residence when it changed); resets its six-month clock.
pub async fn verify(state: &AppState, viewer: &Viewer, id: Uuid, fix: Corrections) -> AppResult<child::Model> {
    let now = state.clock.now();
    let today = state.clock.today();
    let divisions = &state.reference.divisions();
    let note = text::optional_paragraph(fix.note.as_deref(), "note", 1000)?;
    let txn = db::begin_write(&state.db).await?;
    let old = verifiable(&txn, viewer, id).await?;
    let mut new = old.clone();
    let mut details = details_of(&old);
    let mut changes = serde_json::Map::new();
    if let Some(county) = fix.residence_region_code.as_deref().map(str::trim).filter(|c| *c != old.residence_region_code) {
        if !divisions.is_county(county) || !divisions.in_guizhou(county) {
            return Err(AppError::validation(
                "residenceRegionCode",
                "现居住地须为贵州省内的县级行政区划代码",
                "the residence must be a county-level division code in Guizhou",
            ));
        }
        changes.insert("residenceRegionCode".into(), json!([old.residence_region_code, county]));
        new.residence_region_code = county.to_owned();
        details.facts.residence_region_code = Some(county.to_owned());
        if fix.residence_township_code.is_none() {
            new.residence_township_code = None;
        }
    }
    if let Some(t) = fix.residence_township_code.as_deref().map(str::trim) {
        let ok = divisions.get(t).is_some_and(|d| d.level == Level::Township)
            && divisions.county_of(t).is_some_and(|c| c.code == new.residence_region_code);
        if !ok {
            return Err(AppError::validation(
                "residenceTownshipCode",
                "乡镇（街道）代码不存在或不属于所填居住县",
                "the township code does not exist or is not in the county of residence",
            ));
        }
        if old.residence_township_code.as_deref() != Some(t) {
            changes.insert("residenceTownshipCode".into(), json!([old.residence_township_code, t]));
            new.residence_township_code = Some(t.to_owned());
        }
    }
    if let Some(since) = fix.residence_since.filter(|s| Some(*s) != details.facts.residence_since) {
        if since > today || old.birth_date.is_some_and(|b| since < b) {
            return Err(AppError::validation(
                "residenceSince",
                "居住起始日期不能晚于今天，也不能早于出生日期",
                "the residence cannot start in the future or before birth",
            ));
        }
        changes.insert("residenceSince".into(), json!([details.facts.residence_since, since]));
        details.facts.residence_since = Some(since);
    }
    if let Some(school) = fix.school_name.as_deref().map(str::trim).filter(|s| details.school_name.as_deref() != Some(*s)) {
        text::optional_line(Some(school), "schoolName", 200)?;
        changes.insert("schoolName".into(), json!([details.school_name, school]));
        details.school_name = Some(school.to_owned()).filter(|s| !s.is_empty());
    }
    new.last_verified_at = Some(now);
    new.due_notified_at = None;
    new.updated_at = now;
    if !changes.is_empty() {
        new.version = old.version + 1;
        new.details = Some(serde_json::to_value(&details).map_err(AppError::internal)?);
    }
    let res = child::Entity::update_many()
        .set(child::ActiveModel::from(new.clone()).reset_all())
        .filter(child::Column::Id.eq(id))
        .filter(child::Column::Version.eq(old.version))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::conflict("记录已被他人修改，请刷新后重试", "the record was changed meanwhile: reload and retry"));
    }
    let changed: Vec<String> = changes.keys().cloned().collect();
    if !changed.is_empty() {
        record_version(&txn, &state.pii, &new, viewer.account_id, changed.clone(), now).await?;
    }
    child_verification::Entity::insert(child_verification::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        actor_id: Set(viewer.account_id),
        actor_role: Set(viewer.role.as_str().into()),
        changes: Set((!changes.is_empty()).then_some(Value::Object(changes))),
        note: Set(note),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(&txn, Some(viewer.account_id), "child.verified", "child", &id.to_string(), Some(json!({"fields": changed})), now).await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, role = viewer.role.as_str(), "child record verified");
    Ok(new)
}

/// Verifications of a record, newest first.
pub async fn verifications(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Vec<child_verification::Model>> {
    Ok(child_verification::Entity::find()
        .filter(child_verification::Column::ChildId.eq(child_id))
        .order_by_desc(child_verification::Column::Id)
        .all(conn)
        .await?)
}
