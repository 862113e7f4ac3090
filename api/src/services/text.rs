//! The one validator of free text on input (names, addresses, comments, notes, reasons): the
//! rule and its words are `domain::text`; this names the field of a refusal (`VALIDATION`).

use domain::text::{Lines, check};

use crate::error::{AppResult, OnField};

/// A required one-line text (a name, an address) of at most `max` characters, trimmed.
pub fn line(raw: &str, field: &str, max: usize) -> AppResult<String> {
    check(raw, max, Lines::One).on(field)
}

/// A required multi-line text (a comment, a description) of at most `max` characters, trimmed.
pub fn paragraph(raw: &str, field: &str, max: usize) -> AppResult<String> {
    check(raw, max, Lines::Many).on(field)
}

/// An optional one-line text: absent or blank is `None`.
pub fn optional_line(raw: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty()).map(|s| line(s, field, max)).transpose()
}

/// An optional multi-line text: absent or blank is `None`.
pub fn optional_paragraph(raw: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    raw.filter(|s| !s.trim().is_empty()).map(|s| paragraph(s, field, max)).transpose()
}
