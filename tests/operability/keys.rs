//! (filled by the keys work)
