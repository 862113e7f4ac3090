//! One version of a child's record: who changed it, when, which fields, and the record as it was
//! (identity numbers masked), so a staff decision can be traced to the data it saw.
use sea_orm::entity::prelude::*;

/// A version row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "child_versions")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Child.
    pub child_id: Uuid,
    /// Version number, from 1.
    pub version: i32,
    /// Acting account.
    pub changed_by: Option<Uuid>,
    /// When.
    pub changed_at: DateTimeUtc,
    /// camelCase names of the fields that changed.
    pub changed_fields: Json,
    /// The record after the change; none once erased.
    pub snapshot: Option<Json>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
