//! Documents follow the child: listed in the export, deleted with the record, and deleted after
//! the retention period of their type once the request they were sent with is closed. Rows go in
//! a transaction; the objects of blobs no row uses any more are removed after it commits.

use chrono::Duration;
use domain::documents::DocumentType;
use entities::{document, document_blob, request, status::RequestStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Query};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{links, model::with_blobs};
use crate::{auth::Viewer, db, error::AppResult, state::AppState};

/// Deletes the blobs among `ids` that no document uses any more; returns their object names.
async fn release(conn: &impl ConnectionTrait, ids: Vec<Uuid>) -> AppResult<Vec<String>> {
    let mut keys = Vec::new();
    for id in ids {
        let Some(b) = document_blob::Entity::find_by_id(id).one(conn).await? else { continue };
        let gone = document_blob::Entity::delete_many()
            .filter(document_blob::Column::Id.eq(id))
            .filter(
                document_blob::Column::Id
                    .not_in_subquery(Query::select().column(document::Column::BlobId).from(document::Entity).to_owned()),
            )
            .exec(conn)
            .await?;
        if gone.rows_affected == 1 {
            keys.push(b.object_key);
        }
    }
    Ok(keys)
}

/// Deletes the child's documents (erasure); returns the object names to remove after commit.
pub async fn erase_child(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Vec<String>> {
    let docs = document::Entity::find().filter(document::Column::ChildId.eq(child_id)).all(conn).await?;
    document::Entity::delete_many().filter(document::Column::ChildId.eq(child_id)).exec(conn).await?;
    release(conn, docs.into_iter().map(|d| d.blob_id).collect()).await
}

/// The scheduled deletion: documents of requests closed longer ago than their type's retention.
/// Returns how many documents were deleted.
pub async fn run_retention(state: &AppState) -> AppResult<usize> {
    let retention = state.config.storage.retention().map_err(crate::error::AppError::internal)?;
    let now = state.clock.now();
    let closed = request::Entity::find()
        .filter(request::Column::Status.is_in([RequestStatus::Granted, RequestStatus::Rejected, RequestStatus::Withdrawn]))
        .filter(
            request::Column::Id.in_subquery(
                Query::select()
                    .column(document::Column::RequestId)
                    .from(document::Entity)
                    .and_where(document::Column::RequestId.is_not_null())
                    .to_owned(),
            ),
        )
        .all(&state.db)
        .await?;
    let mut expired = Vec::new();
    for r in closed {
        let closed_at = r.resolved_at.unwrap_or(r.updated_at);
        for d in document::Entity::find().filter(document::Column::RequestId.eq(r.id)).all(&state.db).await? {
            let days = DocumentType::parse(&d.doc_type)
                .and_then(|t| retention.get(&t).copied())
                .unwrap_or(crate::storage::config::DEFAULT_RETENTION_DAYS);
            if closed_at + Duration::days(days) <= now {
                expired.push(d);
            }
        }
    }
    if expired.is_empty() {
        return Ok(0);
    }
    let txn = db::begin_write(&state.db).await?;
    document::Entity::delete_many().filter(document::Column::Id.is_in(expired.iter().map(|d| d.id))).exec(&txn).await?;
    let keys = release(&txn, expired.iter().map(|d| d.blob_id).collect()).await?;
    txn.commit().await?;
    let removed = state.documents.delete_all(&keys).await;
    tracing::info!(documents = expired.len(), objects = removed, "documents of closed requests deleted after their retention");
    Ok(expired.len())
}

/// The export's list of the child's documents, each with a download link for the guardian.
pub async fn export(state: &AppState, viewer: &Viewer, child_id: Uuid) -> AppResult<Vec<Value>> {
    let docs = document::Entity::find().filter(document::Column::ChildId.eq(child_id)).all(&state.db).await?;
    let mut out = Vec::new();
    for v in with_blobs(&state.db, docs).await? {
        let link = links::link(state, viewer, v.doc.id, None).await?;
        out.push(json!({
            "id": v.doc.id, "type": v.doc.doc_type, "requestId": v.doc.request_id, "contentType": v.kind.mime(),
            "sizeBytes": v.size_bytes, "status": v.doc.status, "reviewNote": v.doc.review_note, "uploadedAt": v.doc.created_at,
            "uploadedBy": v.doc.uploaded_by, "url": link.url, "linkExpiresAt": link.expires_at,
        }));
    }
    Ok(out)
}
