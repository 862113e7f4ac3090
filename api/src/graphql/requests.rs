//! Service requests over GraphQL: families submit and follow; staff work their queue and hear of
//! new requests. The request itself is in `service_request`.

use async_graphql::{
    Context, ID, InputObject, Object, SimpleObject, Subscription,
    connection::{Connection, CursorType, Edge},
    futures_util::Stream,
};
use chrono::{DateTime, Utc};

use super::{
    context::{lang, state},
    page::Page,
    pagination::{self, Cursor},
    scalars::parse_id,
    service_request::{RequestStatus, ServiceRequest},
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppError, AppResult, Lang, OnField},
    services::requests::{self as svc, RequestView},
};
use domain::input::IdempotencyKey;

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

fn conn_of(views: Vec<RequestView>, has_prev: bool, has_next: bool, lang: Lang) -> Page<ServiceRequest> {
    let mut c = Connection::new(has_prev, has_next);
    c.edges.extend(views.into_iter().map(|v| Edge::new(Cursor::of_uuid(v.request.id).encode_cursor(), ServiceRequest::from_view(v, lang))));
    Page(c)
}

/// Request queries.
#[derive(Default)]
pub struct RequestsQuery;

#[Object]
impl RequestsQuery {
    /// The caller's household's requests, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn my_requests(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> AppResult<Page<ServiceRequest>> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let limit = pagination::clamp(first)?;
        let after = pagination::after_uuid(after.as_deref())?;
        let mut rows = svc::mine(state(ctx), &v, after, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        Ok(conn_of(rows, after.is_some(), has_next, lang(ctx)))
    }

    /// One request the caller may see (`NOT_FOUND` otherwise).
    async fn request(&self, ctx: &Context<'_>, id: ID) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::get(state(ctx), &v, parse_id(&id)?).await?, lang(ctx)))
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
    ) -> AppResult<Page<ServiceRequest>> {
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
            c.edges.push(Edge::new(cursor, ServiceRequest::from_summary(r, l)));
        }
        Ok(Page(c))
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
            idempotency_key: IdempotencyKey::parse(&input.idempotency_key).on("idempotencyKey")?,
        };
        Ok(ServiceRequest::from_view(svc::submit(state(ctx), &v, s).await?, lang(ctx)))
    }

    /// The family answers a question; the deadline clock resumes.
    async fn answer_request(&self, ctx: &Context<'_>, id: ID, message: String) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::answer(state(ctx), &v, parse_id(&id)?, note(&message, "message")?).await?, lang(ctx)))
    }

    /// The family withdraws a request before it is resolved.
    async fn withdraw_request(&self, ctx: &Context<'_>, id: ID) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::withdraw(state(ctx), &v, parse_id(&id)?).await?, lang(ctx)))
    }

    /// Claims a request of the caller's queue; of two simultaneous claims exactly one wins.
    async fn claim_request(&self, ctx: &Context<'_>, id: ID) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::claim(state(ctx), &v, parse_id(&id)?).await?, lang(ctx)))
    }

    /// Asks the family for information; the deadline clock pauses until they answer.
    async fn ask_for_information(&self, ctx: &Context<'_>, id: ID, message: String) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(
            svc::ask_for_information(state(ctx), &v, parse_id(&id)?, note(&message, "message")?).await?,
            lang(ctx),
        ))
    }

    /// Grants or rejects; a rejection shows the family the rule it rests on.
    async fn resolve_request(&self, ctx: &Context<'_>, id: ID, granted: bool, reason: String) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::resolve(state(ctx), &v, parse_id(&id)?, granted, note(&reason, "reason")?).await?, lang(ctx)))
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
            svc::transfer(state(ctx), &v, parse_id(&id)?, &department_code, &region_code, note(&reason, "reason")?).await?,
            lang(ctx),
        ))
    }

    /// Comments on a request: public ones reach the family, internal ones never do.
    async fn comment_on_request(&self, ctx: &Context<'_>, id: ID, body: String, internal: bool) -> AppResult<ServiceRequest> {
        let v = require(ctx)?;
        Ok(ServiceRequest::from_view(svc::comment(state(ctx), &v, parse_id(&id)?, note(&body, "body")?, internal).await?, lang(ctx)))
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

/// A caseworker's or family's note on a request, parsed once here (`VALIDATION` on `field`).
fn note(raw: &str, field: &str) -> AppResult<svc::Note> {
    svc::Note::parse(raw).on(field)
}
