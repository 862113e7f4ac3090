//! Care measures: one department's promised help for one child, assigned with a due date to a
//! township, followed up until done, closed unfinished when the child's record goes.

use chrono::{DateTime, NaiveDate, Utc};
use domain::lifecycle::care::{CareAction, CareStatus};
use entities::{care_follow_up, care_measure, key_care_entry, status::CareStatus as Stored};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use super::ledger::{child_in_area, note};
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    services::{
        audit,
        requests::{deadlines::end_of_day, notices::tell_queue, transition::commit_and_wake},
    },
    state::AppState,
};

/// A care measure to assign.
#[derive(Clone, Debug)]
pub struct NewMeasure {
    /// The child in the ledger.
    pub child_id: Uuid,
    /// Responsible department.
    pub department_code: String,
    /// Township where it is carried out.
    pub township_code: String,
    /// What is to be done.
    pub description: String,
    /// Due day.
    pub due_on: NaiveDate,
}

/// Assigns a care measure to a department and township (civil affairs and supervisors); the
/// department's staff over that township are e-mailed.
pub async fn assign(state: &AppState, viewer: &Viewer, input: NewMeasure) -> AppResult<care_measure::Model> {
    if !matches!(viewer.role, Role::CivilAffairs | Role::ChildSupervisor) {
        return Err(AppError::Forbidden);
    }
    let description = crate::services::text::paragraph(&input.description, "input.description", 2000)?;
    let today = state.clock.today();
    if !domain::date_windows::is_plausible_plan(input.due_on, today) {
        return Err(AppError::validation(
            "input.dueOn",
            "完成期限须晚于今天，且在两年之内",
            "the due date must be after today and at most two years ahead",
        ));
    }
    let township = input.township_code.trim().to_owned();
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    crate::services::reference::department_exists(&txn, input.department_code.trim(), "input.departmentCode").await?;
    let c = child_in_area(&txn, viewer, input.child_id).await?;
    let d = &state.reference.divisions();
    let ok = d.get(&township).is_some_and(|t| t.level == domain::regions::Level::Township)
        && d.county_of(&township).is_some_and(|x| x.code == c.residence_region_code)
        && viewer.region_contains(&township);
    if !ok {
        return Err(AppError::validation(
            "input.townshipCode",
            "乡镇（街道）须在儿童居住县内且在您的辖区",
            "the township must lie in the child's county and in your area",
        ));
    }
    let e = key_care_entry::Entity::find().filter(key_care_entry::Column::ChildId.eq(c.id)).one(&txn).await?.ok_or(AppError::NotFound)?;
    let m = care_measure::Model {
        id: Uuid::now_v7(),
        entry_id: e.id,
        child_id: c.id,
        department_code: input.department_code.trim().to_owned(),
        township_code: township.clone(),
        region_code: township.clone(),
        description,
        status: Stored::Open,
        due_at: end_of_day(input.due_on),
        escalation_level: 0,
        created_by: viewer.account_id,
        created_at: now,
        completed_at: None,
    };
    care_measure::Entity::insert(care_measure::ActiveModel::from(m.clone())).exec_without_returning(&txn).await?;
    let (zh, en) = (
        format!("重点关爱台账新增一项关爱措施（{}），请于 {} 前落实。", m.id, input.due_on),
        format!("A key-care measure ({}) was assigned to your department, due {}.", m.id, input.due_on),
    );
    tell_queue(&txn, (&m.department_code, &township), m.child_id, zh, en, now).await?;
    audit::record(
        &txn,
        Some(viewer.account_id),
        "key_care.measure_assigned",
        "care_measure",
        &m.id.to_string(),
        Some(json!({"department": m.department_code, "township": township})),
        now,
    )
    .await?;
    commit_and_wake(state, txn).await?;
    Ok(m)
}

/// Whether the viewer answers for a measure: monitoring staff of the township's area, or staff of
/// the measure's department whose region contains its township.
fn may_follow(viewer: &Viewer, m: &care_measure::Model) -> bool {
    match viewer.role {
        Role::CivilAffairs | Role::ChildSupervisor | Role::ChildDirector => viewer.region_contains(&m.township_code),
        Role::DepartmentStaff => viewer.department_code.as_deref() == Some(&m.department_code) && viewer.region_contains(&m.township_code),
        _ => false,
    }
}

