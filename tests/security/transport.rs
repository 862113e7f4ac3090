//! (filled by the transport work)
