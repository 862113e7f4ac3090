//! The caseworker's review of a document sent with a request: accepted, or a replacement asked
//! for with a reason the family reads (on the document and in the request's history).

use domain::lifecycle::request::RequestStatus;
use entities::{document, request};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use super::model::{DocumentView, note_event, status, with_blobs};
use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult},
    services::{families, requests, text},
    state::AppState,
};

/// What the caseworker decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The document will do.
    Accept,
    /// Another one is needed; the reason says why.
    RequestReplacement,
}

/// Records a review by staff whose queue holds the document's request.
pub async fn review(state: &AppState, viewer: &Viewer, id: Uuid, decision: Decision, reason: Option<&str>) -> AppResult<DocumentView> {
    let reason = text::optional_paragraph(reason, "reason", 1000)?;
    if decision == Decision::RequestReplacement && reason.is_none() {
        return Err(AppError::validation("reason", "请说明需要重新提交的原因", "say why a replacement is needed"));
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let d = document::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let r = match d.request_id {
        Some(r) => request::Entity::find_by_id(r).one(&txn).await?,
        None => None,
    };
    let r = r.filter(|r| r.erased_at.is_none() && requests::in_scope(viewer, r)).ok_or(AppError::NotFound)?;
    if !families::child_processable(&txn, d.child_id).await? {
        return Err(AppError::NotFound);
    }
    if !RequestStatus::from(r.status).is_open() {
        return Err(AppError::conflict("该申请已办结", "the request is closed"));
    }
    let (to, kind) = match decision {
        Decision::Accept => (status::ACCEPTED, "document_accepted"),
        Decision::RequestReplacement => (status::REPLACEMENT_REQUESTED, "document_replacement_requested"),
    };
    let mut m: document::ActiveModel = d.clone().into();
    m.status = Set(to.into());
    m.review_note = Set(reason.clone());
    m.reviewed_by = Set(Some(viewer.account_id));
    m.reviewed_at = Set(Some(now));
    let updated = m.update(&txn).await?;
    let note = match &reason {
        Some(why) => format!("{}: {why}", d.doc_type),
        None => d.doc_type.clone(),
    };
    note_event(&txn, r.id, viewer.account_id, kind, Some(note), now).await?;
    txn.commit().await?;
    with_blobs(&state.db, vec![updated]).await?.pop().ok_or(AppError::NotFound)
}
