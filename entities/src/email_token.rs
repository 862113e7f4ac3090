//! A one-time token sent by e-mail (address verification, password reset), stored hashed.
use sea_orm::entity::prelude::*;

/// An e-mail token row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_tokens")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Whose token.
    pub account_id: Uuid,
    /// `verify_email` or `reset_password`.
    pub purpose: String,
    /// Hex SHA-256 of the token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Set on use: tokens are single-use.
    pub used_at: Option<DateTimeUtc>,
    /// Issue time.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
