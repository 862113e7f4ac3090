//! The WeChat identity (mini-program app id and openid) a family signs in with.
use sea_orm::entity::prelude::*;

/// An account's WeChat identity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_wechat")]
pub struct Model {
    /// Account (one WeChat identity per account).
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// Mini-program app id the openid belongs to.
    pub app_id: String,
    /// The user's id within that app.
    pub openid: String,
    /// The user's id across the operator's apps, when WeChat gives it.
    pub unionid: Option<String>,
    /// When it was bound.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
