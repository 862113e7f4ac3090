//! A care measure assigned to a department and township for a ledger entry, with a due date;
//! `region_code` is the level now answerable (township, then county, prefecture, province on escalation).
use sea_orm::entity::prelude::*;

/// A measure row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "care_measures")]
pub struct Model {
    /// Measure id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The ledger entry.
    pub entry_id: Uuid,
    /// The child.
    pub child_id: Uuid,
    /// Responsible department.
    pub department_code: String,
    /// Township where it is carried out.
    pub township_code: String,
    /// Level now answerable for it.
    pub region_code: String,
    /// What is to be done.
    pub description: String,
    /// open, done or withdrawn.
    pub status: crate::status::CareStatus,
    /// Due time.
    pub due_at: DateTimeUtc,
    /// How many levels it was escalated.
    pub escalation_level: i32,
    /// Who assigned it.
    pub created_by: Uuid,
    /// When assigned.
    pub created_at: DateTimeUtc,
    /// When done.
    pub completed_at: Option<DateTimeUtc>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
