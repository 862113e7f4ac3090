//! Service requests over GraphQL: families submit and follow; staff work their queue.

use std::borrow::Cow;

use async_graphql::{
    Context, ContextSelectionSet, Enum, ID, InputObject, Name, Object, OutputType, Positioned, ServerResult, SimpleObject, Subscription,
    Value,
    connection::{Connection, CursorType, Edge},
    futures_util::Stream,
    parser::types::Field,
};
use chrono::{DateTime, Utc};

use super::{
    accounts::{lang, state},
    pagination::{self, Cursor},
    reference::{Department, Region},
    scalars::{Date, parse_id},
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppError, AppResult, Lang},
    services::requests::{self as svc, RequestSummary, RequestView, status},
};

/// Where a request stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    /// In a queue (已受理).
    Routed,
    /// Assigned to a caseworker.
    Claimed,
    /// Being worked on.
    InProgress,
    /// Waiting for the family (clock paused).
    NeedsInfo,
    /// Granted.
    ResolvedGranted,
    /// Rejected.
    ResolvedRejected,
    /// Withdrawn.
    Withdrawn,
}

impl RequestStatus {
    fn parse(s: &str) -> Self {
        match s {
            status::ROUTED => Self::Routed,
            status::CLAIMED => Self::Claimed,
            status::IN_PROGRESS => Self::InProgress,
            status::NEEDS_INFO => Self::NeedsInfo,
            status::GRANTED => Self::ResolvedGranted,
            status::REJECTED => Self::ResolvedRejected,
            _ => Self::Withdrawn,
        }
    }
    fn code(self) -> &'static str {
        match self {
            Self::Routed => status::ROUTED,
            Self::Claimed => status::CLAIMED,
            Self::InProgress => status::IN_PROGRESS,
            Self::NeedsInfo => status::NEEDS_INFO,
            Self::ResolvedGranted => status::GRANTED,
            Self::ResolvedRejected => status::REJECTED,
            Self::Withdrawn => status::WITHDRAWN,
        }
    }
}

