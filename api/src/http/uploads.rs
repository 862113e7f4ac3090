//! Uploads: the GraphQL multipart request (`operations`, `map`, then the files) on
//! `POST /graphql`, and the body limits of every request.
//!
//! Why the limits are enforced while the body streams in: a phone on a slow line sending a 50 MB
//! video by mistake must be stopped after the first 10 MB, not buffered whole. The whole request
//! is bounded by `UPLOAD_MAX_REQUEST_BYTES` (counted as bytes arrive, refused at once when
//! `Content-Length` already says too much), each file by `UPLOAD_MAX_FILE_BYTES` (the multipart
//! parser stops at the limit).
//!
//! Why multipart needs `Authorization`: a form POST is a "simple" request that a foreign web page
//! can send from a visitor's browser without a CORS preflight; a bearer token cannot be added to
//! one, so only the app itself can upload.

use std::{
    io,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use async_graphql::http::MultipartOptions;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use futures::{StreamExt, TryStreamExt};

use crate::{error::AppError, state::AppState};

/// Whether the request is a multipart form (an upload).
pub(super) fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

/// The body limit of every request: `UPLOAD_MAX_REQUEST_BYTES` for uploads to `/graphql`
/// (enforced by [`receive`] as the body streams), `BODY_LIMIT_BYTES` for everything else.
pub(super) async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let upload = req.method() == Method::POST && req.uri().path() == "/graphql" && is_multipart(req.headers());
    let limit = if upload { state.config.storage.upload_max_request_bytes } else { state.config.body_limit_bytes };
    if declared_length(req.headers()).is_some_and(|n| n > limit as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    }
    if upload {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    next.run(Request::from_parts(parts, Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// Why an upload was refused before any resolver ran.
pub(super) struct Refusal(pub StatusCode, pub AppError);

fn too_large() -> Refusal {
    Refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        AppError::validation("file", "文件过大，请压缩后重试", "the file is too large; compress it and try again"),
    )
}

/// Reads a multipart GraphQL request, stopping at the first byte over a limit.
pub(super) async fn receive(state: &AppState, headers: &HeaderMap, body: Body) -> Result<async_graphql::Request, Refusal> {
    if !headers.contains_key(header::AUTHORIZATION) {
        let e = AppError::validation(
            "contentType",
            "上传文件须携带登录凭证（Authorization 请求头）",
            "a multipart upload needs an Authorization bearer token; other requests are sent as application/json",
        );
        return Err(Refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE, e));
    }
    let c = &state.config.storage;
    let limit = c.upload_max_request_bytes as u64;
    let over = Arc::new(AtomicBool::new(false));
    let flag = over.clone();
    let mut seen = 0u64;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(io::Error::other)?;
        seen += chunk.len() as u64;
        if seen > limit {
            flag.store(true, Ordering::Relaxed);
            return Err(io::Error::other("request body over UPLOAD_MAX_REQUEST_BYTES"));
        }
        Ok(chunk)
    });
    let opts = MultipartOptions::default().max_file_size(c.upload_max_file_bytes).max_num_files(c.upload_max_files);
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    match async_graphql::http::receive_body(content_type, stream.into_async_read(), opts).await {
        Ok(r) => Ok(r),
        Err(_) if over.load(Ordering::Relaxed) => Err(too_large()),
        Err(async_graphql::ParseRequestError::PayloadTooLarge) => Err(too_large()),
        Err(e) => {
            tracing::debug!(error = %e, "unreadable multipart request");
            Err(Refusal(
                StatusCode::BAD_REQUEST,
                AppError::validation(
                    "body",
                    "上传请求格式错误（应为 GraphQL multipart 请求）",
                    "malformed upload (expected a GraphQL multipart request)",
                ),
            ))
        }
    }
}
