//! Service requests: a family asks once, and the request lands in the one queue (department,
//! county) that must act, with deadlines in working days that a job watches. Every transition is
//! an event kept with the request; families see only public events.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use entities::{account, request, request_event};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult, Msg, is_unique_violation},
    mail::{outbox, templates},
    notify,
    services::{audit, children, families},
    state::AppState,
};

/// Request states by their stored names; the states and their moves are
/// `domain::lifecycle::request`.
pub mod status {
    use domain::lifecycle::request::RequestStatus as S;
    /// In a queue, nobody has claimed it.
    pub const ROUTED: &str = S::Routed.as_str();
    /// Assigned to one staff member.
    pub const CLAIMED: &str = S::Claimed.as_str();
    /// Being worked on (after the family answered a question).
    pub const IN_PROGRESS: &str = S::InProgress.as_str();
    /// Waiting for the family; the deadline clock is paused.
    pub const NEEDS_INFO: &str = S::NeedsInfo.as_str();
    /// Granted.
    pub const GRANTED: &str = S::Granted.as_str();
    /// Rejected with a reason and the rule.
    pub const REJECTED: &str = S::Rejected.as_str();
    /// Withdrawn by the family (or on consent withdrawal).
    pub const WITHDRAWN: &str = S::Withdrawn.as_str();
    /// Every state in which the request is still open.
    pub const OPEN: [&str; 4] = [ROUTED, CLAIMED, IN_PROGRESS, NEEDS_INFO];
}

/// The wording families see for a status (DOMAIN.md §4).
pub fn public_status(s: &str) -> Msg {
    match s {
        status::ROUTED => Msg::new("已受理", "Accepted"),
        status::CLAIMED => Msg::new("办理中（已分派经办人）", "Assigned to a caseworker"),
        status::IN_PROGRESS => Msg::new("办理中", "In progress"),
        status::NEEDS_INFO => Msg::new("待补充材料", "Waiting for your information"),
        status::GRANTED => Msg::new("已办结（同意）", "Granted"),
        status::REJECTED => Msg::new("已办结（不予办理）", "Rejected"),
        _ => Msg::new("已撤回", "Withdrawn"),
    }
}

/// The last moment of `day` in China (UTC+8): deadlines end when the office day ends.
pub(crate) fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    Utc.from_utc_datetime(&(local - Duration::hours(8)))
}

/// A request with its history, as loaded for a viewer.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The request.
    pub request: request::Model,
    /// Events the viewer may see, oldest first.
    pub events: Vec<request_event::Model>,
    /// Linked coordination tasks (lead requests) or the lead (tasks).
    pub linked: Vec<request::Model>,
}

/// What a request shows in a list and on its card: every column but the stored eligibility
/// trace, the retry keys and the job bookkeeping. Queue pages load only this.
#[derive(Debug, Clone)]
pub struct RequestSummary {
    pub id: Uuid,
    pub kind: String,
    pub child_id: Uuid,
    pub entitlement_code: String,
    pub department_code: String,
    pub region_code: String,
    pub status: String,
    pub priority: i32,
    pub details: String,
    pub policy_version: String,
    pub eligibility_outcome: String,
    pub cross_province: bool,
    pub assignee_id: Option<Uuid>,
    pub first_response_due_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub paused_at: Option<DateTime<Utc>>,
    pub escalation_level: i32,
    pub resolution_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub child_aged_out_on: Option<NaiveDate>,
}

/// The columns of [`RequestSummary`], in the order its decoder reads them.
const SUMMARY_COLUMNS: [request::Column; 20] = [
    request::Column::Id,
    request::Column::Kind,
    request::Column::ChildId,
    request::Column::EntitlementCode,
    request::Column::DepartmentCode,
    request::Column::RegionCode,
    request::Column::Status,
    request::Column::Priority,
    request::Column::Details,
    request::Column::PolicyVersion,
    request::Column::EligibilityOutcome,
    request::Column::CrossProvince,
    request::Column::AssigneeId,
    request::Column::FirstResponseDueAt,
    request::Column::DueAt,
    request::Column::PausedAt,
    request::Column::EscalationLevel,
    request::Column::ResolutionReason,
    request::Column::CreatedAt,
    request::Column::ChildAgedOutOn,
];