/// One step of a request's history.
#[derive(SimpleObject)]
pub struct RequestEvent {
    /// Id.
    pub id: ID,
    /// What happened (`submitted`, `claimed`, `comment`, `transferred`, `escalated`, ...).
    pub kind: String,
    /// Status before.
    pub from_status: Option<RequestStatus>,
    /// Status after.
    pub to_status: Option<RequestStatus>,
    /// Note, comment or reason.
    pub note: Option<String>,
    /// Visible to the family.
    pub public: bool,
    /// Acting account (none: the system).
    pub actor_id: Option<ID>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A request for one entitlement of one child. Resolved by hand (see the `OutputType` impl
/// below); the wrapped [`ServiceRequestFields`] declares the fields for the schema and serves the
/// general case.
pub struct ServiceRequest(pub ServiceRequestFields);

// The schema declaration of `ServiceRequest`: same fields, generic resolution. Its doc comment is
// the type's description in the schema.
/// A request for one entitlement of one child.
#[derive(SimpleObject)]
#[graphql(name = "ServiceRequest", complex)]
pub struct ServiceRequestFields {
    /// Id.
    pub id: ID,
    /// `lead` (the family's request) or `coordination` (task at the hukou place).
    pub kind: String,
    /// Entitlement code.
    pub entitlement_code: String,
    /// Status.
    pub status: RequestStatus,
    /// Status in words for the family, in the request's language.
    pub public_status: String,
    /// Queue department.
    pub department: Department,
    /// Queue region.
    pub region: Region,
    /// The child.
    pub child_id: ID,
    /// Resolution deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// Working days from today (Asia/Shanghai) to the deadline day; negative when overdue.
    pub working_days_left: i32,
    /// First-response deadline.
    pub first_response_due_at: DateTime<Utc>,
    /// Open and past the deadline.
    pub overdue: bool,
    /// 1 for high-risk children.
    pub priority: i32,
    /// What the family wrote.
    pub details: String,
    /// Eligibility outcome at submission (staff decide; a NOT_ELIGIBLE request may still be granted).
    pub eligibility_outcome: String,
    /// Policy version of that outcome.
    pub policy_version: String,
    /// Handled through cross-province coordination (跨省通办).
    pub cross_province: bool,
    /// Reason of the decision (with the rule for rejections).
    pub resolution_reason: Option<String>,
    /// Times escalated.
    pub escalation_level: i32,
    /// Assigned caseworker.
    pub assignee_id: Option<ID>,
    /// Linked lead request or coordination tasks (staff only).
    pub linked_request_ids: Vec<ID>,
    /// History (families: public events only).
    pub history: Vec<RequestEvent>,
    /// Submission time.
    pub created_at: DateTime<Utc>,
    /// The day the child turned 16 while the request was open: the child left the migrant-children
    /// scope, the request is still handled to the end.
    pub child_aged_out_on: Option<Date>,
}

/// Why by hand: a queue page is 20 requests, and async-graphql's generic object resolution
/// spends a boxed future and a result-map insert per field of each; the staff console's hottest
/// read. Plain field selections are filled here in one pass (nested objects and lists still go
/// through their own types); fragments, directives or a response key used twice take the generic
/// path through `ServiceRequestFields`, so the answer is always the same (tested in
/// `tests/requests.rs`).
impl OutputType for ServiceRequest {
    fn type_name() -> Cow<'static, str> {
        <ServiceRequestFields as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <ServiceRequestFields as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let r = &self.0;
        let Some(fields) = super::plain::fields(ctx) else { return OutputType::resolve(r, ctx, field).await };
        let mut out: Vec<(Name, Value)> = Vec::with_capacity(fields.len());
        for (key, f) in fields {
            let sub = ctx.with_field(f);
            let sub = sub.with_selection_set(&f.node.selection_set);
            let v = match f.node.name.node.as_str() {
                "id" => Value::String(r.id.0.clone()),
                "kind" => Value::String(r.kind.clone()),
                "entitlementCode" => Value::String(r.entitlement_code.clone()),
                "publicStatus" => Value::String(r.public_status.clone()),
                "childId" => Value::String(r.child_id.0.clone()),
                "details" => Value::String(r.details.clone()),
                "eligibilityOutcome" => Value::String(r.eligibility_outcome.clone()),
                "policyVersion" => Value::String(r.policy_version.clone()),
                "overdue" => Value::Boolean(r.overdue),
                "crossProvince" => Value::Boolean(r.cross_province),
                "priority" => Value::Number(r.priority.into()),
                "escalationLevel" => Value::Number(r.escalation_level.into()),
                "status" => OutputType::resolve(&r.status, &sub, f).await?,
                "department" => OutputType::resolve(&r.department, &sub, f).await?,
                "region" => OutputType::resolve(&r.region, &sub, f).await?,
                "dueAt" => OutputType::resolve(&r.due_at, &sub, f).await?,
                "firstResponseDueAt" => OutputType::resolve(&r.first_response_due_at, &sub, f).await?,
                "resolutionReason" => OutputType::resolve(&r.resolution_reason, &sub, f).await?,
                "assigneeId" => OutputType::resolve(&r.assignee_id, &sub, f).await?,
                "linkedRequestIds" => OutputType::resolve(&r.linked_request_ids, &sub, f).await?,
                "history" => OutputType::resolve(&r.history, &sub, f).await?,
                "createdAt" => OutputType::resolve(&r.created_at, &sub, f).await?,
                "childAgedOutOn" => OutputType::resolve(&r.child_aged_out_on, &sub, f).await?,
                "__typename" => Value::String("ServiceRequest".into()),
                _ => return OutputType::resolve(r, ctx, field).await,
            };
            out.push((key, v));
        }
        Ok(Value::Object(out.into_iter().collect()))
    }
}

impl ServiceRequest {
    fn from_view(v: RequestView, lang: Lang, ctx: &Context<'_>) -> Self {
        let mut out = Self::from_summary(v.request.into(), lang, ctx);
        out.0.linked_request_ids = v.linked.iter().map(|l| ID(l.id.to_string())).collect();
        out.0.history = v
            .events
            .into_iter()
            .map(|e| RequestEvent {
                id: ID(e.id.to_string()),
                kind: e.kind,
                from_status: e.from_status.as_deref().map(RequestStatus::parse),
                to_status: e.to_status.as_deref().map(RequestStatus::parse),
                note: e.note,
                public: e.public,
                actor_id: e.actor_id.map(|a| ID(a.to_string())),
                at: e.created_at,
            })
            .collect();
        out
    }

