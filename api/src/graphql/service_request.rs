//! `ServiceRequest`, a request for one entitlement of one child, as families and staff read it:
//! its status, history and the hand-resolved output type of queue pages.

use std::borrow::Cow;

use async_graphql::{ContextSelectionSet, Enum, ID, Name, OutputType, Positioned, ServerResult, SimpleObject, Value, parser::types::Field};
use chrono::{DateTime, Utc};

use super::{
    context::state,
    plain,
    reference::{Department, Region},
    scalars::Date,
};
use crate::{
    error::Lang,
    services::requests::{self as svc, RequestSummary, RequestView},
};

// The domain's states, one for one: a state missing here does not compile (the two resolved
// states keep their GraphQL names).
/// Where a request stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::lifecycle::request::RequestStatus")]
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
    #[graphql(name = "RESOLVED_GRANTED")]
    Granted,
    /// Rejected.
    #[graphql(name = "RESOLVED_REJECTED")]
    Rejected,
    /// Withdrawn.
    Withdrawn,
}

impl RequestStatus {
    /// The state of a stored name (an unknown name reads as withdrawn).
    pub(super) fn parse(s: &str) -> Self {
        s.parse::<domain::lifecycle::request::RequestStatus>().map_or(Self::Withdrawn, Self::from)
    }

    /// The stored name.
    pub(super) fn code(self) -> &'static str {
        domain::lifecycle::request::RequestStatus::from(self).as_str()
    }
}

/// One step of a request's history.
#[derive(SimpleObject, Clone)]
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

/// A request for one entitlement of one child, as loaded. Resolved by hand (see the
/// `OutputType` impl below): a selected field is computed from the row when it is asked for, so
/// a queue page that shows four fields does not name departments and regions or count working
/// days for twenty requests. [`ServiceRequestFields`] declares the fields for the schema and
/// serves the general case.
pub struct ServiceRequest {
    summary: RequestSummary,
    lang: Lang,
    linked: Vec<ID>,
    history: Vec<RequestEvent>,
}

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
        let r = &self.summary;
        let Some(fields) = plain::fields(ctx) else { return OutputType::resolve(&self.fields(ctx), ctx, field).await };
        let mut out: Vec<(Name, Value)> = Vec::with_capacity(fields.len());
        for (key, f) in fields {
            let sub = ctx.with_field(f);
            let sub = sub.with_selection_set(&f.node.selection_set);
            let v = match f.node.name.node.as_str() {
                "id" => Value::String(r.id.to_string()),
                "kind" => Value::String(r.kind.clone()),
                "entitlementCode" => Value::String(r.entitlement_code.clone()),
                "publicStatus" => Value::String(self.public_status()),
                "childId" => Value::String(r.child_id.to_string()),
                "details" => Value::String(r.details.clone()),
                "eligibilityOutcome" => Value::String(r.eligibility_outcome.clone()),
                "policyVersion" => Value::String(r.policy_version.clone()),
                "overdue" => Value::Boolean(self.overdue(ctx)),
                "crossProvince" => Value::Boolean(r.cross_province),
                "priority" => Value::Number(r.priority.into()),
                "escalationLevel" => Value::Number(r.escalation_level.into()),
                "workingDaysLeft" => Value::Number(self.working_days_left(ctx).into()),
                "status" => OutputType::resolve(&RequestStatus::from(r.status), &sub, f).await?,
                "department" => OutputType::resolve(&Department::named(&r.department_code, self.lang), &sub, f).await?,
                "region" => OutputType::resolve(&self.region(ctx), &sub, f).await?,
                "dueAt" => OutputType::resolve(&r.due_at, &sub, f).await?,
                "firstResponseDueAt" => OutputType::resolve(&r.first_response_due_at, &sub, f).await?,
                "resolutionReason" => OutputType::resolve(&r.resolution_reason, &sub, f).await?,
                "assigneeId" => OutputType::resolve(&r.assignee_id.map(|a| ID(a.to_string())), &sub, f).await?,
                "linkedRequestIds" => OutputType::resolve(&self.linked, &sub, f).await?,
                "history" => OutputType::resolve(&self.history, &sub, f).await?,
                "createdAt" => OutputType::resolve(&r.created_at, &sub, f).await?,
                "childAgedOutOn" => OutputType::resolve(&r.child_aged_out_on.map(Date), &sub, f).await?,
                "__typename" => Value::String("ServiceRequest".into()),
                _ => return OutputType::resolve(&self.fields(ctx), ctx, field).await,
            };
            out.push((key, v));
        }
        Ok(Value::Object(out.into_iter().collect()))
    }
}

impl ServiceRequest {
    pub(super) fn from_view(v: RequestView, lang: Lang) -> Self {
        let mut out = Self::from_summary(v.request.into(), lang);
        out.linked = v.linked.iter().map(|l| ID(l.id.to_string())).collect();
        out.history = v
            .events
            .into_iter()
            .map(|e| RequestEvent {
                id: ID(e.id.to_string()),
                kind: e.kind,
                from_status: e.from_status.map(|s| domain::lifecycle::request::RequestStatus::from(s).into()),
                to_status: e.to_status.map(|s| domain::lifecycle::request::RequestStatus::from(s).into()),
                note: e.note,
                public: e.public,
                actor_id: e.actor_id.map(|a| ID(a.to_string())),
                at: e.created_at,
            })
            .collect();
        out
    }

    /// A list entry: no history or links (those need the request's own page).
    pub(super) fn from_summary(summary: RequestSummary, lang: Lang) -> Self {
        ServiceRequest { summary, lang, linked: Vec::new(), history: Vec::new() }
    }

    fn overdue(&self, ctx: &ContextSelectionSet<'_>) -> bool {
        let r = &self.summary;
        r.status.is_open() && r.paused_at.is_none() && r.due_at < state(ctx).clock.now()
    }

    fn public_status(&self) -> String {
        svc::public_status(self.summary.status).get(self.lang).to_owned()
    }

    fn region(&self, ctx: &ContextSelectionSet<'_>) -> Region {
        Region::of(&state(ctx).reference.divisions(), &self.summary.region_code)
    }

    /// Counted in China's calendar: the deadline day is the UTC instant moved to Beijing time.
    fn working_days_left(&self, ctx: &ContextSelectionSet<'_>) -> i32 {
        let st = state(ctx);
        st.reference.calendar().working_days_left(st.clock.today(), (self.summary.due_at + chrono::Duration::hours(8)).date_naive())
    }

    /// Every field, for the generic path (fragments, directives, `documents`).
    fn fields(&self, ctx: &ContextSelectionSet<'_>) -> ServiceRequestFields {
        let r = self.summary.clone();
        ServiceRequestFields {
            id: ID(r.id.to_string()),
            overdue: self.overdue(ctx),
            public_status: self.public_status(),
            status: r.status.into(),
            kind: r.kind,
            department: Department::named(&r.department_code, self.lang),
            region: self.region(ctx),
            entitlement_code: r.entitlement_code,
            child_id: ID(r.child_id.to_string()),
            working_days_left: self.working_days_left(ctx),
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
            linked_request_ids: self.linked.clone(),
            history: self.history.clone(),
            created_at: r.created_at,
            child_aged_out_on: r.child_aged_out_on.map(Date),
        }
    }
}
