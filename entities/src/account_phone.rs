//! The mobile number a family signs in with: a keyed hash to find the account, a sealed copy to
//! show it masked; never the number in clear.
use sea_orm::entity::prelude::*;

/// An account's phone number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_phones")]
pub struct Model {
    /// Account (one number per account).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Keyed hash (`PII_HASH_KEY`) of the E.164 number.
    #[sea_orm(unique)]
    pub phone_hash: String,
    /// Key id of `phone_sealed`.
    pub phone_kid: String,
    /// The E.164 number, sealed with `PII_KEYS`.
    pub phone_sealed: String,
    /// When it was bound.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
