//! (filled by the takeover work)
