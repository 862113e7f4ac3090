//! One of the 23 departments that issued the policy.
use sea_orm::entity::prelude::*;

/// A department row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "departments")]
pub struct Model {
    /// Contract code, e.g. `civil_affairs`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Display order (the order of DOMAIN.md §9).
    pub sort_order: i32,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