    /// A list entry: no history or links (those need the request's own page).
    fn from_summary(r: RequestSummary, lang: Lang, ctx: &Context<'_>) -> Self {
        let now = state(ctx).clock.now();
        let region = Region::of(&state(ctx).reference.divisions(), &r.region_code);
        ServiceRequest(ServiceRequestFields {
            id: ID(r.id.to_string()),
            overdue: status::OPEN.contains(&r.status.as_str()) && r.paused_at.is_none() && r.due_at < now,
            public_status: svc::public_status(&r.status).get(lang).to_owned(),
            status: RequestStatus::parse(&r.status),
            kind: r.kind,
            department: Department::named(&r.department_code, lang),
            region,
            entitlement_code: r.entitlement_code,
            child_id: ID(r.child_id.to_string()),
            working_days_left: state(ctx)
                .reference
                .calendar()
                .working_days_left(state(ctx).clock.today(), (r.due_at + chrono::Duration::hours(8)).date_naive()),
            due_at: Some(r.due_at),
            first_response_due_at: r.first_response_due_at,
            priority: r.priority,
            details: r.details,
            eligibility_outcome: r.eligibility_outcome,
            policy_version: r.policy_version,
            cross_province: r.cross_province,
            resolution_reason: r.resolution_reason,
            escalation_level: r.escalation_level,
            assignee_id: r.assignee_id.map(|a| ID(a.to_string())),
            linked_request_ids: Vec::new(),
            history: Vec::new(),
            created_at: r.created_at,
            child_aged_out_on: r.child_aged_out_on.map(Date),
        })
    }
}

/// A new request.
#[derive(InputObject)]
pub struct SubmitRequestInput {
    /// The child (of the caller's household).
    pub child_id: ID,
    /// A requestable entitlement code.
    pub entitlement_code: String,
    /// What the family needs.
    #[graphql(default)]
    pub details: String,
    /// A key the app keeps for this submission; a retry with it returns the same request.
    pub idempotency_key: String,
}

/// Queue filter.
#[derive(InputObject, Default)]
pub struct QueueFilter {
    /// Only this status (default: every open one).
    pub status: Option<RequestStatus>,
    /// Only this entitlement.
    pub entitlement_code: Option<String>,
    /// Only this region inside the caller's scope.
    pub region_code: Option<String>,
    /// Only open requests past their deadline.
    #[graphql(default)]
    pub overdue: bool,
}

/// Counts of one queue.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// Status.
    pub status: RequestStatus,
    /// Requests.
    pub count: i64,
}

/// Statistics of one queue.
#[derive(SimpleObject)]
pub struct QueueStat {
    /// Department.
    pub department_code: String,
    /// Queue region.
    pub region_code: String,
    /// Requests by status.
    pub by_status: Vec<StatusCount>,
    /// Open and past the deadline.
    pub overdue: i64,
    /// Median hours to first response.
    pub median_first_response_hours: Option<f64>,
    /// Median hours to resolution.
    pub median_resolution_hours: Option<f64>,
}

/// A queue event pushed to the staff console.
#[derive(SimpleObject)]
pub struct QueueEventPayload {
    /// `new`, `transferred` or `escalated`.
    pub kind: String,
    /// Request id.
    pub request_id: ID,
    /// Queue department.
    pub department_code: String,
    /// Queue region.
    pub region_code: String,
    /// Entitlement.
    pub entitlement_code: String,
    /// Status.
    pub status: RequestStatus,
}

