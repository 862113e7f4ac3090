//! (filled by the aliases work)
