//! The ledger itself: children added for the reasons of DOMAIN.md §6, read by area, and their
//! risk assessed with the rubric kept as policy data (every assessment kept).
//!
//! Why a version on the entry: several staff work one child's entry; a write names the version it
//! read and fails with `CONFLICT` when someone else wrote in between, instead of overwriting.

use domain::{
    monitoring::{AdmissionError, KeyCareReason, admit},
    rubric::RiskLevel,
};
use entities::{child, key_care_entry, risk_assessment};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use uuid::Uuid;

use super::risk::level_code;
use crate::{
    auth::{Role, Viewer},
    constraints, db,
    error::{AppError, AppResult, Msg},
    services::{
        audit,
        child_access::in_area,
        children::in_scope_on,
        requests::deadlines::raise_priority,
        scope::{area, require_monitor},
    },
    state::AppState,
};

/// A child the monitoring viewer may put in or read from the ledger: lives in the viewer's area
/// and may be processed; anything else is `NOT_FOUND`.
pub(crate) async fn child_in_area(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<child::Model> {
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
        return Err(if constraints::KEY_CARE_CHILD.broken_by(&e) {
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

pub(crate) fn note(raw: Option<&str>, field: &str) -> AppResult<Option<String>> {
    crate::services::text::optional_paragraph(raw, field, 2000)
}
