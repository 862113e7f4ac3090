//! Why an uploaded file is refused. Why a leaf: the structure check produces these refusals and
//! the intake returns them, so both read the type from here.

use super::kind::FileKind;

/// Why a file is refused; each names what the family can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Not one of the accepted kinds, whatever its name says.
    #[error("not a JPEG, PNG, HEIC or PDF file")]
    UnsupportedKind,
    /// The sender said it was another kind than its content is.
    #[error("the content is {actual:?}, not the claimed {claimed}")]
    ClaimMismatch { claimed: String, actual: FileKind },
    /// The file is cut short or its parts do not fit together.
    #[error("damaged {0:?} file: {1}")]
    Damaged(FileKind, &'static str),
}
