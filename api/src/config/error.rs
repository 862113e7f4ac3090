//! The error of a setting, apart from `Config` itself: the providers' own settings
//! (`notify::config`, `storage::config`) report with it, and `Config` holds those settings, so
//! the error must live where both can reach it without importing each other.

/// A setting that is missing or unsafe; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);