/// Reads by position: the derived by-name decoder hashes every column name of every row, and
/// queue pages are the hottest read of the staff console.
impl sea_orm::FromQueryResult for RequestSummary {
    fn from_query_result(res: &sea_orm::QueryResult, _pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(RequestSummary {
            id: res.try_get_by_index(0)?,
            kind: res.try_get_by_index(1)?,
            child_id: res.try_get_by_index(2)?,
            entitlement_code: res.try_get_by_index(3)?,
            department_code: res.try_get_by_index(4)?,
            region_code: res.try_get_by_index(5)?,
            status: res.try_get_by_index(6)?,
            priority: res.try_get_by_index(7)?,
            details: res.try_get_by_index(8)?,
            policy_version: res.try_get_by_index(9)?,
            eligibility_outcome: res.try_get_by_index(10)?,
            cross_province: res.try_get_by_index(11)?,
            assignee_id: res.try_get_by_index(12)?,
            first_response_due_at: res.try_get_by_index(13)?,
            due_at: res.try_get_by_index(14)?,
            paused_at: res.try_get_by_index(15)?,
            escalation_level: res.try_get_by_index(16)?,
            resolution_reason: res.try_get_by_index(17)?,
            created_at: res.try_get_by_index(18)?,
            child_aged_out_on: res.try_get_by_index(19)?,
        })
    }
}

impl From<request::Model> for RequestSummary {
    fn from(r: request::Model) -> Self {
        RequestSummary {
            id: r.id,
            kind: r.kind,
            child_id: r.child_id,
            entitlement_code: r.entitlement_code,
            department_code: r.department_code,
            region_code: r.region_code,
            status: r.status,
            priority: r.priority,
            details: r.details,
            policy_version: r.policy_version,
            eligibility_outcome: r.eligibility_outcome,
            cross_province: r.cross_province,
            assignee_id: r.assignee_id,
            first_response_due_at: r.first_response_due_at,
            due_at: r.due_at,
            paused_at: r.paused_at,
            escalation_level: r.escalation_level,
            resolution_reason: r.resolution_reason,
            created_at: r.created_at,
            child_aged_out_on: r.child_aged_out_on,
        }
    }
}

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
    pub idempotency_key: String,
}

/// One history entry to record.
struct Step<'a> {
    kind: &'a str,
    from: Option<&'a str>,
    to: Option<&'a str>,
    note: Option<String>,
    public: bool,
}

/// Records a step in a request's history and returns it (a submission answers with the steps it
/// wrote instead of reading them back).
async fn event(
    conn: &impl ConnectionTrait,
    request_id: Uuid,
    actor: Option<Uuid>,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> AppResult<request_event::Model> {
    let Step { kind, from, to, note, public } = step;
    let row = request_event::Model {
        id: Uuid::now_v7(),
        request_id,
        actor_id: actor,
        kind: kind.to_owned(),
        from_status: from.map(str::to_owned),
        to_status: to.map(str::to_owned),
        note,
        public,
        created_at: now,
    };
    request_event::Entity::insert(request_event::ActiveModel::from(row.clone())).exec_without_returning(conn).await?;
    Ok(row)
}

/// Tells the family about its request on the family's channels (`notify`); `status` is the new
/// status, `None` for a caseworker's message.
async fn tell_guardian(
    conn: &impl ConnectionTrait,
    r: &request::Model,
    status: Option<&str>,
    (zh, en): (String, String),
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mail = templates::notice("您的申请有新进展", "Your request was updated", zh, en);
    notify::enqueue(conn, r.guardian_id, Some(r.child_id), notify::events::request_update(status, now, mail), now).await?;
    Ok(())
}

async fn tell_status(conn: &impl ConnectionTrait, r: &request::Model, to: &str, note: Option<&str>, now: DateTime<Utc>) -> AppResult<()> {
    let s = public_status(to);
    let n_zh = note.map(|n| format!("\n说明：{n}")).unwrap_or_default();
    let n_en = note.map(|n| format!("\nNote: {n}")).unwrap_or_default();
    tell_guardian(
        conn,
        r,
        Some(to),
        (format!("申请（{}）状态：{}{n_zh}", r.entitlement_code, s.zh), format!("Request ({}) status: {}{n_en}", r.entitlement_code, s.en)),
        now,
    )
    .await
}

/// Staff accounts whose scope covers a queue: department staff of the department (civil-affairs
/// roles for civil affairs) whose region contains the queue's region.
async fn queue_staff(conn: &impl ConnectionTrait, department: &str, region: &str) -> AppResult<Vec<account::Model>> {
    let rows = account::Entity::find()
        .filter(account::Column::DepartmentCode.eq(department))
        .filter(account::Column::Role.is_in([Role::DepartmentStaff.as_str(), Role::CivilAffairs.as_str()]))
        .filter(account::Column::DisabledAt.is_null())
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter(|a| a.region_code.as_deref().is_some_and(|s| crate::auth::viewer::region_contains(s, region))).collect())
}

