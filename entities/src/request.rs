//! A family's request for one entitlement of one child, in one department's queue.
use sea_orm::entity::prelude::*;

/// A request row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "requests")]
pub struct Model {
    /// Request id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `lead` (the family's request) or `coordination` (task at the hukou place).
    pub kind: String,
    /// Lead request of a coordination task.
    pub parent_id: Option<Uuid>,
    /// The child.
    pub child_id: Uuid,
    /// Guardian who filed it.
    pub guardian_id: Uuid,
    /// Entitlement code.
    pub entitlement_code: String,
    /// Queue department.
    pub department_code: String,
    /// Queue region (county; prefecture or province after escalation).
    pub region_code: String,
    /// Status code.
    pub status: crate::status::RequestStatus,
    /// 0 normal, 1 high (high-risk child).
    pub priority: i32,
    /// What the family wrote.
    pub details: String,
    /// Client's retry key.
    pub idempotency_key: Option<String>,
    /// `child:entitlement` while open (unique), NULL when closed.
    pub open_key: Option<String>,
    /// Policy version of the eligibility result at submission.
    pub policy_version: String,
    /// ELIGIBLE, NOT_ELIGIBLE or NEEDS_INFO at submission.
    pub eligibility_outcome: String,
    /// Trace of that result.
    pub eligibility_trace: Option<Json>,
    /// Handled through cross-province coordination.
    pub cross_province: bool,
    /// Staff member who claimed it.
    pub assignee_id: Option<Uuid>,
    /// First-response deadline.
    pub first_response_due_at: DateTimeUtc,
    /// Resolution deadline (moves forward while paused).
    pub due_at: DateTimeUtc,
    /// First staff action.
    pub first_response_at: Option<DateTimeUtc>,
    /// Clock paused since (waiting for the family).
    pub paused_at: Option<DateTimeUtc>,
    /// Assignee warned of the coming deadline.
    pub warned_at: Option<DateTimeUtc>,
    /// How many levels it was escalated.
    pub escalation_level: i32,
    /// Reason of the decision.
    pub resolution_reason: Option<String>,
    /// Decision time.
    pub resolved_at: Option<DateTimeUtc>,
    /// Submission time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// The day the child turned 16 while this request was open (it stays open, marked).
    pub child_aged_out_on: Option<Date>,
    /// When the child's record was erased: the request then stays only for statistics, out of
    /// every queue and lookup.
    pub erased_at: Option<DateTimeUtc>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
