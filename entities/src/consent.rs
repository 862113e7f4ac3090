//! A guardian's consent for one purpose, for one child or (child none) every child of the household.
use sea_orm::entity::prelude::*;

/// A consent row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// The child it covers; none = every child of the household.
    pub child_id: Option<Uuid>,
    /// `basic_services` or `sensitive_data`.
    pub purpose: String,
    /// Version of the consent text the guardian was shown.
    pub text_version: String,
    /// Consenting guardian.
    pub given_by: Uuid,
    /// When given.
    pub given_at: DateTimeUtc,
    /// Who withdrew it.
    pub withdrawn_by: Option<Uuid>,
    /// When withdrawn.
    pub withdrawn_at: Option<DateTimeUtc>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
