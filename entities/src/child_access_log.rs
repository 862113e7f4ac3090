//! One read of a child's sensitive fields by staff: who, in which role, when, which fields, why.
use sea_orm::entity::prelude::*;

/// An access-log row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "child_access_log")]
pub struct Model {
    /// Row id (UUID v7: sorts by time).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Child.
    pub child_id: Uuid,
    /// Staff account.
    pub actor_id: Uuid,
    /// Role at the time.
    pub actor_role: String,
    /// camelCase names of the fields read.
    pub fields: Json,
    /// Purpose code.
    pub purpose: String,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
