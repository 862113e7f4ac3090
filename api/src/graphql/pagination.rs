//! Relay connections with keyset cursors. Page sizes are clamped here because async-graphql only
//! rejects negative values.

use async_graphql::connection::CursorType;
use base64::Engine;

use crate::error::{AppError, AppResult};

/// Page size when the client gives none.
pub const DEFAULT_PAGE: usize = 20;
/// Largest page served.
pub const MAX_PAGE: usize = 100;

/// The page size to use for `first`.
pub fn clamp(first: Option<i32>) -> AppResult<usize> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(AppError::validation("first", "每页数量不能为负数", "first must not be negative")),
        Some(n) => Ok((n as usize).min(MAX_PAGE)),
    }
}

/// An opaque keyset cursor: the sort key of the last row seen, base64 of a JSON array.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor(pub Vec<serde_json::Value>);

impl CursorType for Cursor {
    type Error = AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bad = || AppError::validation("after", "分页游标无效", "invalid cursor");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        let v: Vec<serde_json::Value> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        Ok(Cursor(v))
    }

    fn encode_cursor(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.0).unwrap_or_default())
    }
}

/// Decodes an optional `after` argument.
pub fn after(after: Option<&str>) -> AppResult<Option<Cursor>> {
    after.map(Cursor::decode_cursor).transpose()
}

impl Cursor {
    /// A cursor on a UUID key.
    pub fn of_uuid(id: uuid::Uuid) -> Self {
        Cursor(vec![serde_json::Value::String(id.to_string())])
    }
}

/// Decodes an `after` cursor made by `Cursor::of_uuid`.
pub fn after_uuid(after_raw: Option<&str>) -> AppResult<Option<uuid::Uuid>> {
    match after(after_raw)? {
        None => Ok(None),
        Some(c) => {
            c.0.first()
                .and_then(|x| x.as_str())
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .map(Some)
                .ok_or_else(|| AppError::validation("after", "分页游标无效", "invalid cursor"))
        }
    }
}
