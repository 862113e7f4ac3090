//! What a screening says of one rule or entitlement: the three-valued outcome, the trace of each
//! condition and the plain answer for the family. Shared by the scope decision and every
//! entitlement's result.

use async_graphql::{Enum, SimpleObject};
use domain::eligibility as engine;

/// Three-valued outcome: a rule never guesses.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// All conditions hold.
    Eligible,
    /// A condition fails.
    NotEligible,
    /// A fact the rule needs is unknown; `missingFacts` names it.
    NeedsInfo,
}

impl From<engine::Outcome> for Outcome {
    fn from(o: engine::Outcome) -> Self {
        match o {
            engine::Outcome::Eligible => Outcome::Eligible,
            engine::Outcome::NotEligible => Outcome::NotEligible,
            engine::Outcome::NeedsInfo => Outcome::NeedsInfo,
        }
    }
}

/// Result of one condition.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TraceResult {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Cannot be decided: a fact is missing.
    Unknown,
}

/// What a condition rests on.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RuleBasis {
    /// Verbatim text of a measure (`quote`).
    MeasureQuote,
    /// A rule of this platform (`rule`, `source`), not the measures' text.
    PlatformRule,
    /// A local or national rule the measures leave to implementation (`rule`, `source`).
    LocalRule,
}

impl From<domain::policy::RuleKind> for RuleBasis {
    fn from(k: domain::policy::RuleKind) -> Self {
        match k {
            domain::policy::RuleKind::MeasureQuote => RuleBasis::MeasureQuote,
            domain::policy::RuleKind::PlatformRule => RuleBasis::PlatformRule,
            domain::policy::RuleKind::LocalRule => RuleBasis::LocalRule,
        }
    }
}

/// Facts of which all are needed, or (when `anyOne`) any one is enough.
#[derive(SimpleObject, Clone)]
pub struct MissingGroup {
    /// Input field names.
    pub facts: Vec<String>,
    /// The questions, in the request's language.
    pub questions: Vec<String>,
    /// Any one of these facts is enough to decide.
    pub any_one: bool,
}

/// The answer for the family, apart from the staff trace: place names, never codes.
#[derive(SimpleObject, Clone, Default)]
pub struct PlainAnswer {
    /// One sentence: why this answer (for "not eligible", the condition that failed).
    pub why: String,
    /// What is still needed (only for `NEEDS_INFO`).
    pub missing: Vec<MissingGroup>,
    /// Where to go (when eligible).
    pub where_to_go: Option<String>,
    /// What to bring (when eligible).
    pub bring: Option<String>,
    /// A step for this family in particular (e.g. school enrolment without a residence permit).
    pub extra_step: Option<String>,
    /// Another route when not eligible.
    pub otherwise: Option<String>,
}

impl From<engine::PlainAnswer> for PlainAnswer {
    fn from(p: engine::PlainAnswer) -> Self {
        PlainAnswer {
            why: p.why,
            missing: p.missing.into_iter().map(|g| MissingGroup { facts: g.facts, questions: g.questions, any_one: g.any_one }).collect(),
            where_to_go: p.where_to_go,
            bring: p.bring,
            extra_step: p.extra_step,
            otherwise: p.otherwise,
        }
    }
}

/// One condition as evaluated: what was read, what it was, and the clause it comes from.
#[derive(SimpleObject, Clone)]
pub struct ConditionTrace {
    /// Stable condition code.
    pub condition: String,
    /// The condition in words.
    pub description: String,
    /// The fact(s) read (input field names).
    pub fact: String,
    /// The value read, if known.
    pub value: Option<String>,
    /// Pass, fail or unknown.
    pub result: TraceResult,
    /// Measure and quoted policy text; a platform or local rule is shown labelled as a rule, never
    /// in quotation marks.
    pub clause: String,
    /// What the condition rests on.
    pub basis: RuleBasis,
    /// The verbatim quote (measure text only).
    pub quote: Option<String>,
    /// The platform or local rule in the platform's words.
    pub rule: Option<String>,
    /// Source of a rule, or of the numbers a quoted condition reads.
    pub source: Option<String>,
}

impl From<engine::ConditionTrace> for ConditionTrace {
    fn from(t: engine::ConditionTrace) -> Self {
        ConditionTrace {
            condition: t.condition,
            description: t.description,
            fact: t.fact,
            value: t.value,
            result: match t.result {
                engine::TraceResult::Pass => TraceResult::Pass,
                engine::TraceResult::Fail => TraceResult::Fail,
                engine::TraceResult::Unknown => TraceResult::Unknown,
            },
            clause: t.clause,
            basis: t.basis.into(),
            quote: t.quote,
            rule: t.rule,
            source: t.source,
        }
    }
}