/// Tells the staff of a queue about work on `child`.
pub(crate) async fn tell_queue(
    conn: &impl ConnectionTrait,
    (department, region): (&str, &str),
    child: Uuid,
    zh: String,
    en: String,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for email in queue_staff(conn, department, region).await?.into_iter().filter_map(|a| a.email) {
        let mail = templates::notice("工作队列提醒", "Work queue notice", zh.clone(), en.clone());
        outbox::enqueue_about(conn, &email, mail, Some(child), now).await?;
    }
    Ok(())
}

/// Files a request. A retry with the same idempotency key returns the first request; a second
/// open request for the same child and entitlement is `CONFLICT`.
pub async fn submit(state: &AppState, viewer: &Viewer, input: Submission) -> AppResult<RequestView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let key = input.idempotency_key.trim().to_owned();
    if key.is_empty() || key.len() > 128 {
        return Err(AppError::validation(
            "idempotencyKey",
            "请提供 1–128 个字符的幂等键",
            "give an idempotency key of 1 to 128 characters",
        ));
    }
    let details = super::text::optional_paragraph(Some(&input.details), "details", 4000)?.unwrap_or_default();
    if let Some(existing) = find_by_key(&state.db, viewer.account_id, &key).await? {
        return same_submission(state, viewer, existing, &input).await;
    }
    let now = state.clock.now();
    let today = state.clock.today();
    let txn = db::begin_write(&state.db).await?;
    let child = children::guardian_child(&txn, viewer, input.child_id).await?;
    let consents = families::consents(&txn, child.household_id.ok_or(AppError::NotFound)?).await?;
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
    let high_risk = super::key_care::is_high_risk(&txn, input.child_id).await?;
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
        status: status::ROUTED.into(),
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
    if let Err(e) = request::Entity::insert(request::ActiveModel::from(lead.clone())).exec_without_returning(&txn).await {
        drop(txn);
        if is_unique_violation(&e) {
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
            &txn,
            lead.id,
            Some(viewer.account_id),
            Step { kind: "submitted", from: None, to: Some(status::ROUTED), note: None, public: true },
            now,
        )
        .await?,
    ];
    if route.cross_province {
        let step = event(
            &txn,
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
        request::Entity::insert(request::ActiveModel::from(task.clone())).exec_without_returning(&txn).await?;
        event(
            &txn,
            task.id,
            None,
            Step {
                kind: "coordination_opened",
                from: None,
                to: Some(status::ROUTED),
                note: Some(format!("lead {}", lead.id)),
                public: false,
            },
            now,
        )
        .await?;
        history.push(
            event(
                &txn,
                lead.id,
                None,
                Step {
                    kind: "coordination_opened", from: None, to: None, note: Some(format!("户籍地协办：{}", q.region)), public: true
                },
                now,
            )
            .await?,
        );
        state.events.publish(&txn, "new", &task).await?;
    }
    tell_status(&txn, &lead, status::ROUTED, None, now).await?;
    state.events.publish(&txn, "new", &lead).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
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

/// Loads the history the viewer may see.
async fn view(conn: &impl ConnectionTrait, r: request::Model, staff: bool) -> AppResult<RequestView> {
    let mut q = request_event::Entity::find().filter(request_event::Column::RequestId.eq(r.id)).order_by_asc(request_event::Column::Id);
    if !staff {
        q = q.filter(request_event::Column::Public.eq(true));
    }
    let events = q.all(conn).await?;
    let linked = if staff {
        let cond = match r.parent_id {
            Some(p) => Condition::any().add(request::Column::Id.eq(p)),
            None => Condition::any().add(request::Column::ParentId.eq(r.id)),
        };
        request::Entity::find().filter(cond).all(conn).await?
    } else {
        Vec::new()
    };
    Ok(RequestView { request: r, events, linked })
}

/// Whether a staff viewer's scope covers a request's queue.
pub fn in_scope(viewer: &Viewer, r: &request::Model) -> bool {
    matches!(viewer.role, Role::DepartmentStaff | Role::CivilAffairs)
        && viewer.department_code.as_deref() == Some(r.department_code.as_str())
        && viewer.region_contains(&r.region_code)
}

/// A request the viewer may see: the guardian's own (lead requests), or one in the staff member's
/// scope. Everything else is `NOT_FOUND`.
pub async fn get(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RequestView> {
    let r = request::Entity::find_by_id(id).one(&state.db).await?.filter(|r| r.erased_at.is_none()).ok_or(AppError::NotFound)?;
    match viewer.role {
        Role::Guardian if r.kind == "lead" && children::guardian_child(&state.db, viewer, r.child_id).await.is_ok() => {
            view(&state.db, r, false).await
        }
        _ if in_scope(viewer, &r) => view(&state.db, r, true).await,
        _ => Err(AppError::NotFound),
    }
}

/// The guardian's requests (their household's children), newest first.
pub async fn mine(state: &AppState, viewer: &Viewer, after: Option<Uuid>, limit: usize) -> AppResult<Vec<RequestView>> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let household = families::household_of(&state.db, viewer.account_id).await?;
    let children: Vec<Uuid> = match household {
        Some(h) => children::household_children(&state.db, h).await?.into_iter().map(|c| c.id).collect(),
        None => Vec::new(),
    };
    let mut q = request::Entity::find()
        .filter(request::Column::Kind.eq("lead"))
        .filter(request::Column::ChildId.is_in(children))
        .order_by_desc(request::Column::Id)
        .limit(limit as u64);
    if let Some(a) = after {
        q = q.filter(request::Column::Id.lt(a));
    }
    let mut out = Vec::new();
    for r in q.all(&state.db).await? {
        out.push(view(&state.db, r, false).await?);
    }
    Ok(out)
}

/// Queue filter.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only this entitlement.
    pub entitlement_code: Option<String>,
    /// Only this region (inside the caller's scope).
    pub region_code: Option<String>,
    /// Only open requests past their deadline.
    pub overdue: bool,
}

