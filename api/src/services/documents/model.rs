//! What the document use cases share: the review states, a document with the facts of its bytes,
//! and the request-history step a document change writes. A leaf of `documents`.

use chrono::{DateTime, Utc};
use domain::documents::FileKind;
use entities::{document, document_blob, request_event};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppResult;

/// Review states of a document (stored lower-case).
pub mod status {
    /// Sent, not yet looked at.
    pub const SUBMITTED: &str = "submitted";
    /// The caseworker accepted it.
    pub const ACCEPTED: &str = "accepted";
    /// The caseworker asked for another one (the reason is in `review_note`).
    pub const REPLACEMENT_REQUESTED: &str = "replacement_requested";
}

/// A document with the facts of its bytes.
#[derive(Debug, Clone)]
pub struct DocumentView {
    /// The row.
    pub doc: document::Model,
    /// Kind found from the content.
    pub kind: FileKind,
    /// Size in bytes.
    pub size_bytes: i64,
}

/// Records a document event in the request's public history (the family's and staff's view).
pub(crate) async fn note_event(
    conn: &impl ConnectionTrait,
    request_id: Uuid,
    actor: Uuid,
    kind: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    request_event::Entity::insert(request_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        request_id: Set(request_id),
        actor_id: Set(Some(actor)),
        kind: Set(kind.to_owned()),
        from_status: Set(None),
        to_status: Set(None),
        note: Set(note),
        public: Set(true),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Rows with their blobs' facts.
pub(crate) async fn with_blobs(conn: &impl ConnectionTrait, docs: Vec<document::Model>) -> AppResult<Vec<DocumentView>> {
    let ids: Vec<Uuid> = docs.iter().map(|d| d.blob_id).collect();
    let blobs = document_blob::Entity::find().filter(document_blob::Column::Id.is_in(ids)).all(conn).await?;
    Ok(docs
        .into_iter()
        .filter_map(|doc| {
            let b = blobs.iter().find(|b| b.id == doc.blob_id)?;
            Some(DocumentView { kind: FileKind::from_mime(&b.content_type)?, size_bytes: b.size_bytes, doc })
        })
        .collect())
}
