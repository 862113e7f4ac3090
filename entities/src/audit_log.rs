//! Who did what to which object, for accountability.
use sea_orm::entity::prelude::*;

/// An audit row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// Row id (UUID v7, so ids sort by time).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Acting account, none for the system.
    pub actor_id: Option<Uuid>,
    /// What happened, e.g. `account.disabled`.
    pub action: String,
    /// Kind of object.
    pub subject_type: String,
    /// Object id.
    pub subject_id: String,
    /// Non-personal details.
    pub detail: Option<Json>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
