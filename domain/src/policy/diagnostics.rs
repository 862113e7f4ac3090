//! How a policy file is refused: every check reports the line it is about, and the file name is
//! attached once at the end. Why apart from the loader: the condition compiler, the coverage check
//! and the central urban lists report failures the same way, and the loader calls all of them.

use std::ops::Range;

/// A policy file that does not validate. Displays as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PolicyError {
    pub file: String,
    /// 1-based line in `file` (0 when the problem is not tied to a line).
    pub line: usize,
    pub message: String,
}

/// A validation failure before the file name is attached.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) line: usize,
    pub(crate) message: String,
}

/// A position waiting for its message.
pub(crate) struct At(usize);

impl At {
    pub(crate) fn msg(self, message: String) -> Fail {
        Fail { line: self.0, message }
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

pub(crate) fn line_err(text: &str, span: Range<usize>) -> At {
    At(line_of(text, span.start))
}
