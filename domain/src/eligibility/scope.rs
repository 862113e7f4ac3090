//! The migrant-child decision (measure (一)) plus the platform boundary (residence in Guizhou).
//!
//! Why the platform condition is separate from the definition: a child living outside Guizhou
//! may well be a migrant child somewhere else; the platform must say "not served here" rather
//! than "not a migrant child", and every entitlement inherits that answer.

use super::conditions::{Ctx, Eval, evaluate, kleene_and, mask_labels, mask_names};
use super::next_step::Places;
use super::{ConditionTrace, Outcome, ScopeDecision, TraceResult};

/// Scope decision plus what the entitlements need from it.
pub(crate) struct ScopeEval {
    pub(crate) result: TraceResult,
    pub(crate) mask: u32,
    /// Result of the platform condition alone, ANDed into every entitlement.
    pub(crate) platform: Eval,
    /// Trace row of the platform condition, the first row of every entitlement's trace.
    pub(crate) platform_row: ConditionTrace,
    pub(crate) decision: ScopeDecision,
}

pub(crate) fn decide(cx: &Ctx<'_>, places: &Places) -> ScopeEval {
    let rule = &cx.policy.scope;
    let mut reasons = Vec::with_capacity(8);
    let platform = evaluate(&rule.platform, cx, &mut reasons);
    let platform_row =
        reasons.first().cloned().unwrap_or_else(|| super::conditions::row(&rule.platform, String::new(), None, platform.0, 0));
    let cond = evaluate(&rule.condition, cx, &mut reasons);
    let (result, mask) = kleene_and(platform, cond);
    let outcome = Outcome::from(result);
    let outside_platform = platform.0 == TraceResult::Fail;
    let texts = &cx.policy.texts;
    let note = if outside_platform {
        Some(places.render(texts.outside_platform.get(cx.lang)))
    } else {
        match outcome {
            Outcome::Eligible => Some(places.render(texts.in_scope.get(cx.lang))),
            Outcome::NotEligible => Some(places.render(texts.not_in_scope.get(cx.lang))),
            Outcome::NeedsInfo => Some(super::next_step::please_provide(mask_labels(mask, cx.lang), cx.lang)),
        }
    };
    let decision = ScopeDecision {
        outcome,
        reasons,
        outside_platform,
        missing_facts: if outcome == Outcome::NeedsInfo { mask_names(mask) } else { Vec::new() },
        note,
    };
    ScopeEval { result, mask, platform, platform_row, decision }
}
