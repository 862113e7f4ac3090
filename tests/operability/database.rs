//! (filled by the database work)
