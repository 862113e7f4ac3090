//! Documents families send with their requests: the kinds the policy asks for, and the checks a
//! file passes before it is stored — what it really is (by its first bytes, never its name), that
//! its structure holds together, and that a photo no longer says where it was taken.

mod exif;
mod intake;
mod kind;
mod paper;
mod refusal;
mod structure;

pub use exif::strip_gps;
pub use intake::accept;
pub use kind::{FileKind, sniff};
pub use paper::DocumentType;
pub use refusal::FileError;
pub use structure::check;
