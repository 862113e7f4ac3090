//! What a family allowed in `wx.requestSubscribeMessage`: per subscribe-message template, how many
//! messages Tongxin may still send (each one-time "accept" allows one).
use sea_orm::entity::prelude::*;

/// A family's grant of one template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscribe_grants")]
pub struct Model {
    /// The family's account.
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// WeChat template id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub template_id: String,
    /// Messages still allowed; a message takes one with a conditional update.
    pub remaining: i32,
    /// The last result reported: `accept`, `reject` or `ban`.
    pub last_result: String,
    /// When it was last reported or used.
    pub updated_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
