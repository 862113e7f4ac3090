//! A follow-up of a care measure: a visit, a note, completion or an escalation by the job.
use sea_orm::entity::prelude::*;

/// A follow-up row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "care_follow_ups")]
pub struct Model {
    /// Follow-up id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The measure.
    pub measure_id: Uuid,
    /// Who recorded it (none for the job).
    pub actor_id: Option<Uuid>,
    /// note, done or escalated.
    pub kind: String,
    /// What happened.
    pub note: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
