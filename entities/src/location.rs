//! Where an organization delivers services (童心港湾, 儿童之家, ...).
use sea_orm::entity::prelude::*;

/// A location row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "locations")]
pub struct Model {
    /// Location id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning organization.
    pub organization_id: Uuid,
    /// Name shown to families.
    pub name: String,
    /// Kind code (see the server's `LocationKind`).
    pub kind: String,
    /// Street address.
    pub address: String,
    /// County code.
    pub county_code: String,
    /// Township code, if known.
    pub township_code: Option<String>,
    /// WGS-84 latitude.
    pub latitude: Option<f64>,
    /// WGS-84 longitude.
    pub longitude: Option<f64>,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
