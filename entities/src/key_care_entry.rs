//! An entry of the key-care ledger (重点关爱服务对象台账), measure (二). `version` grows with every
//! change; writers state the version they read, so concurrent edits conflict instead of overwriting.
use sea_orm::entity::prelude::*;

/// A ledger entry.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "key_care_entries")]
pub struct Model {
    /// Entry id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The child (one entry per child).
    pub child_id: Uuid,
    /// County of residence.
    pub county_code: String,
    /// Township of residence.
    pub township_code: Option<String>,
    /// Reason codes (JSON array).
    pub reasons: Json,
    /// Whether the child was a migrant child in scope when added.
    pub in_scope: bool,
    /// low, medium or high after the latest assessment.
    pub risk_level: Option<String>,
    /// Score of the latest assessment.
    pub risk_score: Option<i32>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// Who added the child.
    pub added_by: Uuid,
    /// When added.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