fn conn_of(views: Vec<RequestView>, has_prev: bool, has_next: bool, lang: Lang, ctx: &Context<'_>) -> Connection<String, ServiceRequest> {
    let mut c = Connection::new(has_prev, has_next);
    c.edges.extend(
        views.into_iter().map(|v| Edge::new(Cursor::of_uuid(v.request.id).encode_cursor(), ServiceRequest::from_view(v, lang, ctx))),
    );
    c
}

/// Request queries.
#[derive(Default)]
pub struct RequestsQuery;

#[Object]
impl RequestsQuery {
    /// The caller's household's requests, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn my_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<String, ServiceRequest>> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let limit = pagination::clamp(first)?;
        let after = pagination::after_uuid(after.as_deref())?;
        let mut rows = svc::mine(state(ctx), &v, after, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        Ok(conn_of(rows, after.is_some(), has_next, lang(ctx), ctx))
    }

    /// One request the caller may see (`NOT_FOUND` otherwise).
    async fn request(&self, ctx: &Context<'_>, id: ID) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::get(state(ctx), &v, parse_id(&id)?).await?, lang(ctx), ctx))
    }

    /// The caller's queue: their department in their region, by due time then age (high-risk
    /// children's requests carry shorter deadlines, so they come first); keyset-paginated.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn queue(
        &self,
        ctx: &Context<'_>,
        filter: Option<QueueFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<String, ServiceRequest>> {
        let v = require_role(ctx, &[Role::DepartmentStaff, Role::CivilAffairs])?;
        let limit = pagination::clamp(first)?;
        let key = match pagination::after(after.as_deref())? {
            None => None,
            Some(c) => Some(decode_queue_cursor(&c).ok_or_else(|| AppError::validation("after", "分页游标无效", "invalid cursor"))?),
        };
        let f = filter.unwrap_or_default();
        let filter = svc::QueueFilter {
            status: f.status.map(|s| s.code().to_owned()),
            entitlement_code: f.entitlement_code,
            region_code: f.region_code,
            overdue: f.overdue,
        };
        let st = state(ctx);
        let mut rows = svc::queue(st, &v, &filter, key, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let l = lang(ctx);
        let mut c = Connection::new(key.is_some(), has_next);
        for r in rows {
            let cursor = Cursor(vec![r.due_at.to_rfc3339().into(), r.id.to_string().into()]).encode_cursor();
            c.edges.push(Edge::new(cursor, ServiceRequest::from_summary(r, l, ctx)));
        }
        Ok(c)
    }

    /// Per-queue counts by status, overdue count and median times, in the caller's scope.
    async fn queue_stats(&self, ctx: &Context<'_>, region_code: Option<String>) -> AppResult<Vec<QueueStat>> {
        let v = require_role(ctx, &[Role::DepartmentStaff, Role::CivilAffairs])?;
        Ok(svc::stats(state(ctx), &v, region_code.as_deref())
            .await?
            .into_iter()
            .map(|s| QueueStat {
                department_code: s.department_code,
                region_code: s.region_code,
                by_status: s.by_status.into_iter().map(|(st, count)| StatusCount { status: RequestStatus::parse(&st), count }).collect(),
                overdue: s.overdue,
                median_first_response_hours: s.median_first_response_hours,
                median_resolution_hours: s.median_resolution_hours,
            })
            .collect())
    }
}

fn decode_queue_cursor(c: &Cursor) -> Option<(DateTime<Utc>, uuid::Uuid)> {
    let due = DateTime::parse_from_rfc3339(c.0.first()?.as_str()?).ok()?.with_timezone(&Utc);
    let id = uuid::Uuid::parse_str(c.0.get(1)?.as_str()?).ok()?;
    Some((due, id))
}

/// Request mutations.
#[derive(Default)]
pub struct RequestsMutation;

#[Object]
impl RequestsMutation {
    /// Files a request for a child; it lands in the responsible department's queue of the right county.
    async fn submit_request(&self, ctx: &Context<'_>, input: SubmitRequestInput) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        let s = svc::Submission {
            child_id: parse_id(&input.child_id)?,
            entitlement_code: input.entitlement_code,
            details: input.details,
            idempotency_key: input.idempotency_key,
        };
        Ok(ServiceRequest::from_view(svc::submit(state(ctx), &v, s).await?, lang(ctx), ctx))
    }

