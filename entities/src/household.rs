//! A household: the guardians who share responsibility for the same children.
use sea_orm::entity::prelude::*;

/// A household row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "households")]
pub struct Model {
    /// Household id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Guardian who created it.
    pub created_by: Uuid,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
