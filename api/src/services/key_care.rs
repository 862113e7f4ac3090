//! The key-care ledger of measure (二) (重点关爱服务对象台账): children added for the reasons of
//! DOMAIN.md §6, risk assessed with the rubric kept as policy data (every assessment kept), care
//! measures assigned to a department and township with a due date, their follow-ups, and the
//! escalation of overdue measures one level up, as for requests.
//!
//! Why a version on the entry: several staff work one child's entry; a write names the version it
//! read and fails with `CONFLICT` when someone else wrote in between, instead of overwriting.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    lifecycle::{
        UnknownState,
        care::{CareAction, CareStatus},
    },
    monitoring::{AdmissionError, KeyCareReason, admit},
    rubric::RiskLevel,
};
use entities::{account, care_follow_up, care_measure, child, key_care_entry, risk_assessment};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use uuid::Uuid;

use super::{
    audit,
    child_access::in_area,
    children::in_scope_on,
    requests::{end_of_day, raise_priority, tell_queue},
    screening::{area, require_monitor},
};
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult, Msg, is_unique_violation},
    mail::{outbox, templates},
    state::AppState,
};

/// Care-measure states by their stored names; the states and their moves are
/// `domain::lifecycle::care`.
pub mod status {
    use domain::lifecycle::care::CareStatus as S;
    /// Assigned, not done.
    pub const OPEN: &str = S::Open.as_str();
    /// Done.
    pub const DONE: &str = S::Done.as_str();
    /// Closed unfinished: the child's record was erased.
    pub const WITHDRAWN: &str = S::Withdrawn.as_str();
}

/// Working days a measure gets again at each escalation.
const ESCALATED_WORKING_DAYS: u32 = 5;

/// Storage code of a risk level.
pub fn level_code(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    }
}

