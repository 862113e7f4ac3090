//! What a condition rests on. Why a leaf: the compiler decides the basis of each condition, the
//! compiled policy lists them, and the engine's trace shows them, so the vocabulary sits below all.

use serde::Serialize;

use crate::language::Lang;

/// What a condition rests on: a verbatim quote of a measure, or a rule of the platform or of the
/// locality, which is never shown as a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleKind {
    /// Verbatim text of a measure.
    MeasureQuote,
    /// What this platform serves (e.g. residence in Guizhou).
    PlatformRule,
    /// A local decision or national rule the measures leave to local implementation.
    LocalRule,
}

/// The basis of one condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleBasis {
    pub kind: RuleKind,
    /// Measure the condition belongs to, e.g. "(三)".
    pub measure: String,
    /// The verbatim quote (`MeasureQuote`) or the rule as stated by the platform.
    pub text: String,
    /// Where a platform or local rule comes from; for a quote, the sources of the numbers it
    /// reads (parameters), if any.
    pub source: Option<String>,
}

impl RuleBasis {
    /// How the trace shows it: a quote in quotation marks, a rule labelled as such.
    pub fn display(&self, lang: Lang) -> String {
        let src = self.source.as_deref().unwrap_or_default();
        match (self.kind, lang) {
            (RuleKind::MeasureQuote, _) => format!("{} “{}”", self.measure, self.text),
            (RuleKind::PlatformRule, Lang::Zh) => format!("平台规则（非措施原文）：{}。依据：{src}", self.text),
            (RuleKind::PlatformRule, Lang::En) => format!("Platform rule (not the measures' text): {}. Basis: {src}", self.text),
            (RuleKind::LocalRule, Lang::Zh) => format!("本地规则（非措施原文）：{}。依据：{src}", self.text),
            (RuleKind::LocalRule, Lang::En) => format!("Local rule (not the measures' text): {}. Basis: {src}", self.text),
        }
    }
}
