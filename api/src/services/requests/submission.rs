//! Filing a request: the family asks once, and the request lands in the one queue (department,
//! county) that must act, with deadlines in working days.

use domain::{input::IdempotencyKey, lifecycle::request::RequestStatus};
use entities::request;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{deadlines::end_of_day, history::view, notices::tell_status, summary::RequestView, transition::Transition};
use crate::{
    auth::{Role, Viewer},
    constraints,
    error::{AppError, AppResult, Msg},
    services::request_records::{Step, event},
    services::{children, families, key_care::risk::is_high_risk},
    state::AppState,
};

/// Input of `submit`.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The child.
    pub child_id: Uuid,
    /// Requestable entitlement code.
    pub entitlement_code: String,
    /// What the family needs.
    pub details: String,
    /// Client retry key.
    pub idempotency_key: IdempotencyKey,
}

/// Files a request. A retry with the same idempotency key returns the first request; a second
/// open request for the same child and entitlement is `CONFLICT`.
pub async fn submit(state: &AppState, viewer: &Viewer, input: Submission) -> AppResult<RequestView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let key = input.idempotency_key.as_str().to_owned();
    let details = crate::services::text::optional_paragraph(Some(&input.details), "details", 4000)?.unwrap_or_default();
    if let Some(existing) = find_by_key(&state.db, viewer.account_id, &key).await? {
        return same_submission(state, viewer, existing, &input).await;
    }
    let t = Transition::begin(state).await?;
    let (txn, now, today) = (t.txn(), t.now, state.clock.today());
    let child = children::guardian_child(txn, viewer, input.child_id).await?;
    let consents = families::consents(txn, child.household_id.ok_or(AppError::NotFound)?).await?;
    if !families::processable(&child, &consents) {
        return Err(AppError::conflict("已撤回同意，不能提交新的申请", "consent was withdrawn: no new request can be filed"));
    }
    let facts = children::processable_details(&child, &consents).facts;
    let reference = &state.reference;
    let policy = reference.policy.version_at(today).ok_or_else(|| AppError::internal("no policy in force"))?;
    let residence = facts
        .residence_region_code
        .clone()
        .ok_or_else(|| AppError::validation("childId", "请先填写儿童的居住地", "the child's residence is needed first"))?;
    let route = domain::routing::route(
        policy,
        &reference.divisions(),
        &input.entitlement_code,
        &residence,
        facts.hukou_region_code.as_deref(),
        today,
    )
    .map_err(|e| AppError::Validation { field: e.field.to_owned(), msg: Msg::new(e.message_zh, e.message_en) })?;
    let screening = domain::eligibility::screen(&reference.policy, &reference.divisions(), &facts, today, domain::eligibility::Lang::Zh)
        .map_err(|e| AppError::Validation { field: "childId".into(), msg: Msg::owned(e.message_zh, e.message_en) })?;
    let result = screening
        .entitlements
        .iter()
        .find(|e| e.code == input.entitlement_code)
        .ok_or_else(|| AppError::internal("entitlement missing from screening"))?;
    let high_risk = is_high_risk(txn, input.child_id).await?;
    let days = if high_risk { route.deadlines.high_risk_resolution_working_days } else { route.deadlines.resolution_working_days };
    let calendar = reference.calendar();
    let first_due = end_of_day(calendar.add_working_days(today, route.deadlines.first_response_working_days));
    let due = end_of_day(calendar.add_working_days(today, days));
    let outcome = serde_json::to_value(result.outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let lead = request::Model {
        id: Uuid::now_v7(),
        kind: "lead".into(),
        parent_id: None,
        child_id: input.child_id,
        guardian_id: viewer.account_id,
        entitlement_code: input.entitlement_code.clone(),
        department_code: route.lead.department.clone(),
        region_code: route.lead.region.clone(),
        status: RequestStatus::SUBMITTED.into(),
        priority: i32::from(high_risk),
        details,
        idempotency_key: Some(key.clone()),
        open_key: Some(format!("{}:{}", input.child_id, input.entitlement_code)),
        policy_version: screening.policy_version.clone(),
        eligibility_outcome: outcome,
        eligibility_trace: serde_json::to_value(&result.trace).ok(),
        cross_province: route.cross_province,
        assignee_id: None,
        first_response_due_at: first_due,
        due_at: due,
        first_response_at: None,
        paused_at: None,
        warned_at: None,
        escalation_level: 0,
        resolution_reason: None,
        resolved_at: None,
        created_at: now,
        updated_at: now,
        child_aged_out_on: None,
        erased_at: None,
    };
    if let Err(e) = request::Entity::insert(request::ActiveModel::from(lead.clone())).exec_without_returning(txn).await {
        drop(t);
        if constraints::REQUEST_IDEMPOTENCY.broken_by(&e) || constraints::REQUEST_OPEN.broken_by(&e) {
            // Either a concurrent retry with the same key won the race, or a request is open.
            if let Some(existing) = find_by_key(&state.db, viewer.account_id, &key).await? {
                return same_submission(state, viewer, existing, &input).await;
            }
            return Err(AppError::conflict(
                "该儿童已有同一事项的申请正在办理",
                "this child already has an open request for this entitlement",
            ));
        }
        return Err(e.into());
    }
    // The lead's public history, as written here: the answer needs no read after the commit.
    let mut history = vec![
        event(
            txn,
            lead.id,
            Some(viewer.account_id),
            Step { kind: "submitted", from: None, to: Some(RequestStatus::SUBMITTED), note: None, public: true },
            now,
        )
        .await?,
    ];
    if route.cross_province {
        let step = event(
            txn,
            lead.id,
            None,
            Step {
                kind: "cross_province_step",
                from: None,
                to: None,
                // 跨省通办 only where the measures name it (issue 20); elsewhere plain coordination.
                note: Some(
                    if policy.entitlement(&input.entitlement_code).is_some_and(|e| e.cross_province_service) {
                        "户籍地在省外：由居住地经跨省通办协调户籍地"
                    } else {
                        "户籍地在省外：由居住地协调户籍地"
                    }
                    .into(),
                ),
                public: true,
            },
            now,
        )
        .await?;
        history.push(step);
    }
    if let Some(q) = &route.coordination {
        let task = request::Model {
            id: Uuid::now_v7(),
            kind: "coordination".into(),
            parent_id: Some(lead.id),
            department_code: q.department.clone(),
            region_code: q.region.clone(),
            idempotency_key: None,
            open_key: None,
            ..lead.clone()
        };
        request::Entity::insert(request::ActiveModel::from(task.clone())).exec_without_returning(txn).await?;
        event(
            txn,
            task.id,
            None,
            Step {
                kind: "coordination_opened",
                from: None,
                to: Some(RequestStatus::SUBMITTED),
                note: Some(format!("lead {}", lead.id)),
                public: false,
            },
            now,
        )
        .await?;
        history.push(
            event(
                txn,
                lead.id,
                None,
                Step {
                    kind: "coordination_opened", from: None, to: None, note: Some(format!("户籍地协办：{}", q.region)), public: true
                },
                now,
            )
            .await?,
        );
        state.events.publish(txn, "new", &task).await?;
    }
    tell_status(txn, &lead, RequestStatus::SUBMITTED, None, now).await?;
    state.events.publish(txn, "new", &lead).await?;
    t.finish().await?;
    tracing::info!(request_id = %lead.id, entitlement = %lead.entitlement_code, "request submitted");
    history.sort_by_key(|e| e.id);
    Ok(RequestView { request: lead, events: history, linked: Vec::new() })
}

async fn find_by_key(conn: &impl ConnectionTrait, guardian: Uuid, key: &str) -> AppResult<Option<request::Model>> {
    Ok(request::Entity::find()
        .filter(request::Column::GuardianId.eq(guardian))
        .filter(request::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await?)
}

async fn same_submission(state: &AppState, _viewer: &Viewer, existing: request::Model, input: &Submission) -> AppResult<RequestView> {
    if existing.child_id != input.child_id || existing.entitlement_code != input.entitlement_code {
        return Err(AppError::validation(
            "idempotencyKey",
            "该幂等键已用于另一份申请",
            "this idempotency key was used for a different request",
        ));
    }
    view(&state.db, existing, false).await
}