/// Whether the child's latest assessment in the ledger is high risk.
pub async fn is_high_risk(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<bool> {
    Ok(key_care_entry::Entity::find()
        .filter(key_care_entry::Column::ChildId.eq(child_id))
        .filter(key_care_entry::Column::RiskLevel.eq("high"))
        .one(conn)
        .await?
        .is_some())
}

/// Reasons stored on an entry.
pub fn reasons_of(e: &key_care_entry::Model) -> Vec<KeyCareReason> {
    e.reasons.as_array().map(|a| a.iter().filter_map(|v| v.as_str().and_then(KeyCareReason::parse)).collect()).unwrap_or_default()
}

/// A child the monitoring viewer may put in or read from the ledger: lives in the viewer's area
/// and may be processed; anything else is `NOT_FOUND`.
async fn child_in_area(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<child::Model> {
    require_monitor(viewer)?;
    child::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.processable && in_area(viewer, c))
        .ok_or(AppError::NotFound)
}

/// Adds a child to the ledger. A child outside the migrant-children scope (a cross-township move
/// inside one county, say) is admitted only when the family asked for help.
pub async fn add(
    state: &AppState,
    viewer: &Viewer,
    child_id: Uuid,
    reasons: Vec<KeyCareReason>,
) -> AppResult<(key_care_entry::Model, child::Model)> {
    let mut reasons = reasons;
    reasons.sort();
    reasons.dedup();
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = child_in_area(&txn, viewer, child_id).await?;
    let in_scope = in_scope_on(state, &c, state.clock.today());
    admit(&reasons, in_scope).map_err(|e| match e {
        AdmissionError::NoReason => AppError::validation("reasons", "请至少选择一项纳入原因", "give at least one reason"),
        AdmissionError::OutOfScopeWithoutRequest => AppError::validation(
            "reasons",
            "该儿童不属于流动儿童监测范围，仅在家庭主动求助时可纳入重点关爱",
            "the child is outside the migrant-children scope: only a family's own request for help admits it",
        ),
    })?;
    let entry = key_care_entry::Model {
        id: Uuid::now_v7(),
        child_id,
        county_code: c.residence_region_code.clone(),
        township_code: c.residence_township_code.clone(),
        reasons: json!(reasons.iter().map(|r| r.code()).collect::<Vec<_>>()),
        in_scope,
        risk_level: None,
        risk_score: None,
        version: 1,
        added_by: viewer.account_id,
        created_at: now,
        updated_at: now,
    };
    if let Err(e) = key_care_entry::Entity::insert(key_care_entry::ActiveModel::from(entry.clone())).exec_without_returning(&txn).await {
        return Err(if is_unique_violation(&e) {
            AppError::conflict("该儿童已在重点关爱台账中", "the child is already in the key-care ledger")
        } else {
            e.into()
        });
    }
    let detail = json!({"reasons": entry.reasons, "inScope": in_scope});
    audit::record(&txn, Some(viewer.account_id), "key_care.added", "key_care_entry", &entry.id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    tracing::info!(entry_id = %entry.id, in_scope, "child added to the key-care ledger");
    Ok((entry, c))
}

/// Entries whose child lives in `region` (county or township codes below it).
fn entries_in(region: &str) -> Condition {
    let prefix = crate::auth::viewer::region_prefix(region).to_owned();
    Condition::any()
        .add(key_care_entry::Column::CountyCode.starts_with(prefix.as_str()))
        .add(key_care_entry::Column::TownshipCode.starts_with(prefix.as_str()))
}

/// A page of the ledger of `region` with each entry's child, in id order so pages stay stable
/// while entries are added; optionally only one risk level.
pub async fn ledger(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    risk: Option<&str>,
    first: usize,
    after: Option<Uuid>,
) -> AppResult<(Vec<(key_care_entry::Model, child::Model)>, bool)> {
    require_monitor(viewer)?;
    let region = area(state, viewer, region_code)?;
    let mut q = key_care_entry::Entity::find().filter(entries_in(&region));
    if let Some(level) = risk {
        q = q.filter(key_care_entry::Column::RiskLevel.eq(level));
    }
    if let Some(a) = after {
        q = q.filter(key_care_entry::Column::Id.gt(a));
    }
    let mut rows = q.order_by_asc(key_care_entry::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    let ids: Vec<Uuid> = rows.iter().map(|e| e.child_id).collect();
    let children = child::Entity::find().filter(child::Column::Id.is_in(ids)).all(&state.db).await?;
    let out = rows
        .into_iter()
        .filter_map(|e| {
            let c = children.iter().find(|c| c.id == e.child_id && c.deleted_at.is_none() && in_area(viewer, c))?.clone();
            Some((e, c))
        })
        .collect();
    Ok((out, more))
}

/// One child's entry, for staff of the area.
pub async fn entry(state: &AppState, viewer: &Viewer, child_id: Uuid) -> AppResult<(key_care_entry::Model, child::Model)> {
    let c = child_in_area(&state.db, viewer, child_id).await?;
    let e = key_care_entry::Entity::find()
        .filter(key_care_entry::Column::ChildId.eq(child_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((e, c))
}

/// Assessments of an entry, newest first.
pub async fn assessments(conn: &impl ConnectionTrait, entry_id: Uuid) -> AppResult<Vec<risk_assessment::Model>> {
    Ok(risk_assessment::Entity::find()
        .filter(risk_assessment::Column::EntryId.eq(entry_id))
        .order_by_desc(risk_assessment::Column::Id)
        .all(conn)
        .await?)
}

/// An assessment as submitted: one level index per rubric criterion.
#[derive(Clone, Debug)]
pub struct Assessment {
    /// The entry version the assessor read.
    pub expected_version: i32,
    /// (criterion code, level index).
    pub answers: Vec<(String, usize)>,
    /// Note.
    pub note: Option<String>,
}

/// Scores an assessment with the rubric and records it on the entry (returned with its child). A
/// high level raises the priority and shortens the deadlines of the child's open requests in the
/// same transaction.
pub async fn assess(
    state: &AppState,
    viewer: &Viewer,
    child_id: Uuid,
    input: Assessment,
) -> AppResult<(key_care_entry::Model, child::Model)> {
    if viewer.role == Role::ChildDirector {
        // Directors find and follow children; the assessment is civil affairs' and supervisors'.
        return Err(AppError::Forbidden);
    }
    let rubric = &state.reference.rubric;
    let (score, level) = rubric.assess(&input.answers).map_err(|e| AppError::Validation {
        field: format!("input.answers.{}", e.criterion),
        msg: Msg::owned(format!("评估不符合评分表：{}", e.message), format!("the assessment does not fit the rubric: {}", e.message)),
    })?;
    let note = note(input.note.as_deref(), "input.note")?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = child_in_area(&txn, viewer, child_id).await?;
    let e = key_care_entry::Entity::find().filter(key_care_entry::Column::ChildId.eq(c.id)).one(&txn).await?.ok_or(AppError::NotFound)?;
    let code = level_code(level);
    let res = key_care_entry::Entity::update_many()
        .col_expr(key_care_entry::Column::RiskLevel, Expr::value(code))
        .col_expr(key_care_entry::Column::RiskScore, Expr::value(score as i32))
        .col_expr(key_care_entry::Column::Version, Expr::col(key_care_entry::Column::Version).add(1))
        .col_expr(key_care_entry::Column::UpdatedAt, Expr::value(now))
        .filter(key_care_entry::Column::Id.eq(e.id))
        .filter(key_care_entry::Column::Version.eq(input.expected_version))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::conflict(
            "该台账记录已被他人更新，请刷新后重新评估",
            "the ledger entry was changed by someone else: reload it and assess again",
        ));
    }
    let a = risk_assessment::Model {
        id: Uuid::now_v7(),
        entry_id: e.id,
        rubric_version: rubric.version.clone(),
        answers: json!(input.answers.iter().map(|(c, l)| json!({"criterion": c, "level": l})).collect::<Vec<_>>()),
        score: score as i32,
        level: code.into(),
        note,
        assessed_by: viewer.account_id,
        created_at: now,
    };
    risk_assessment::Entity::insert(risk_assessment::ActiveModel::from(a.clone())).exec_without_returning(&txn).await?;
    let raised = if level == RiskLevel::High { raise_priority(state, &txn, c.id, now).await? } else { 0 };
    let detail = json!({"level": code, "score": score, "rubric": rubric.version, "requestsRaised": raised});
    audit::record(&txn, Some(viewer.account_id), "key_care.assessed", "key_care_entry", &e.id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    tracing::info!(entry_id = %e.id, level = code, requests_raised = raised, "risk assessed");
    let updated = key_care_entry::Model {
        risk_level: Some(code.into()),
        risk_score: Some(score as i32),
        version: input.expected_version + 1,
        updated_at: now,
        ..e
    };
    Ok((updated, c))
}

fn note(raw: Option<&str>, field: &str) -> AppResult<Option<String>> {
    super::text::optional_paragraph(raw, field, 2000)
}

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
    let description = super::text::paragraph(&input.description, "input.description", 2000)?;
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
    super::reference::department_exists(&txn, input.department_code.trim(), "input.departmentCode").await?;
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
        status: status::OPEN.into(),
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
    txn.commit().await?;
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
        .col_expr(care_measure::Column::Status, Expr::value(status::WITHDRAWN))
        .col_expr(care_measure::Column::CompletedAt, Expr::value(Some(now)))
        .filter(care_measure::Column::ChildId.eq(child_id))
        .filter(care_measure::Column::Status.eq(status::OPEN))
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
    let from: CareStatus = m.status.parse().map_err(|e: UnknownState| AppError::caused_by(e))?;
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
            .col_expr(care_measure::Column::Status, Expr::value(status::DONE))
            .col_expr(care_measure::Column::CompletedAt, Expr::value(now))
            .filter(care_measure::Column::Id.eq(m.id))
            .filter(care_measure::Column::Status.eq(status::OPEN))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(AppError::conflict("该措施已完成", "the measure is already done"));
        }
        care_measure::Model { status: status::DONE.into(), completed_at: Some(now), ..m }
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
        .filter(care_measure::Column::Status.eq(status::OPEN))
        .filter(care_measure::Column::TownshipCode.starts_with(prefix.as_str()));
    match viewer.role {
        Role::DepartmentStaff => q = q.filter(care_measure::Column::DepartmentCode.eq(viewer.department_code.clone().unwrap_or_default())),
        Role::CivilAffairs | Role::ChildSupervisor | Role::ChildDirector => {}
        _ => return Err(AppError::Forbidden),
    }
    Ok(q.order_by_asc(care_measure::Column::DueAt).order_by_asc(care_measure::Column::Id).limit(first as u64).all(&state.db).await?)
}

/// The escalation job: an open measure past its due time moves one level up (township → county
/// → prefecture → province) with a new due time, once however many processes run; the
/// department's staff at the new level and the assigner are e-mailed.
pub async fn escalate_overdue(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let overdue = care_measure::Entity::find()
        .filter(care_measure::Column::Status.eq(status::OPEN))
        .filter(care_measure::Column::DueAt.lt(now))
        .limit(500)
        .all(&state.db)
        .await?;
    let mut moved = 0;
    for m in overdue {
        let Some(up) = domain::routing::escalate(&state.reference.divisions(), &m.region_code) else { continue };
        let due = end_of_day(state.reference.calendar().add_working_days(state.clock.today(), ESCALATED_WORKING_DAYS));
        let txn = db::begin_write(&state.db).await?;
        let res = care_measure::Entity::update_many()
            .col_expr(care_measure::Column::RegionCode, Expr::value(up.clone()))
            .col_expr(care_measure::Column::EscalationLevel, Expr::col(care_measure::Column::EscalationLevel).add(1))
            .col_expr(care_measure::Column::DueAt, Expr::value(due))
            .filter(care_measure::Column::Id.eq(m.id))
            .filter(care_measure::Column::RegionCode.eq(m.region_code.as_str()))
            .filter(care_measure::Column::DueAt.eq(m.due_at))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            continue;
        }
        care_follow_up::Entity::insert(care_follow_up::ActiveModel {
            id: Set(Uuid::now_v7()),
            measure_id: Set(m.id),
            actor_id: Set(None),
            kind: Set("escalated".into()),
            note: Set(format!("{} → {up}: 逾期未落实 / overdue", m.region_code)),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        let (zh, en) = (
            format!("重点关爱措施 {} 逾期未落实，已升级至本级督办。", m.id),
            format!("Key-care measure {} is overdue and was escalated to your level.", m.id),
        );
        tell_queue(&txn, (&m.department_code, &up), m.child_id, zh.clone(), en.clone(), now).await?;
        if let Some(email) = account::Entity::find_by_id(m.created_by).one(&txn).await?.and_then(|a| a.email) {
            let mail = templates::notice("关爱措施逾期", "Care measure overdue", zh, en);
            outbox::enqueue_about(&txn, &email, mail, Some(m.child_id), now).await?;
        }
        txn.commit().await?;
        moved += 1;
    }
    if moved > 0 {
        tracing::info!(measures = moved, "overdue care measures escalated");
    }
    Ok(moved)
}

/// Whether a measure is past due (open only).
pub fn overdue(m: &care_measure::Model, now: DateTime<Utc>) -> bool {
    m.status == status::OPEN && m.due_at < now
}
