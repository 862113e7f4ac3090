//! The three answers and the three condition results. Why a leaf of its own: every part of the
//! engine (conditions, plain answers, next steps, the scope) speaks in these values, and none of
//! them should have to reach the engine's entry point to name them.

use serde::{Deserialize, Serialize};

/// Decision for the child or one entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Eligible,
    NotEligible,
    /// A fact the rule needs is unknown; `missing_facts` names it.
    NeedsInfo,
}

/// Result of one condition in a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TraceResult {
    Pass,
    Fail,
    Unknown,
}

impl From<TraceResult> for Outcome {
    fn from(r: TraceResult) -> Outcome {
        match r {
            TraceResult::Pass => Outcome::Eligible,
            TraceResult::Fail => Outcome::NotEligible,
            TraceResult::Unknown => Outcome::NeedsInfo,
        }
    }
}
