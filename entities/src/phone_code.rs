//! A sign-in code sent by SMS, stored as a keyed hash bound to its row.
use sea_orm::entity::prelude::*;

/// A phone code row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "phone_codes")]
pub struct Model {
    /// Row id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Keyed hash of the E.164 number it was sent to.
    pub phone_hash: String,
    /// `login` or `bind`.
    pub purpose: String,
    /// Keyed hash of the code and the row id.
    pub code_hash: String,
    /// Wrong tries so far.
    pub attempts: i32,
    /// Expiry.
    pub expires_at: DateTimeUtc,
    /// Set on use: codes are single-use.
    pub used_at: Option<DateTimeUtc>,
    /// When it was sent.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