/// Queue regions inside `region`: itself and every division below it down to counties (an
/// escalated request sits in a prefecture or province queue). An `IN` list keeps the queue index
/// usable, where `LIKE 'prefix%'` would not be under a non-C collation.
pub fn scope_codes(divisions: &domain::regions::Divisions, region: &str) -> Vec<String> {
    let mut out = vec![region.to_owned()];
    let mut i = 0;
    while i < out.len() {
        let children: Vec<String> = divisions
            .children(&out[i])
            .into_iter()
            .filter(|d| d.level != domain::regions::Level::Township)
            .map(|d| d.code.clone())
            .collect();
        out.extend(children);
        i += 1;
    }
    out
}

/// The caller's queue: their department, their region (or a sub-region), ordered by due time
/// then age (ids are time-ordered); keyset after `(due_at, id)`.
pub async fn queue(
    state: &AppState,
    viewer: &Viewer,
    filter: &QueueFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: usize,
) -> AppResult<Vec<RequestSummary>> {
    let (Some(dept), Some(scope)) = (viewer.department_code.as_deref(), viewer.region_code.as_deref()) else {
        return Err(AppError::Forbidden);
    };
    if !matches!(viewer.role, Role::DepartmentStaff | Role::CivilAffairs) {
        return Err(AppError::Forbidden);
    }
    let region = match &filter.region_code {
        Some(r) if crate::auth::viewer::region_contains(scope, r) => r.as_str(),
        Some(_) => return Ok(Vec::new()),
        None => scope,
    };
    let now = state.clock.now();
    let mut q = request::Entity::find()
        .select_only()
        .columns(SUMMARY_COLUMNS)
        .filter(request::Column::DepartmentCode.eq(dept))
        .filter(request::Column::ErasedAt.is_null());
    q = if state.reference.divisions().is_county(region) {
        q.filter(request::Column::RegionCode.eq(region))
    } else {
        q.filter(request::Column::RegionCode.is_in(scope_codes(&state.reference.divisions(), region)))
    };
    q = q.order_by_asc(request::Column::DueAt).order_by_asc(request::Column::Id);
    match &filter.status {
        Some(s) => q = q.filter(request::Column::Status.eq(s.as_str())),
        None => q = q.filter(request::Column::Status.is_in(status::OPEN)),
    }
    if let Some(e) = &filter.entitlement_code {
        q = q.filter(request::Column::EntitlementCode.eq(e.as_str()));
    }
    if filter.overdue {
        q = q
            .filter(request::Column::DueAt.lt(now))
            .filter(request::Column::Status.is_in(status::OPEN))
            .filter(request::Column::PausedAt.is_null());
    }
    if let Some((due, id)) = after {
        q = q.filter(
            Expr::tuple([Expr::col(request::Column::DueAt), Expr::col(request::Column::Id)])
                .gt(Expr::tuple([Expr::value(due), Expr::value(id)])),
        );
    }
    // The limit is written into the text, not bound: with `LIMIT $n` PostgreSQL's generic plan
    // cannot know the page is small, so it re-plans the prepared statement on every execution
    // (measured: 2.5× the database time per page). `limit` is a clamped integer.
    let mut stmt = sea_orm::QueryTrait::build(&q, state.db.get_database_backend());
    stmt.sql.push_str(&format!(" LIMIT {limit}"));
    Ok(<RequestSummary as sea_orm::FromQueryResult>::find_by_statement(stmt).all(&state.db).await?)
}

