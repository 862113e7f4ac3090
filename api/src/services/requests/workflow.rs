//! Working a request: staff claim it, ask the family for information, resolve or transfer it,
//! and comment; the family answers. Each move goes through [`Transition`].

use chrono::{DateTime, Utc};
use domain::{lifecycle::request::RequestAction, text::Paragraph};
use entities::request;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{
    access::{guardian_request, require_assignee, staff_request},
    history::view,
    notices::{tell_guardian, tell_queue},
    summary::RequestView,
    transition::{Entry, Move, Tell, Transition, check},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    services::audit,
    services::request_records::{Step, event},
    state::AppState,
};

/// A note on a request (a question, an answer, a reason, a comment): up to 4,000 characters.
pub type Note = Paragraph<4000>;

fn entry(kind: &'static str, note: Option<String>, public: bool) -> Vec<Entry> {
    vec![Entry { kind, note, public }]
}

/// Claims a routed request. Two staff claiming at once: the conditional update lets exactly one win.
pub async fn claim(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RequestView> {
    let t = Transition::begin(state).await?;
    let now = t.now;
    let r = staff_request(t.txn(), viewer, id).await?;
    let refused =
        AppError::conflict("该申请已被他人认领或不在待认领状态", "the request was already claimed or is not waiting to be claimed");
    let checked = check(&r, RequestAction::Claim, refused)?;
    let first_response_at = Some(r.first_response_at.unwrap_or(now));
    let m = Move { actor: Some(viewer.account_id), entries: entry("claimed", None, true), record_from: true, tell: Tell::Family(None) };
    let to = t
        .apply(&r, checked, m, |u| {
            u.col_expr(request::Column::AssigneeId, Expr::value(Some(viewer.account_id)))
                .col_expr(request::Column::FirstResponseAt, Expr::value(first_response_at))
                .filter(request::Column::AssigneeId.is_null())
        })
        .await?;
    let r = request::Model { status: to.into(), assignee_id: Some(viewer.account_id), first_response_at, updated_at: now, ..r };
    // The answer is read inside the transaction: no second pool checkout after the commit.
    let answer = view(t.txn(), r, true).await?;
    t.finish().await?;
    Ok(answer)
}

/// Asks the family for information; the deadline clock pauses until they answer.
pub async fn ask_for_information(state: &AppState, viewer: &Viewer, id: Uuid, message: Note) -> AppResult<RequestView> {
    let message = message.into_string();
    let t = Transition::begin(state).await?;
    let now = t.now;
    let r = staff_request(t.txn(), viewer, id).await?;
    require_assignee(viewer, &r)?;
    let refused = || AppError::conflict("当前状态不能要求补充材料", "information cannot be asked for in this state");
    if r.kind != "lead" {
        return Err(refused());
    }
    let checked = check(&r, RequestAction::AskForInformation, refused())?;
    let entries = entry("asked_for_information", Some(message.clone()), true);
    let m = Move { actor: Some(viewer.account_id), entries, record_from: true, tell: Tell::Family(Some(&message)) };
    t.apply(&r, checked, m, |u| u.col_expr(request::Column::PausedAt, Expr::value(Some(now)))).await?;
    t.finish().await?;
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, true).await
}

/// The family answers a question; the clock resumes and the deadline moves by the paused time.
pub async fn answer(state: &AppState, viewer: &Viewer, id: Uuid, message: Note) -> AppResult<RequestView> {
    let message = message.into_string();
    let t = Transition::begin(state).await?;
    let now = t.now;
    let r = guardian_request(t.txn(), viewer, id).await?;
    let refused = AppError::conflict("该申请当前不需要补充材料", "the request is not waiting for information");
    let checked = check(&r, RequestAction::Answer, refused)?;
    let paused = now - r.paused_at.unwrap_or(now);
    let m = Move { actor: Some(viewer.account_id), entries: entry("answered", Some(message), true), record_from: true, tell: Tell::Nobody };
    t.apply(&r, checked, m, |u| {
        u.col_expr(request::Column::PausedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(request::Column::DueAt, Expr::value(r.due_at + paused))
            .col_expr(request::Column::FirstResponseDueAt, Expr::value(r.first_response_due_at + paused))
    })
    .await?;
    t.finish().await?;
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, false).await
}

