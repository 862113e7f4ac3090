//! Documents families send: uploaded to a child's record (kept for reuse) or to a request, checked
//! and cleaned (`domain::documents`), encrypted into the store (`storage`), and stored once per
//! household whatever the number of requests they serve.

pub mod access;
pub mod lifetime;
pub mod links;
pub mod review;
pub mod rotation;

use chrono::{DateTime, Utc};
use domain::documents::{DocumentType, FileError, FileKind};
use entities::{document, document_blob, request, request_event};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult, Msg, is_unique_violation},
    services::{children, families, requests},
    state::AppState,
};

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
    if !requests::status::OPEN.contains(&r.status.as_str()) {
        return Err(AppError::conflict("该申请已办结，不能再添加材料", "the request is closed: no document can be added"));
    }
    Ok(r)
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

/// Checks, cleans, encrypts and keeps a guardian's file. The same content uploaded again by the
/// household reuses the stored object.
pub async fn upload(state: &AppState, viewer: &Viewer, up: Upload) -> AppResult<DocumentView> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    let child = children::guardian_child(&state.db, viewer, up.child_id).await?;
    let household = child.household_id.ok_or(AppError::NotFound)?;
    if let Some(r) = up.request_id {
        open_own_request(&state.db, up.child_id, r).await?;
    }
    if !families::child_processable(&state.db, up.child_id).await? {
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
        Err(e) if is_unique_violation(&e) => {
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
    children::guardian_child(&state.db, viewer, kept.child_id).await?;
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

/// The documents of a child the viewer may see: the family sees them all; staff in scope of one
/// of the child's requests see that request's documents and the ones kept on the record; record
/// staff with a purpose see them all. Others: `NOT_FOUND`.
pub async fn of_child(state: &AppState, viewer: &Viewer, child_id: Uuid, purpose: Option<&str>) -> AppResult<Vec<DocumentView>> {
    let docs =
        document::Entity::find().filter(document::Column::ChildId.eq(child_id)).order_by_asc(document::Column::Id).all(&state.db).await?;
    let mut visible = Vec::new();
    for d in docs {
        if access::grant(&state.db, viewer, &d, purpose).await?.is_some() {
            visible.push(d);
        }
    }
    if visible.is_empty() && !access::may_see_child(&state.db, viewer, child_id, purpose).await? {
        return Err(AppError::NotFound);
    }
    with_blobs(&state.db, visible).await
}

/// The documents sent with a request, for the family or the staff handling it.
pub async fn of_request(state: &AppState, viewer: &Viewer, request_id: Uuid) -> AppResult<Vec<DocumentView>> {
    let docs = document::Entity::find()
        .filter(document::Column::RequestId.eq(request_id))
        .order_by_asc(document::Column::Id)
        .all(&state.db)
        .await?;
    let mut visible = Vec::new();
    for d in docs {
        if access::grant(&state.db, viewer, &d, None).await?.is_some() {
            visible.push(d);
        }
    }
    with_blobs(&state.db, visible).await
}

/// Documents sent with a request after the last thing staff did on it (claim, question, review,
/// comment…): what the queue flags as new.
pub async fn new_since_staff_action(conn: &impl ConnectionTrait, r: &request::Model) -> AppResult<u64> {
    let last = request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(r.id))
        .filter(request_event::Column::ActorId.is_not_null())
        .filter(request_event::Column::ActorId.ne(r.guardian_id))
        .order_by_desc(request_event::Column::CreatedAt)
        .one(conn)
        .await?
        .map(|e| e.created_at);
    let mut q = document::Entity::find().filter(document::Column::RequestId.eq(r.id));
    if let Some(at) = last {
        q = q.filter(document::Column::CreatedAt.gt(at));
    }
    Ok(sea_orm::PaginatorTrait::count(q, conn).await?)
}

/// The papers the request's entitlement needs that are not sent yet (or were sent and must be
/// replaced), in the policy's order.
pub fn missing(state: &AppState, entitlement: &str, sent: &[DocumentView]) -> Vec<DocumentType> {
    let policy = state.reference.policy.version_at(state.clock.today());
    let needed = policy.and_then(|p| p.entitlement(entitlement)).map(|e| e.documents.clone()).unwrap_or_default();
    needed
        .into_iter()
        .filter(|t| !sent.iter().any(|d| d.doc.doc_type == t.code() && d.doc.status != status::REPLACEMENT_REQUESTED))
        .collect()
}
