//! Documents families send: uploaded to a child's record (kept for reuse) or to a request, checked
//! and cleaned (`domain::documents`), encrypted into the store (`storage`), and stored once per
//! household whatever the number of requests they serve.

use domain::{
    documents::{DocumentType, FileError, FileKind},
    lifecycle::request::RequestStatus,
};
use entities::{document, document_blob, request};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::model::{DocumentView, note_event, status, with_blobs};
use crate::{
    auth::{Role, Viewer},
    constraints, db,
    error::{AppError, AppResult, Msg},
    services::{child_record::guardian_child, consent::child_processable},
    state::AppState,
};

/// One file to keep.
#[derive(Debug)]
pub struct Upload {
    /// The child it is about.
    pub child_id: Uuid,
    /// The request it is sent with; none keeps it on the child's record.
    pub request_id: Option<Uuid>,
    /// What it is.
    pub doc_type: DocumentType,
    /// The content, already bounded by the upload limits.
    pub bytes: Vec<u8>,
    /// The media type the sender claimed for the part.
    pub claimed_type: Option<String>,
}

fn refused(e: FileError) -> AppError {
    let msg = match e {
        FileError::UnsupportedKind => {
            Msg::new("仅接受 JPEG、PNG、HEIC 照片或 PDF 文件", "only JPEG, PNG or HEIC photos and PDF files are accepted")
        }
        FileError::ClaimMismatch { .. } => Msg::new("文件内容与声明的类型不符", "the file's content is not of the type it claims"),
        FileError::Damaged(..) => {
            Msg::new("文件已损坏或不完整，请重新拍摄或导出", "the file is damaged or incomplete; take or export it again")
        }
    };
    AppError::Validation { field: "file".into(), msg }
}

/// A request the guardian may attach documents to: their own lead request, still open.
async fn open_own_request(conn: &impl ConnectionTrait, child_id: Uuid, id: Uuid) -> AppResult<request::Model> {
    let r = request::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|r| r.kind == "lead" && r.child_id == child_id && r.erased_at.is_none())
        .ok_or(AppError::NotFound)?;
    if !RequestStatus::from(r.status).is_open() {
        return Err(AppError::conflict("该申请已办结，不能再添加材料", "the request is closed: no document can be added"));
    }
    Ok(r)
}

/// Checks, cleans, encrypts and keeps a guardian's file. The same content uploaded again by the
/// household reuses the stored object.
pub async fn upload(state: &AppState, viewer: &Viewer, up: Upload) -> AppResult<DocumentView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let child = guardian_child(&state.db, viewer, up.child_id).await?;
    let household = child.household_id.ok_or(AppError::NotFound)?;
    if let Some(r) = up.request_id {
        open_own_request(&state.db, up.child_id, r).await?;
    }
    if !child_processable(&state.db, up.child_id).await? {
        return Err(AppError::conflict("已撤回同意，不能再上传材料", "consent was withdrawn: no document can be uploaded"));
    }
    let (kind, bytes) = domain::documents::accept(up.bytes, up.claimed_type.as_deref()).map_err(refused)?;
    let blob = stored_blob(state, household, kind, &bytes).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    // Checked again inside the transaction: the request may have closed meanwhile.
    if let Some(r) = up.request_id {
        open_own_request(&txn, up.child_id, r).await?;
    }
    let doc = document::Model {
        id: Uuid::now_v7(),
        blob_id: blob.id,
        household_id: household,
        child_id: up.child_id,
        request_id: up.request_id,
        doc_type: up.doc_type.code().into(),
        status: status::SUBMITTED.into(),
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        uploaded_by: viewer.account_id,
        created_at: now,
    };
    document::Entity::insert(document::ActiveModel::from(doc.clone())).exec_without_returning(&txn).await?;
    if let Some(r) = up.request_id {
        note_event(&txn, r, viewer.account_id, "document_added", Some(up.doc_type.code().into()), now).await?;
    }
    txn.commit().await?;
    tracing::info!(document_id = %doc.id, doc_type = %doc.doc_type, size = blob.size_bytes, "document uploaded");
    Ok(DocumentView { doc, kind, size_bytes: blob.size_bytes })
}

/// The household's blob of this content: the existing one, or a new object and row.
async fn stored_blob(state: &AppState, household: Uuid, kind: FileKind, bytes: &[u8]) -> AppResult<document_blob::Model> {
    let hash = state.pii.keyed_hash_bytes(bytes);
    let find = || {
        document_blob::Entity::find()
            .filter(document_blob::Column::HouseholdId.eq(household))
            .filter(document_blob::Column::ContentHash.eq(hash.as_str()))
            .one(&state.db)
    };
    if let Some(b) = find().await? {
        return Ok(b);
    }
    let id = Uuid::now_v7();
    let (object_key, key_id) = state.documents.put(&state.pii, id, bytes).await?;
    let blob = document_blob::Model {
        id,
        household_id: household,
        content_hash: hash.clone(),
        object_key,
        key_id,
        content_type: kind.mime().into(),
        size_bytes: bytes.len() as i64,
        created_at: state.clock.now(),
    };
    match document_blob::Entity::insert(document_blob::ActiveModel::from(blob.clone())).exec_without_returning(&state.db).await {
        Ok(_) => Ok(blob),
        // The same file uploaded twice at once: the other upload's object stays, ours goes.
        Err(e) if constraints::DOCUMENT_CONTENT.broken_by(&e) => {
            state.documents.delete(&blob.object_key).await?;
            find().await?.ok_or(AppError::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

/// Attaches a document kept on the child's record to one of the child's open requests (the
/// stored bytes are shared, not copied).
pub async fn attach(state: &AppState, viewer: &Viewer, document_id: Uuid, request_id: Uuid) -> AppResult<DocumentView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let kept = document::Entity::find_by_id(document_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    guardian_child(&state.db, viewer, kept.child_id).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    open_own_request(&txn, kept.child_id, request_id).await?;
    let doc = document::Model {
        id: Uuid::now_v7(),
        request_id: Some(request_id),
        status: status::SUBMITTED.into(),
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        uploaded_by: viewer.account_id,
        created_at: now,
        ..kept
    };
    document::Entity::insert(document::ActiveModel::from(doc.clone())).exec_without_returning(&txn).await?;
    note_event(&txn, request_id, viewer.account_id, "document_added", Some(doc.doc_type.clone()), now).await?;
    txn.commit().await?;
    with_blobs(&state.db, vec![doc]).await?.pop().ok_or(AppError::NotFound)
}
