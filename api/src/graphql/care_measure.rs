//! Care measures of the key-care ledger: one department's promised help for one child, its
//! follow-ups and its escalation.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use domain::lifecycle::care::CareStatus;
use entities::care_measure;

use super::{
    context::{lang, state},
    reference::{Department, Region},
    scalars::Date,
};
use crate::{error::AppResult, services::key_care};

/// A care measure to assign.
#[derive(InputObject)]
pub struct CareMeasureInput {
    /// The child in the ledger.
    pub child_id: ID,
    /// Responsible department code.
    pub department_code: String,
    /// Township where it is carried out (in the child's county).
    pub township_code: String,
    /// What is to be done.
    pub description: String,
    /// Due day.
    pub due_on: Date,
}

// The domain's states, one for one: a state missing here does not compile.
/// Status of a care measure.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::lifecycle::care::CareStatus")]
pub enum CareMeasureStatus {
    /// Assigned, not done.
    Open,
    /// Done.
    Done,
    /// Closed unfinished because the child's record was erased.
    Withdrawn,
}

/// A care measure assigned to a department and township.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CareMeasure {
    /// Measure id.
    pub id: ID,
    /// The child.
    pub child_id: ID,
    /// Responsible department.
    pub department: Department,
    /// Township where it is carried out.
    pub township: Region,
    /// Level now answerable (moves up on escalation).
    pub answerable_region: Region,
    /// What is to be done.
    pub description: String,
    /// Status.
    pub status: CareMeasureStatus,
    /// Due time.
    pub due_at: DateTime<Utc>,
    /// Open and past due.
    pub overdue: bool,
    /// Times escalated.
    pub escalation_level: i32,
    /// Assigned on.
    pub created_at: DateTime<Utc>,
    /// Done on.
    pub completed_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    measure_id: uuid::Uuid,
}

#[ComplexObject]
impl CareMeasure {
    /// Follow-ups, oldest first (escalations by the system have no actor).
    async fn follow_ups(&self, ctx: &Context<'_>) -> AppResult<Vec<CareFollowUp>> {
        Ok(key_care::follow_ups(&state(ctx).db, self.measure_id)
            .await?
            .into_iter()
            .map(|f| CareFollowUp {
                id: ID(f.id.to_string()),
                kind: f.kind,
                note: f.note,
                actor_id: f.actor_id.map(|a| ID(a.to_string())),
                at: f.created_at,
            })
            .collect())
    }
}

impl CareMeasure {
    pub(super) fn build(ctx: &Context<'_>, m: care_measure::Model) -> CareMeasure {
        let st = state(ctx);
        let d = &st.reference.divisions();
        CareMeasure {
            id: ID(m.id.to_string()),
            child_id: ID(m.child_id.to_string()),
            department: Department::named(&m.department_code, lang(ctx)),
            township: Region::of(d, &m.township_code),
            answerable_region: Region::of(d, &m.region_code),
            overdue: key_care::overdue(&m, st.clock.now()),
            description: m.description,
            status: CareStatus::from(m.status).into(),
            due_at: m.due_at,
            escalation_level: m.escalation_level,
            created_at: m.created_at,
            completed_at: m.completed_at,
            measure_id: m.id,
        }
    }
}

/// A follow-up of a care measure.
#[derive(SimpleObject)]
pub struct CareFollowUp {
    /// Id.
    pub id: ID,
    /// `note`, `done` or `escalated`.
    pub kind: String,
    /// What happened.
    pub note: String,
    /// Who recorded it (none for the escalation job).
    pub actor_id: Option<ID>,
    /// When.
    pub at: DateTime<Utc>,
}
