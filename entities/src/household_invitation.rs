//! An invitation of a second guardian into a household, sent by e-mail; the token is stored hashed.
use sea_orm::entity::prelude::*;

/// An invitation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household_invitations")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Household invited into.
    pub household_id: Uuid,
    /// Lower-cased address the invitation was sent to; only that account may accept.
    pub email: String,
    /// Hex SHA-256 of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Inviting guardian.
    pub invited_by: Uuid,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Set on acceptance: single use.
    pub accepted_at: Option<DateTimeUtc>,
    /// Accepting account.
    pub accepted_by: Option<Uuid>,
    /// Issue time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
