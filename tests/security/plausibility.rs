//! (filled by the plausibility work)
