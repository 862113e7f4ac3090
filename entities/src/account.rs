//! A person who signs in: guardian, staff of a department or organization, or admin.
use sea_orm::entity::prelude::*;

/// An account row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    /// Account id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased e-mail address, the login name of staff; families signing in with WeChat or a
    /// phone number may have none.
    #[sea_orm(unique)]
    pub email: Option<String>,
    /// Argon2 PHC string; none until a password is set.
    pub password_hash: Option<String>,
    /// Name shown to staff and in e-mails.
    pub display_name: String,
    /// Role code (see the server's `Role`).
    pub role: String,
    /// Department scope of department staff.
    pub department_code: Option<String>,
    /// Region scope of staff (county, prefecture, province or township).
    pub region_code: Option<String>,
    /// Organization of organization staff.
    pub organization_id: Option<Uuid>,
    /// When the e-mail address was confirmed.
    pub email_verified_at: Option<DateTimeUtc>,
    /// When an admin disabled the account.
    pub disabled_at: Option<DateTimeUtc>,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