    /// The family answers a question; the deadline clock resumes.
    async fn answer_request(&self, ctx: &Context<'_>, id: ID, message: String) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::answer(state(ctx), &v, parse_id(&id)?, &message).await?, lang(ctx), ctx))
    }

    /// The family withdraws a request before it is resolved.
    async fn withdraw_request(&self, ctx: &Context<'_>, id: ID) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::withdraw(state(ctx), &v, parse_id(&id)?).await?, lang(ctx), ctx))
    }

    /// Claims a request of the caller's queue; of two simultaneous claims exactly one wins.
    async fn claim_request(&self, ctx: &Context<'_>, id: ID) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::claim(state(ctx), &v, parse_id(&id)?).await?, lang(ctx), ctx))
    }

    /// Asks the family for information; the deadline clock pauses until they answer.
    async fn ask_for_information(&self, ctx: &Context<'_>, id: ID, message: String) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::ask_for_information(state(ctx), &v, parse_id(&id)?, &message).await?, lang(ctx), ctx))
    }

    /// Grants or rejects; a rejection shows the family the rule it rests on.
    async fn resolve_request(&self, ctx: &Context<'_>, id: ID, granted: bool, reason: String) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::resolve(state(ctx), &v, parse_id(&id)?, granted, &reason).await?, lang(ctx), ctx))
    }

    /// Transfers to another department or county within the policy's routing.
    async fn transfer_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        department_code: String,
        region_code: String,
        reason: String,
    ) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(
            svc::transfer(state(ctx), &v, parse_id(&id)?, &department_code, &region_code, &reason).await?,
            lang(ctx),
            ctx,
        ))
    }

    /// Comments on a request: public ones reach the family, internal ones never do.
    async fn comment_on_request(&self, ctx: &Context<'_>, id: ID, body: String, internal: bool) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::comment(state(ctx), &v, parse_id(&id)?, &body, internal).await?, lang(ctx), ctx))
    }
}

/// Request subscriptions.
#[derive(Default)]
pub struct RequestsSubscription;

#[Subscription]
impl RequestsSubscription {
    /// New, transferred and escalated requests of one queue (department + region, and every queue
    /// inside that region), for staff whose scope covers it.
    async fn queue_events(
        &self,
        ctx: &Context<'_>,
        department_code: String,
        region_code: String,
    ) -> async_graphql::Result<impl Stream<Item = QueueEventPayload>> {
        let v = require_role(ctx, &[Role::DepartmentStaff, Role::CivilAffairs])?;
        if v.department_code.as_deref() != Some(department_code.as_str()) || !v.region_contains(&region_code) {
            return Err(AppError::NotFound.into());
        }
        let rx = state(ctx).events.subscribe();
        let stream = tokio_stream::wrappers::BroadcastStream::new(rx);
        use async_graphql::futures_util::StreamExt;
        Ok(stream.filter_map(move |e| {
            let (d, r) = (department_code.clone(), region_code.clone());
            async move {
                let e = e.ok()?;
                (e.department_code == d && crate::auth::viewer::region_contains(&r, &e.region_code)).then(|| QueueEventPayload {
                    kind: e.kind,
                    request_id: ID(e.request_id.to_string()),
                    department_code: e.department_code,
                    region_code: e.region_code,
                    entitlement_code: e.entitlement_code,
                    status: RequestStatus::parse(&e.status),
                })
            }
        }))
    }
}
