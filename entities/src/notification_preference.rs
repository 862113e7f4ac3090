//! The order in which an account wants to hear from Tongxin (`wechat,sms,email`); without a row
//! the default order applies.
use sea_orm::entity::prelude::*;

/// An account's channel order.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preferences")]
pub struct Model {
    /// The account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Channels in order, comma-separated; channels not listed are not used.
    pub channel_order: String,
    /// When it was set.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
