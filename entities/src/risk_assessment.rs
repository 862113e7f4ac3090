//! One risk assessment of a ledger entry; every assessment is kept.
use sea_orm::entity::prelude::*;

/// An assessment row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_assessments")]
pub struct Model {
    /// Assessment id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The ledger entry.
    pub entry_id: Uuid,
    /// Rubric version used.
    pub rubric_version: String,
    /// Criterion code → level index.
    pub answers: Json,
    /// Total score.
    pub score: i32,
    /// low, medium or high.
    pub level: String,
    /// Assessor's note.
    pub note: Option<String>,
    /// Assessor.
    pub assessed_by: Uuid,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
