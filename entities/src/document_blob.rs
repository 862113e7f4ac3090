//! The stored bytes of one distinct file of a household: encrypted, under a random object name.
use sea_orm::entity::prelude::*;

/// A blob row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "document_blobs")]
pub struct Model {
    /// Row id; also the associated data of the encryption.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The household that owns the content.
    pub household_id: Uuid,
    /// Keyed hash (HMAC-SHA256, `PII_HASH_KEY`) of the content: equal files, equal hashes.
    pub content_hash: String,
    /// Random object name in the store.
    pub object_key: String,
    /// PII key that encrypted the object.
    pub key_id: String,
    /// Media type found from the content.
    pub content_type: String,
    /// Size of the content in bytes (before encryption).
    pub size_bytes: i64,
    /// When first stored.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
