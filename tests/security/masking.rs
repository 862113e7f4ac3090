//! (filled by the masking work)