/// Closes the child's open care measures unfinished (erasure); returns how many.
pub(crate) async fn withdraw_for_child(conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<u64> {
    let res = care_measure::Entity::update_many()
        .col_expr(care_measure::Column::Status, Expr::value(Stored::Withdrawn))
        .col_expr(care_measure::Column::CompletedAt, Expr::value(Some(now)))
        .filter(care_measure::Column::ChildId.eq(child_id))
        .filter(care_measure::Column::Status.eq(Stored::Open))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// Records a follow-up of a measure; `done` closes it.
pub async fn follow_up(state: &AppState, viewer: &Viewer, measure_id: Uuid, text: &str, done: bool) -> AppResult<care_measure::Model> {
    let Some(text) = note(Some(text), "note")? else {
        return Err(AppError::validation("note", "请填写跟进情况", "describe the follow-up"));
    };
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let m = care_measure::Entity::find_by_id(measure_id).one(&txn).await?.filter(|m| may_follow(viewer, m)).ok_or(AppError::NotFound)?;
    let from = CareStatus::from(m.status);
    if from.next(if done { CareAction::Complete } else { CareAction::FollowUp }).is_err() {
        // A withdrawn measure left the ledger with the child's record; a done one is closed.
        return Err(if from == CareStatus::Withdrawn {
            AppError::NotFound
        } else {
            AppError::conflict("该措施已完成", "the measure is already done")
        });
    }
    care_follow_up::Entity::insert(care_follow_up::ActiveModel {
        id: Set(Uuid::now_v7()),
        measure_id: Set(m.id),
        actor_id: Set(Some(viewer.account_id)),
        kind: Set(if done { "done" } else { "note" }.into()),
        note: Set(text),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let m = if done {
        let res = care_measure::Entity::update_many()
            .col_expr(care_measure::Column::Status, Expr::value(Stored::Done))
            .col_expr(care_measure::Column::CompletedAt, Expr::value(now))
            .filter(care_measure::Column::Id.eq(m.id))
            .filter(care_measure::Column::Status.eq(Stored::Open))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(AppError::conflict("该措施已完成", "the measure is already done"));
        }
        care_measure::Model { status: Stored::Done, completed_at: Some(now), ..m }
    } else {
        m
    };
    txn.commit().await?;
    Ok(m)
}

/// Measures of an entry, oldest first.
pub async fn measures_of(conn: &impl ConnectionTrait, entry_id: Uuid) -> AppResult<Vec<care_measure::Model>> {
    Ok(care_measure::Entity::find()
        .filter(care_measure::Column::EntryId.eq(entry_id))
        .order_by_asc(care_measure::Column::Id)
        .all(conn)
        .await?)
}

/// Follow-ups of a measure, oldest first.
pub async fn follow_ups(conn: &impl ConnectionTrait, measure_id: Uuid) -> AppResult<Vec<care_follow_up::Model>> {
    Ok(care_follow_up::Entity::find()
        .filter(care_follow_up::Column::MeasureId.eq(measure_id))
        .order_by_asc(care_follow_up::Column::Id)
        .all(conn)
        .await?)
}

/// Open measures the viewer answers for (department staff: their department in their region),
/// soonest due first.
pub async fn my_measures(state: &AppState, viewer: &Viewer, first: usize) -> AppResult<Vec<care_measure::Model>> {
    let Some(region) = viewer.region_code.as_deref() else { return Err(AppError::Forbidden) };
    let prefix = crate::auth::viewer::region_prefix(region).to_owned();
    let mut q = care_measure::Entity::find()
        .filter(care_measure::Column::Status.eq(Stored::Open))
        .filter(care_measure::Column::TownshipCode.starts_with(prefix.as_str()));
    match viewer.role {
        Role::DepartmentStaff => q = q.filter(care_measure::Column::DepartmentCode.eq(viewer.department_code.clone().unwrap_or_default())),
        Role::CivilAffairs | Role::ChildSupervisor | Role::ChildDirector => {}
        _ => return Err(AppError::Forbidden),
    }
    Ok(q.order_by_asc(care_measure::Column::DueAt).order_by_asc(care_measure::Column::Id).limit(first as u64).all(&state.db).await?)
}

/// Whether a measure is past due (open only).
pub fn overdue(m: &care_measure::Model, now: DateTime<Utc>) -> bool {
    m.status == Stored::Open && m.due_at < now
}
