//! (filled by the erasure work)
