//! Request ids: a client's `x-request-id` is kept when it is short and plain, so a support call can
//! quote the id its app logged; anything else is replaced by a generated one before it can reach
//! a log line (an id is written into every line of the request, so it must not carry data).

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

/// The header carrying the id, in requests and responses.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest accepted id (a UUID is 36).
const MAX_LEN: usize = 64;

/// Whether a client's id may be kept: 1–64 letters, digits, `-`, `_` or `.`.
pub fn is_safe(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b.len() <= MAX_LEN && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Drops every unsafe `x-request-id` (and all of them when there are several), so the next layer
/// generates one.
pub async fn sanitize(mut req: Request, next: Next) -> Response {
    let ids: Vec<&HeaderValue> = req.headers().get_all(&HEADER).iter().collect();
    if ids.len() > 1 || ids.first().is_some_and(|v| !is_safe(v)) {
        req.headers_mut().remove(&HEADER);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        for ok in ["abc", "0f6e2b1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b", "app.42_x"] {
            assert!(is_safe(&HeaderValue::from_static(ok)), "{ok}");
        }
        for bad in ["", "a b", "id\"}{", "x;drop", &"a".repeat(65)] {
            assert!(!is_safe(&HeaderValue::from_str(bad).expect("header")), "{bad}");
        }
    }
}
