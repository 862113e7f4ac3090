//! The one validator of free text on input (names, addresses, comments, notes, reasons): the
//! rule is `domain::text`; this turns its refusal into `VALIDATION` naming the field, in zh and en.

use domain::text::{Lines, TextError, check};

use crate::error::{AppError, AppResult, Msg};

fn refuse(field: &str, e: TextError) -> AppError {
    let msg = match e {
        TextError::Length { max } => Msg::owned(format!("须为 1–{max} 个字符"), format!("must have 1 to {max} characters")),
        TextError::Control => Msg::owned(
            "不能包含控制字符或文字方向控制符（如 U+202E）".to_owned(),
            "must not contain control characters or text-direction controls (such as U+202E)".to_owned(),
        ),
    };
    AppError::Validation { field: field.to_owned(), msg }
}

/// A required one-line text (a name, an address) of at most `max` characters, trimmed.
pub fn line(raw: &str, field: &str, max: usize) -> AppResult<String> {
    check(raw, max, Lines::One).map_err(|e| refuse(field, e))
}

/// A required multi-line text (a comment, a description) of at most `max` characters, trimmed.
pub fn paragraph(raw: &str, field: &str, max: usize) -> AppResult<String> {
    check(raw, max, Lines::Many).map_err(|e| refuse(field, e))
}

/// An optional one-line text: absent or blank is `None`.
pub fn optional_line(raw: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty()).map(|s| line(s, field, max)).transpose()
}

/// An optional multi-line text: absent or blank is `None`.
pub fn optional_paragraph(raw: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty()).map(|s| paragraph(s, field, max)).transpose()
}
