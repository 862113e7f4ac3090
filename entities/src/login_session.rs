//! One login: the family of refresh tokens it produced and the access tokens that name it.
use sea_orm::entity::prelude::*;

/// A login-session row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_sessions")]
pub struct Model {
    /// Session id, carried as `sid` in access tokens.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owner.
    pub account_id: Uuid,
    /// Login time.
    pub created_at: DateTimeUtc,
    /// When the session ended (logout, reuse detected, account disabled, password reset).
    pub revoked_at: Option<DateTimeUtc>,
    /// Why it ended.
    pub revoked_reason: Option<String>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
