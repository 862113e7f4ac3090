//! One line of the staff explanation. Why apart from the outcome values: a line carries the
//! policy's rule kind, so it depends on the policy while the outcome values depend on nothing.

use serde::Serialize;

use super::outcome::TraceResult;
use crate::policy::RuleKind;

/// One line of the explanation: which condition, which fact it read, what it found, and the
/// clause of the policy it applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionTrace {
    /// Stable code, e.g. `months_since_at_least(residenceSince,scope_min_residence_months)`.
    pub condition: String,
    /// What the condition checks, in the caller's language.
    pub description: String,
    /// camelCase API name(s) of the fact(s) read ("scope" for the migrant-child decision).
    pub fact: String,
    /// What was read (and derived, e.g. the age), `None` when unknown.
    pub value: Option<String>,
    pub result: TraceResult,
    /// Measure and verbatim quote, e.g. `(三) “持有居住证”`; a platform or local rule is shown
    /// labelled as such, never in quotation marks.
    pub clause: String,
    /// What the condition rests on: a measure's text, a platform rule or a local rule.
    pub basis: RuleKind,
    /// The verbatim quote (only for `MeasureQuote`).
    pub quote: Option<String>,
    /// The rule in the platform's words (only for platform and local rules).
    pub rule: Option<String>,
    /// Where a rule comes from, or the sources of the numbers a quoted condition reads.
    pub source: Option<String>,
    /// Nesting depth under `any` / `not` / nested `all` (0 = top level).
    pub depth: u32,
}
