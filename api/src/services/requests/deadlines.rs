//! Deadlines in working days, and the job that watches them: it warns assignees at the
//! configured share of the time and escalates breached requests one level up. A high-risk child's
//! requests get the policy's shorter deadline.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::lifecycle::request::RequestAction;
use entities::{request, status::RequestStatus as Stored};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    notices::{tell_account, tell_queue},
    transition::{Entry, Move, Tell, Transition, check},
};
use crate::{
    db,
    error::{AppError, AppResult},
    services::request_records::{Step, event, open},
    state::AppState,
};

/// The last moment of `day` in China (UTC+8): deadlines end when the office day ends.
pub(crate) fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    Utc.from_utc_datetime(&(local - Duration::hours(8)))
}

/// Warns assignees at the configured share of the time and escalates breached requests one level
/// up. Each step is claimed with a conditional update, so it happens once across processes.
pub async fn run_deadlines(state: &AppState) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let open = request::Entity::find()
        .filter(request::Column::Status.is_in([Stored::Routed, Stored::Claimed, Stored::InProgress]))
        .filter(request::Column::PausedAt.is_null())
        .filter(Condition::any().add(request::Column::WarnedAt.is_null()).add(request::Column::DueAt.lt(now)))
        .all(&state.db)
        .await?;
    let (mut warned, mut escalated) = (0, 0);
    for r in open {
        let policy = state.reference.policy.version(&r.policy_version).unwrap_or_else(|| state.reference.policy.latest());
        let share = policy.entitlement(&r.entitlement_code).and_then(|e| e.routing_at(state.clock.today())).map_or(0.75, |x| x.warn_share);
        let span = r.due_at - r.created_at;
        let warn_at = r.created_at + Duration::milliseconds((span.num_milliseconds() as f64 * share) as i64);
        if r.due_at < now {
            if escalate(state, &r, now).await? {
                escalated += 1;
            }
        } else if r.warned_at.is_none() && now >= warn_at && warn(state, &r, now).await? {
            warned += 1;
        }
    }
    if warned + escalated > 0 {
        state.mail_wake.notify_one();
    }
    Ok((warned, escalated))
}

async fn warn(state: &AppState, r: &request::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = db::begin_write(&state.db).await?;
    let claimed = request::Entity::update_many()
        .col_expr(request::Column::WarnedAt, Expr::value(Some(now)))
        .filter(request::Column::Id.eq(r.id))
        .filter(request::Column::WarnedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    let due = (r.due_at + Duration::hours(8)).format("%Y-%m-%d");
    let (zh, en) = (
        format!("申请 {}（{}）将于 {due} 到期，请及时办理。", r.id, r.entitlement_code),
        format!("Request {} ({}) is due on {due}.", r.id, r.entitlement_code),
    );
    match r.assignee_id {
        Some(a) => tell_account(&txn, a, ("办理时限提醒", "Deadline approaching"), (zh, en), r.child_id, now).await?,
        None => tell_queue(&txn, (&r.department_code, &r.region_code), r.child_id, zh, en, now).await?,
    }
    event(&txn, r.id, None, Step { kind: "deadline_warning", from: None, to: None, note: None, public: false }, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// Moves an overdue request (as the job read it) up one level, unless another process did first
/// or it moved meanwhile.
async fn escalate(state: &AppState, r: &request::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let Some(up) = domain::routing::escalate(&state.reference.divisions(), &r.region_code) else { return Ok(false) };
    let policy = state.reference.policy.version(&r.policy_version).unwrap_or_else(|| state.reference.policy.latest());
    let days =
        policy.entitlement(&r.entitlement_code).and_then(|e| e.routing_at(state.clock.today())).map_or(5, |x| x.resolution_working_days);
    let due = end_of_day(state.reference.calendar().add_working_days(state.clock.today(), days));
    let t = Transition::begin(state).await?;
    let Some(cur) = request::Entity::find_by_id(r.id).lock_exclusive().one(t.txn()).await? else { return Ok(false) };
    if cur.region_code != r.region_code || cur.due_at != r.due_at {
        return Ok(false);
    }
    let Ok(checked) = check(&cur, RequestAction::Escalate, AppError::NotFound) else { return Ok(false) };
    let note = Some(format!("{} → {up}: 超过办理时限 / deadline breached", r.region_code));
    let m = Move { actor: None, entries: vec![Entry { kind: "escalated", note, public: false }], record_from: true, tell: Tell::Nobody };
    let moved = t
        .apply(&cur, checked, m, |u| {
            u.col_expr(request::Column::RegionCode, Expr::value(up.clone()))
                .col_expr(request::Column::EscalationLevel, Expr::col(request::Column::EscalationLevel).add(1))
                .col_expr(request::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
                .col_expr(request::Column::DueAt, Expr::value(due))
                .col_expr(request::Column::WarnedAt, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(request::Column::RegionCode.eq(r.region_code.as_str()))
                .filter(request::Column::DueAt.eq(r.due_at))
        })
        .await;
    // Locked and read again above, so only a failing statement ends here: the move is not lost.
    let to = match moved {
        Err(AppError::NotFound) => return Ok(false),
        other => other?,
    };
    let msg = (
        format!("申请 {}（{}）超过办理时限，已升级至本级队列。", r.id, r.entitlement_code),
        format!("Request {} ({}) breached its deadline and was escalated to your queue.", r.id, r.entitlement_code),
    );
    tell_queue(t.txn(), (&cur.department_code, &up), cur.child_id, msg.0.clone(), msg.1.clone(), now).await?;
    if let Some(a) = cur.assignee_id {
        tell_account(t.txn(), a, ("申请已升级", "Request escalated"), msg, cur.child_id, now).await?;
    }
    let moved = request::Model { region_code: up, status: to.into(), assignee_id: None, due_at: due, ..cur };
    state.events.publish(t.txn(), "escalated", &moved).await?;
    t.finish().await?;
    Ok(true)
}

/// A child was assessed at high risk (measure (二)): each of the child's open requests gets high
/// priority and the policy's shorter resolution deadline, counted from submission, but never less
/// than one working day from now. Returns how many requests changed.
pub(crate) async fn raise_priority(state: &AppState, conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let today = state.clock.today();
    let open = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::Status.is_in(open()))
        .filter(request::Column::Priority.eq(0))
        .all(conn)
        .await?;
    let calendar = state.reference.calendar();
    let mut changed = 0;
    for r in open {
        let policy = state.reference.policy.version(&r.policy_version).unwrap_or_else(|| state.reference.policy.latest());
        let created = (r.created_at + Duration::hours(8)).date_naive();
        let Some(route) = policy.entitlement(&r.entitlement_code).and_then(|e| e.routing_at(created)) else { continue };
        let shorter = end_of_day(calendar.add_working_days(created, route.high_risk_resolution_working_days));
        let floor = end_of_day(calendar.add_working_days(today, 1));
        let due = Ord::min(r.due_at, Ord::max(shorter, floor));
        let res = request::Entity::update_many()
            .col_expr(request::Column::Priority, Expr::value(1))
            .col_expr(request::Column::DueAt, Expr::value(due))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.eq(r.id))
            .filter(request::Column::Priority.eq(0))
            .exec(conn)
            .await?;
        if res.rows_affected == 1 {
            let note = format!("重点关爱高风险：优先办理，办理时限 {} → {} / high-risk child: priority, deadline shortened", r.due_at, due);
            let step = Step { kind: "priority_raised", from: None, to: None, note: Some(note), public: false };
            event(conn, r.id, None, step, now).await?;
            changed += 1;
        }
    }
    Ok(changed)
}
