//! One document of a child: kept on the record for reuse, or attached to a request.
use sea_orm::entity::prelude::*;

/// A document row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    /// Row id (UUID v7: sorts by time).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The bytes.
    pub blob_id: Uuid,
    /// Household of the child when uploaded.
    pub household_id: Uuid,
    /// The child.
    pub child_id: Uuid,
    /// The request it was sent with; none for documents kept on the record.
    pub request_id: Option<Uuid>,
    /// `domain::documents::DocumentType` code.
    pub doc_type: String,
    /// `submitted`, `accepted` or `replacement_requested`.
    pub status: String,
    /// Why a replacement was asked for (the family reads it).
    pub review_note: Option<String>,
    /// Staff account of the last review.
    pub reviewed_by: Option<Uuid>,
    /// When reviewed.
    pub reviewed_at: Option<DateTimeUtc>,
    /// Guardian account that uploaded it.
    pub uploaded_by: Uuid,
    /// When uploaded.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
