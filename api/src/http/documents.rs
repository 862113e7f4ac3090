//! `GET /documents/{id}?t=…`: the bytes behind a signed download link (`documentLink`). Every
//! refusal is the same 404, whether the link expired, was forged, names an account that lost its
//! access, or the document never existed.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::app::Http;
use crate::{error::AppError, services::documents::links};

/// The link's query string.
#[derive(Deserialize)]
pub(super) struct LinkQuery {
    t: Option<String>,
}

pub(super) async fn download(State(h): State<Http>, Path(id): Path<String>, Query(q): Query<LinkQuery>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found").into_response();
    let (Ok(id), Some(token)) = (uuid::Uuid::parse_str(&id), q.t) else { return not_found() };
    match links::follow(&h.state, id, &token).await {
        Ok(d) => {
            let mut out = d.bytes.into_response();
            let headers = out.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(d.content_type));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", d.file_name)) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            out
        }
        Err(AppError::Unavailable { .. }) => (StatusCode::SERVICE_UNAVAILABLE, "document store unavailable").into_response(),
        Err(AppError::Internal(e)) => {
            tracing::error!(error = %crate::error::chain(&*e), "document download failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
        Err(_) => not_found(),
    }
}
