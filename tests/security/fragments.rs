//! (filled by the fragments work)