/// Grants or rejects. A rejection needs a reason and shows the family the rule it rests on.
pub async fn resolve(state: &AppState, viewer: &Viewer, id: Uuid, granted: bool, reason: Note) -> AppResult<RequestView> {
    let reason = reason.into_string();
    let t = Transition::begin(state).await?;
    let now = t.now;
    let r = staff_request(t.txn(), viewer, id).await?;
    require_assignee(viewer, &r)?;
    let refused = AppError::conflict("当前状态不能办结", "the request cannot be resolved in this state");
    let checked = check(&r, RequestAction::Resolve { granted }, refused)?;
    let rule = state
        .reference
        .policy
        .version(&r.policy_version)
        .or_else(|| state.reference.policy.version_at(state.clock.today()))
        .and_then(|p| p.entitlement(&r.entitlement_code))
        .map(|e| format!("{} {}", e.measure, e.clause))
        .unwrap_or_default();
    let public_note = if granted { reason.clone() } else { format!("{reason}（依据 / rule: {rule}）") };
    let entries = entry("resolved", Some(public_note.clone()), true);
    let m = Move { actor: Some(viewer.account_id), entries, record_from: true, tell: Tell::Family(Some(&public_note)) };
    t.apply(&r, checked, m, |u| {
        u.col_expr(request::Column::OpenKey, Expr::value(Option::<String>::None))
            .col_expr(request::Column::ResolutionReason, Expr::value(Some(public_note.clone())))
            .col_expr(request::Column::ResolvedAt, Expr::value(Some(now)))
    })
    .await?;
    let detail = Some(serde_json::json!({"granted": granted}));
    audit::record(t.txn(), Some(viewer.account_id), "request.resolved", "request", &id.to_string(), detail, now).await?;
    // The answer is read inside the transaction: no more pool checkouts after the commit.
    let r = request::Entity::find_by_id(id).one(t.txn()).await?.ok_or(AppError::NotFound)?;
    let answer = view(t.txn(), r, true).await?;
    t.finish().await?;
    Ok(answer)
}

/// Moves a request to another department or county within the policy's routing; the receiving
/// queue sees it with its history and its staff are e-mailed.
pub async fn transfer(state: &AppState, viewer: &Viewer, id: Uuid, department: &str, region: &str, reason: Note) -> AppResult<RequestView> {
    let reason = reason.into_string();
    let t = Transition::begin(state).await?;
    let now = t.now;
    let r = staff_request(t.txn(), viewer, id).await?;
    let checked = check(&r, RequestAction::Transfer, AppError::conflict("已办结的申请不能转办", "a closed request cannot be transferred"))?;
    let target = domain::routing::Queue { department: department.to_owned(), region: region.to_owned() };
    let policy = state.reference.policy.version(&r.policy_version).unwrap_or_else(|| state.reference.policy.latest());
    if !domain::routing::transfer_allowed(policy, &state.reference.divisions(), &r.entitlement_code, &target) {
        return Err(AppError::validation(
            "departmentCode",
            "目标队列不在该事项的政策分派范围内",
            "the target queue is outside the policy's routing for this entitlement",
        ));
    }
    if target.department == r.department_code && target.region == r.region_code {
        return Err(AppError::validation("regionCode", "目标队列与当前队列相同", "the target queue is the current one"));
    }
    let (from_q, to_q) = (format!("{}@{}", r.department_code, r.region_code), format!("{department}@{region}"));
    let entries = vec![
        Entry { kind: "transferred", note: Some(format!("{from_q} → {to_q}: {reason}")), public: false },
        Entry {
            kind: "transferred_public", note: Some("已转交其他部门或地区办理 / transferred to another office".into()), public: true
        },
    ];
    let m = Move { actor: Some(viewer.account_id), entries, record_from: true, tell: Tell::Nobody };
    let to = t
        .apply(&r, checked, m, |u| {
            u.col_expr(request::Column::DepartmentCode, Expr::value(department))
                .col_expr(request::Column::RegionCode, Expr::value(region))
                .col_expr(request::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
                .col_expr(request::Column::PausedAt, Expr::value(Option::<DateTime<Utc>>::None))
        })
        .await?;
    tell_queue(
        t.txn(),
        (department, region),
        r.child_id,
        format!("有一份申请（{}）转入您的队列：{reason}", r.entitlement_code),
        format!("A request ({}) was transferred to your queue: {reason}", r.entitlement_code),
        now,
    )
    .await?;
    let moved = request::Model {
        department_code: department.to_owned(),
        region_code: region.to_owned(),
        status: to.into(),
        assignee_id: None,
        ..r
    };
    state.events.publish(t.txn(), "transferred", &moved).await?;
    t.finish().await?;
    view(&state.db, moved, true).await
}

/// A staff comment: public ones reach the family (and are e-mailed), internal ones never do.
pub async fn comment(state: &AppState, viewer: &Viewer, id: Uuid, body: Note, internal: bool) -> AppResult<RequestView> {
    let body = body.into_string();
    let t = Transition::begin(state).await?;
    let now = t.now;
    let r = staff_request(t.txn(), viewer, id).await?;
    let step = Step { kind: "comment", from: None, to: None, note: Some(body.clone()), public: !internal };
    event(t.txn(), id, Some(viewer.account_id), step, now).await?;
    if !internal && r.kind == "lead" {
        tell_guardian(t.txn(), &r, None, (format!("工作人员留言：{body}"), format!("A caseworker wrote: {body}")), now).await?;
    }
    t.finish().await?;
    view(&state.db, r, true).await
}
