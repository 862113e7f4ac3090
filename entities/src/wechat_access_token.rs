//! The WeChat access token of one app, shared by every server process.
use sea_orm::entity::prelude::*;

/// An access-token row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_access_tokens")]
pub struct Model {
    /// Mini-program app id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: String,
    /// Key id of `token_sealed`.
    pub token_kid: Option<String>,
    /// The token, sealed with `PII_KEYS`; none before the first fetch.
    pub token_sealed: Option<String>,
    /// When the token expires.
    pub expires_at: DateTimeUtc,
    /// A process holds the right to fetch a new token until then.
    pub refreshing_until: Option<DateTimeUtc>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
