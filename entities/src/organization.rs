//! A social organization (社会组织) that delivers services; public only once civil affairs verified it.
use sea_orm::entity::prelude::*;

/// An organization row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    /// Organization id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Registered name.
    pub name: String,
    /// Unified social credit code (validated, upper case).
    #[sea_orm(unique)]
    pub credit_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Contact e-mail (also the first staff login).
    pub contact_email: String,
    /// Registered address.
    pub address: String,
    /// County of registration; civil affairs of this county (or above) verifies.
    pub county_code: String,
    /// pending, verified or rejected.
    pub status: String,
    /// Why civil affairs rejected it.
    pub rejection_reason: Option<String>,
    /// Reviewing civil-affairs account.
    pub reviewed_by: Option<Uuid>,
    /// Review time.
    pub reviewed_at: Option<DateTimeUtc>,
    /// Registration time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