/// A request in the staff viewer's scope, locked for update on PostgreSQL.
async fn staff_request(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<request::Model> {
    let r = request::Entity::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound)?;
    if !in_scope(viewer, &r) || r.erased_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

fn require_assignee(viewer: &Viewer, r: &request::Model) -> AppResult<()> {
    if r.assignee_id != Some(viewer.account_id) {
        return Err(AppError::conflict("请先认领该申请", "claim the request first"));
    }
    Ok(())
}

/// Claims a routed request. Two staff claiming at once: the conditional update lets exactly one win.
pub async fn claim(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RequestView> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = staff_request(&txn, viewer, id).await?;
    let won = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(status::CLAIMED))
        .col_expr(request::Column::AssigneeId, Expr::value(Some(viewer.account_id)))
        .col_expr(request::Column::FirstResponseAt, Expr::value(Some(r.first_response_at.unwrap_or(now))))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(id))
        .filter(request::Column::Status.eq(status::ROUTED))
        .filter(request::Column::AssigneeId.is_null())
        .exec(&txn)
        .await?;
    if won.rows_affected != 1 {
        return Err(AppError::conflict(
            "该申请已被他人认领或不在待认领状态",
            "the request was already claimed or is not waiting to be claimed",
        ));
    }
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step { kind: "claimed", from: Some(&r.status), to: Some(status::CLAIMED), note: None, public: true },
        now,
    )
    .await?;
    let r = request::Model {
        status: status::CLAIMED.into(),
        assignee_id: Some(viewer.account_id),
        first_response_at: Some(r.first_response_at.unwrap_or(now)),
        updated_at: now,
        ..r
    };
    if r.kind == "lead" {
        tell_status(&txn, &r, status::CLAIMED, None, now).await?;
    }
    // The answer is read inside the transaction: no second pool checkout after the commit.
    let answer = view(&txn, r, true).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(answer)
}

/// Asks the family for information; the deadline clock pauses until they answer.
pub async fn ask_for_information(state: &AppState, viewer: &Viewer, id: Uuid, message: &str) -> AppResult<RequestView> {
    let message = note(message, "message")?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = staff_request(&txn, viewer, id).await?;
    require_assignee(viewer, &r)?;
    if r.status != status::CLAIMED && r.status != status::IN_PROGRESS || r.kind != "lead" {
        return Err(AppError::conflict("当前状态不能要求补充材料", "information cannot be asked for in this state"));
    }
    set_status(&txn, id, status::NEEDS_INFO, |u| u.col_expr(request::Column::PausedAt, Expr::value(Some(now))), now).await?;
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step {
            kind: "asked_for_information",
            from: Some(&r.status),
            to: Some(status::NEEDS_INFO),
            note: Some(message.clone()),
            public: true,
        },
        now,
    )
    .await?;
    tell_status(&txn, &r, status::NEEDS_INFO, Some(&message), now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, true).await
}

async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    to: &str,
    extra: impl FnOnce(sea_orm::UpdateMany<request::Entity>) -> sea_orm::UpdateMany<request::Entity>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let u = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(to))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(id));
    extra(u).exec(conn).await?;
    Ok(())
}

fn note(raw: &str, field: &str) -> AppResult<String> {
    super::text::paragraph(raw, field, 4000)
}

/// The family answers a question; the clock resumes and the deadline moves by the paused time.
pub async fn answer(state: &AppState, viewer: &Viewer, id: Uuid, message: &str) -> AppResult<RequestView> {
    let message = note(message, "message")?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = guardian_request(&txn, viewer, id).await?;
    if r.status != status::NEEDS_INFO {
        return Err(AppError::conflict("该申请当前不需要补充材料", "the request is not waiting for information"));
    }
    let paused = now - r.paused_at.unwrap_or(now);
    set_status(
        &txn,
        id,
        status::IN_PROGRESS,
        |u| {
            u.col_expr(request::Column::PausedAt, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(request::Column::DueAt, Expr::value(r.due_at + paused))
                .col_expr(request::Column::FirstResponseDueAt, Expr::value(r.first_response_due_at + paused))
        },
        now,
    )
    .await?;
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step { kind: "answered", from: Some(status::NEEDS_INFO), to: Some(status::IN_PROGRESS), note: Some(message), public: true },
        now,
    )
    .await?;
    txn.commit().await?;
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, false).await
}

