//! Download links: short-lived, bound to the viewer who asked for them, and checked again when
//! followed. A link forwarded to someone else shows the document only to... nobody new: the
//! route re-checks the account the link names, and its lifetime is minutes.
//!
//! The token is `viewer.expiry.purpose.signature`, the signature an HMAC (`PII_HASH_KEY`) of the
//! document id and those three; it carries ids and a purpose code, never personal data.

use chrono::{DateTime, Utc};
use entities::{account, child_access_log, document, document_blob};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::access::{self, Grant};
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// A signed link.
#[derive(Debug, Clone)]
pub struct Link {
    /// Absolute URL of the bytes.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The purpose code of a family's own download (never logged: the access log is about staff).
const FAMILY: &str = "family";

fn signature(state: &AppState, doc: Uuid, viewer: Uuid, expires: i64, purpose: &str) -> String {
    state.pii.keyed_hash(&format!("document-link\n{doc}\n{viewer}\n{expires}\n{purpose}"))
}

/// Equal without revealing where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A link for `viewer` to document `id`, after checking they may see it.
pub async fn link(state: &AppState, viewer: &Viewer, id: Uuid, purpose: Option<&str>) -> AppResult<Link> {
    let d = document::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let grant = access::grant(&state.db, viewer, &d, purpose).await?.ok_or(AppError::NotFound)?;
    let purpose = match &grant {
        Grant::Family => FAMILY.to_owned(),
        Grant::Staff(p) => p.clone(),
    };
    let expires_at = state.clock.now() + chrono::Duration::seconds(state.config.storage.document_link_ttl_secs as i64);
    let exp = expires_at.timestamp();
    let sig = signature(state, id, viewer.account_id, exp, &purpose);
    let base = state.config.public_url.trim_end_matches('/');
    Ok(Link { url: format!("{base}/documents/{id}?t={}.{exp}.{purpose}.{sig}", viewer.account_id), expires_at })
}

/// What a followed link serves.
pub struct Download {
    /// Media type.
    pub content_type: &'static str,
    /// File name offered (the document's id and type, never the uploaded name).
    pub file_name: String,
    /// The decrypted bytes.
    pub bytes: Vec<u8>,
}

/// Serves a link: the signature and expiry, then the named account's access again (disabled
/// accounts, withdrawn consents, moved staff all end it), then — for staff — the access-log entry,
/// committed before a byte is read from the store. Any failure is `NOT_FOUND`.
pub async fn follow(state: &AppState, id: Uuid, token: &str) -> AppResult<Download> {
    let mut parts = token.splitn(4, '.');
    let (Some(viewer), Some(exp), Some(purpose), Some(sig)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(AppError::NotFound);
    };
    let viewer_id = Uuid::parse_str(viewer).map_err(|_| AppError::NotFound)?;
    let exp: i64 = exp.parse().map_err(|_| AppError::NotFound)?;
    if !same(sig, &signature(state, id, viewer_id, exp, purpose)) || exp < state.clock.now().timestamp() {
        return Err(AppError::NotFound);
    }
    let acc = account::Entity::find_by_id(viewer_id).one(&state.db).await?.filter(|a| a.disabled_at.is_none()).ok_or(AppError::NotFound)?;
    let role = Role::parse(&acc.role).ok_or(AppError::NotFound)?;
    let viewer = Viewer {
        account_id: acc.id,
        session_id: Uuid::nil(),
        role,
        department_code: acc.department_code,
        region_code: acc.region_code,
        organization_id: acc.organization_id,
    };
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let d = document::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let asked = (purpose != FAMILY).then_some(purpose);
    match access::grant(&txn, &viewer, &d, asked).await?.ok_or(AppError::NotFound)? {
        Grant::Family if purpose == FAMILY => {}
        Grant::Staff(p) if p == purpose => {
            child_access_log::Entity::insert(child_access_log::ActiveModel {
                id: Set(Uuid::now_v7()),
                child_id: Set(d.child_id),
                actor_id: Set(viewer.account_id),
                actor_role: Set(viewer.role.as_str().into()),
                fields: Set(json!([format!("document:{}", d.doc_type)])),
                purpose: Set(p),
                created_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        _ => return Err(AppError::NotFound),
    }
    let blob = document_blob::Entity::find_by_id(d.blob_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    let kind = domain::documents::FileKind::from_mime(&blob.content_type).ok_or(AppError::NotFound)?;
    let bytes = state.documents.get(&state.pii, blob.id, &blob.object_key, &blob.key_id).await?;
    if viewer.role.is_staff() {
        tracing::info!(document_id = %id, actor = %viewer.account_id, "staff downloaded a document");
    }
    Ok(Download { content_type: kind.mime(), file_name: format!("{}-{id}.{}", d.doc_type, kind.extension()), bytes })
}
