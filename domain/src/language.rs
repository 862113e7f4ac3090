//! The language of the caller. Why its own module: the policy (department names, next-step
//! texts, clauses), the facts catalog (labels, validation messages) and the engine (traces, plain
//! answers) all speak both languages, so the type sits below all three instead of inside one.

use serde::{Deserialize, Serialize};

/// Language of the caller (`Accept-Language`: zh-CN by default, en).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Picks the language from a tag such as `en-US` or `zh-CN`; anything not English is Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }
}