async fn guardian_request(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<request::Model> {
    let r = request::Entity::find_by_id(id).lock_exclusive().one(conn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::Guardian || r.kind != "lead" || children::guardian_child(conn, viewer, r.child_id).await.is_err() {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// Grants or rejects. A rejection needs a reason and shows the family the rule it rests on.
pub async fn resolve(state: &AppState, viewer: &Viewer, id: Uuid, granted: bool, reason: &str) -> AppResult<RequestView> {
    let reason = note(reason, "reason")?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = staff_request(&txn, viewer, id).await?;
    require_assignee(viewer, &r)?;
    if !(r.status == status::CLAIMED || r.status == status::IN_PROGRESS) {
        return Err(AppError::conflict("当前状态不能办结", "the request cannot be resolved in this state"));
    }
    let to = if granted { status::GRANTED } else { status::REJECTED };
    let rule = state
        .reference
        .policy
        .version(&r.policy_version)
        .or_else(|| state.reference.policy.version_at(state.clock.today()))
        .and_then(|p| p.entitlement(&r.entitlement_code))
        .map(|e| format!("{} {}", e.measure, e.clause))
        .unwrap_or_default();
    let public_note = if granted { reason.clone() } else { format!("{reason}（依据 / rule: {rule}）") };
    set_status(
        &txn,
        id,
        to,
        |u| {
            u.col_expr(request::Column::OpenKey, Expr::value(Option::<String>::None))
                .col_expr(request::Column::ResolutionReason, Expr::value(Some(public_note.clone())))
                .col_expr(request::Column::ResolvedAt, Expr::value(Some(now)))
        },
        now,
    )
    .await?;
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step { kind: "resolved", from: Some(&r.status), to: Some(to), note: Some(public_note.clone()), public: true },
        now,
    )
    .await?;
    if r.kind == "lead" {
        tell_status(&txn, &r, to, Some(&public_note), now).await?;
    }
    audit::record(
        &txn,
        Some(viewer.account_id),
        "request.resolved",
        "request",
        &id.to_string(),
        Some(serde_json::json!({"granted": granted})),
        now,
    )
    .await?;
    // The answer is read inside the transaction: no more pool checkouts after the commit.
    let r = request::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let answer = view(&txn, r, true).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(answer)
}

/// Moves a request to another department or county within the policy's routing; the receiving
/// queue sees it with its history and its staff are e-mailed.
pub async fn transfer(state: &AppState, viewer: &Viewer, id: Uuid, department: &str, region: &str, reason: &str) -> AppResult<RequestView> {
    let reason = note(reason, "reason")?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = staff_request(&txn, viewer, id).await?;
    if !status::OPEN.contains(&r.status.as_str()) {
        return Err(AppError::conflict("已办结的申请不能转办", "a closed request cannot be transferred"));
    }
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
    set_status(
        &txn,
        id,
        status::ROUTED,
        |u| {
            u.col_expr(request::Column::DepartmentCode, Expr::value(department))
                .col_expr(request::Column::RegionCode, Expr::value(region))
                .col_expr(request::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
                .col_expr(request::Column::PausedAt, Expr::value(Option::<DateTime<Utc>>::None))
        },
        now,
    )
    .await?;
    let from_q = format!("{}@{}", r.department_code, r.region_code);
    let to_q = format!("{department}@{region}");
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step {
            kind: "transferred",
            from: Some(&r.status),
            to: Some(status::ROUTED),
            note: Some(format!("{from_q} → {to_q}: {reason}")),
            public: false,
        },
        now,
    )
    .await?;
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step {
            kind: "transferred_public",
            from: Some(&r.status),
            to: Some(status::ROUTED),
            note: Some("已转交其他部门或地区办理 / transferred to another office".into()),
            public: true,
        },
        now,
    )
    .await?;
    tell_queue(
        &txn,
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
        status: status::ROUTED.into(),
        assignee_id: None,
        ..r
    };
    state.events.publish(&txn, "transferred", &moved).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    view(&state.db, moved, true).await
}

/// A staff comment: public ones reach the family (and are e-mailed), internal ones never do.
pub async fn comment(state: &AppState, viewer: &Viewer, id: Uuid, body: &str, internal: bool) -> AppResult<RequestView> {
    let body = note(body, "body")?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = staff_request(&txn, viewer, id).await?;
    event(
        &txn,
        id,
        Some(viewer.account_id),
        Step { kind: "comment", from: None, to: None, note: Some(body.clone()), public: !internal },
        now,
    )
    .await?;
    if !internal && r.kind == "lead" {
        tell_guardian(&txn, &r, None, (format!("工作人员留言：{body}"), format!("A caseworker wrote: {body}")), now).await?;
    }
    txn.commit().await?;
    state.mail_wake.notify_one();
    view(&state.db, r, true).await
}

/// The family withdraws a request before it is resolved; linked coordination tasks close too.
pub async fn withdraw(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RequestView> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let r = guardian_request(&txn, viewer, id).await?;
    if !status::OPEN.contains(&r.status.as_str()) {
        return Err(AppError::conflict("已办结的申请不能撤回", "a resolved request cannot be withdrawn"));
    }
    close_withdrawn(&txn, &r, Some(viewer.account_id), "家庭撤回 / withdrawn by the family", now).await?;
    tell_status(&txn, &r, status::WITHDRAWN, None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, false).await
}

async fn close_withdrawn(
    conn: &impl ConnectionTrait,
    r: &request::Model,
    actor: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let open = || request::Column::Status.is_in(status::OPEN);
    let ids: Vec<Uuid> = request::Entity::find()
        .select_only()
        .column(request::Column::Id)
        .filter(Condition::any().add(request::Column::Id.eq(r.id)).add(request::Column::ParentId.eq(r.id)))
        .filter(open())
        .into_tuple()
        .all(conn)
        .await?;
    request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(status::WITHDRAWN))
        .col_expr(request::Column::OpenKey, Expr::value(Option::<String>::None))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.is_in(ids.clone()))
        .exec(conn)
        .await?;
    for id in ids {
        event(
            conn,
            id,
            actor,
            Step { kind: "withdrawn", from: None, to: Some(status::WITHDRAWN), note: Some(reason.to_owned()), public: true },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Consent withdrawn: every open request of the child is withdrawn with that reason; decided
/// ones stay as the law on records requires.
pub async fn withdraw_for_consent(conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let open = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::Kind.eq("lead"))
        .filter(request::Column::Status.is_in(status::OPEN))
        .all(conn)
        .await?;
    for r in &open {
        close_withdrawn(conn, r, None, "监护人撤回同意 / consent withdrawn by the guardian", now).await?;
    }
    Ok(open.len())
}

/// Warns assignees at the configured share of the time and escalates breached requests one level
/// up. Each step is claimed with a conditional update, so it happens once across processes.
pub async fn run_deadlines(state: &AppState) -> AppResult<(usize, usize)> {
    let now = state.clock.now();
    let open = request::Entity::find()
        .filter(request::Column::Status.is_in([status::ROUTED, status::CLAIMED, status::IN_PROGRESS]))
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
        Some(a) => {
            if let Some(email) = account::Entity::find_by_id(a).one(&txn).await?.and_then(|acc| acc.email) {
                let mail = templates::notice("办理时限提醒", "Deadline approaching", zh, en);
                outbox::enqueue_about(&txn, &email, mail, Some(r.child_id), now).await?;
            }
        }
        None => tell_queue(&txn, (&r.department_code, &r.region_code), r.child_id, zh, en, now).await?,
    }
    event(&txn, r.id, None, Step { kind: "deadline_warning", from: None, to: None, note: None, public: false }, now).await?;
    txn.commit().await?;
    Ok(true)
}

async fn escalate(state: &AppState, r: &request::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let Some(up) = domain::routing::escalate(&state.reference.divisions(), &r.region_code) else { return Ok(false) };
    let policy = state.reference.policy.version(&r.policy_version).unwrap_or_else(|| state.reference.policy.latest());
    let days =
        policy.entitlement(&r.entitlement_code).and_then(|e| e.routing_at(state.clock.today())).map_or(5, |x| x.resolution_working_days);
    let due = end_of_day(state.reference.calendar().add_working_days(state.clock.today(), days));
    let txn = db::begin_write(&state.db).await?;
    let claimed = request::Entity::update_many()
        .col_expr(request::Column::RegionCode, Expr::value(up.clone()))
        .col_expr(request::Column::EscalationLevel, Expr::col(request::Column::EscalationLevel).add(1))
        .col_expr(request::Column::Status, Expr::value(status::ROUTED))
        .col_expr(request::Column::AssigneeId, Expr::value(Option::<Uuid>::None))
        .col_expr(request::Column::DueAt, Expr::value(due))
        .col_expr(request::Column::WarnedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(request::Column::UpdatedAt, Expr::value(now))
        .filter(request::Column::Id.eq(r.id))
        .filter(request::Column::RegionCode.eq(r.region_code.as_str()))
        .filter(request::Column::DueAt.eq(r.due_at))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(false);
    }
    event(
        &txn,
        r.id,
        None,
        Step {
            kind: "escalated",
            from: Some(&r.status),
            to: Some(status::ROUTED),
            note: Some(format!("{} → {up}: 超过办理时限 / deadline breached", r.region_code)),
            public: false,
        },
        now,
    )
    .await?;
    let msg = (
        format!("申请 {}（{}）超过办理时限，已升级至本级队列。", r.id, r.entitlement_code),
        format!("Request {} ({}) breached its deadline and was escalated to your queue.", r.id, r.entitlement_code),
    );
    tell_queue(&txn, (&r.department_code, &up), r.child_id, msg.0.clone(), msg.1.clone(), now).await?;
    if let Some(a) = r.assignee_id
        && let Some(email) = account::Entity::find_by_id(a).one(&txn).await?.and_then(|acc| acc.email)
    {
        let mail = templates::notice("申请已升级", "Request escalated", msg.0, msg.1);
        outbox::enqueue_about(&txn, &email, mail, Some(r.child_id), now).await?;
    }
    let moved = request::Model { region_code: up, status: status::ROUTED.into(), assignee_id: None, due_at: due, ..r.clone() };
    state.events.publish(&txn, "escalated", &moved).await?;
    txn.commit().await?;
    Ok(true)
}

/// Counts of one queue for `queueStats`.
#[derive(Debug, Clone, Default)]
pub struct QueueStats {
    /// Department.
    pub department_code: String,
    /// Queue region.
    pub region_code: String,
    /// (status, count).
    pub by_status: Vec<(String, i64)>,
    /// Open and past the deadline.
    pub overdue: i64,
    /// Median hours to the first response.
    pub median_first_response_hours: Option<f64>,
    /// Median hours to resolution.
    pub median_resolution_hours: Option<f64>,
}

/// Per-queue statistics within the staff viewer's scope (optionally narrowed to `region`).
pub async fn stats(state: &AppState, viewer: &Viewer, region: Option<&str>) -> AppResult<Vec<QueueStats>> {
    let (Some(dept), Some(scope)) = (viewer.department_code.as_deref(), viewer.region_code.as_deref()) else {
        return Err(AppError::Forbidden);
    };
    if !matches!(viewer.role, Role::DepartmentStaff | Role::CivilAffairs) {
        return Err(AppError::Forbidden);
    }
    let region = match region {
        Some(r) if crate::auth::viewer::region_contains(scope, r) => r,
        Some(_) => return Err(AppError::NotFound),
        None => scope,
    };
    let now = state.clock.now();
    let rows = request::Entity::find()
        .filter(request::Column::DepartmentCode.eq(dept))
        .filter(request::Column::RegionCode.is_in(scope_codes(&state.reference.divisions(), region)))
        .all(&state.db)
        .await?;
    let mut queues: std::collections::BTreeMap<String, Vec<request::Model>> = Default::default();
    for r in rows {
        queues.entry(r.region_code.clone()).or_default().push(r);
    }
    Ok(queues
        .into_iter()
        .map(|(region_code, list)| {
            let mut by: std::collections::BTreeMap<String, i64> = Default::default();
            for r in &list {
                *by.entry(r.status.clone()).or_default() += 1;
            }
            let overdue =
                list.iter().filter(|r| status::OPEN.contains(&r.status.as_str()) && r.paused_at.is_none() && r.due_at < now).count() as i64;
            let hours = |d: Duration| d.num_seconds() as f64 / 3600.0;
            let first: Vec<f64> = list.iter().filter_map(|r| r.first_response_at.map(|t| hours(t - r.created_at))).collect();
            let resolved: Vec<f64> = list.iter().filter_map(|r| r.resolved_at.map(|t| hours(t - r.created_at))).collect();
            QueueStats {
                department_code: dept.to_owned(),
                region_code,
                by_status: by.into_iter().collect(),
                overdue,
                median_first_response_hours: median(first),
                median_resolution_hours: median(resolved),
            }
        })
        .collect())
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Records in a request's history that its child turned 16 on `day`: the child left the
/// migrant-children scope, the request stays open and is handled to the end.
pub(crate) async fn record_aged_out(conn: &impl ConnectionTrait, id: Uuid, day: NaiveDate, now: DateTime<Utc>) -> AppResult<()> {
    let step = Step {
        kind: "aged_out",
        from: None,
        to: None,
        note: Some(format!("孩子已于 {day} 年满十六周岁，本申请继续办理 / the child turned 16 on {day}; this request continues")),
        public: true,
    };
    event(conn, id, None, step, now).await.map(|_| ())
}

/// A child was assessed at high risk (measure (二)): each of the child's open requests gets high
/// priority and the policy's shorter resolution deadline, counted from submission, but never less
/// than one working day from now. Returns how many requests changed.
pub(crate) async fn raise_priority(state: &AppState, conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let today = state.clock.today();
    let open = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::Status.is_in(status::OPEN))
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
