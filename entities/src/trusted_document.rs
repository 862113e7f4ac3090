//! GraphQL documents registered by administrators, sent by clients as their SHA-256 hash
//! (persisted operations). Kept in the database so every replica knows them.
use sea_orm::entity::prelude::*;

/// A registered document.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "trusted_documents")]
pub struct Model {
    /// Lower-case hex SHA-256 of the document text.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    /// The document text, exactly as hashed.
    pub query: String,
    /// The administrator who registered it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
