//! One division and its level, as the file lists them. Why a leaf: the index and the whole-file
//! check both read rows, and the check runs inside the index's constructor.

use serde::Serialize;

/// Province code of Guizhou: the platform serves residence places inside it only.
pub const GUIZHOU: &str = "520000";

/// Level of a division in the hierarchy province ⊃ prefecture ⊃ county ⊃ township.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Province,
    Prefecture,
    County,
    Township,
}

impl Level {
    pub(super) fn parse(s: &str) -> Option<Level> {
        match s {
            "province" => Some(Level::Province),
            "prefecture" => Some(Level::Prefecture),
            "county" => Some(Level::County),
            "township" => Some(Level::Township),
            _ => None,
        }
    }

    /// The name used in the file (`county`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Township => "township",
        }
    }
}

/// One row of `divisions.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Division {
    /// 6-digit code (9 digits for townships).
    pub code: String,
    /// Official Chinese name.
    pub name: String,
    pub level: Level,
    /// `None` for provinces.
    pub parent_code: Option<String>,
}

/// A malformed `divisions.csv` line (1-based line number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DivisionsError {
    pub line: usize,
    pub message: String,
}
