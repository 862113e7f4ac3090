//! A service an organization offers (HSDS `service`), tagged with the entitlement it delivers.
use sea_orm::entity::prelude::*;

/// A service row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "services")]
pub struct Model {
    /// Service id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Providing organization.
    pub organization_id: Uuid,
    /// Where it takes place.
    pub location_id: Uuid,
    /// Name.
    pub name: String,
    /// Description for families.
    pub description: String,
    /// Category code (see the server's `ServiceCategory`).
    pub category: String,
    /// Entitlement of the policy it delivers.
    pub entitlement_code: String,
    /// Youngest age admitted (years, inclusive).
    pub min_age: i32,
    /// Oldest age admitted (years, inclusive).
    pub max_age: i32,
    /// Comma-separated language tags, e.g. `zh,hmn`.
    pub languages: String,
    /// Cost in fen; public-welfare services are free.
    pub cost_cents: i32,
    /// Counselling and mental-health services: bookings visible only to the family and the organization.
    pub confidential: bool,
    /// Bookings can be cancelled until this many hours before a session.
    pub cancel_cutoff_hours: i32,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
