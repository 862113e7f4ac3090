//! What a request is as loaded: with its history for one viewer, or as the summary a queue page
//! shows.

use chrono::{DateTime, NaiveDate, Utc};
use domain::lifecycle::request::RequestStatus;
use entities::{request, request_event, status::RequestStatus as Stored};
use uuid::Uuid;

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
    pub status: RequestStatus,
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
pub(super) const SUMMARY_COLUMNS: [request::Column; 20] = [
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
            status: res.try_get_by_index::<Stored>(6)?.into(),
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
            status: r.status.into(),
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
