//! An administrative division (GB/T 2260 county-level code or a township code).
use sea_orm::entity::prelude::*;

/// A region row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    /// 6-digit (or 9-digit township) code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Official name.
    pub name: String,
    /// province, prefecture, county or township.
    pub level: String,
    /// Parent division; none for provinces.
    pub parent_code: Option<String>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
