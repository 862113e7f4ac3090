//! The migrant-child decision (measure (一)) plus the platform boundary (residence in Guizhou).
//!
//! Why the platform condition is separate from the definition: a child living outside Guizhou
//! may well be a migrant child somewhere else; the platform must say "not served here" rather
//! than "not a migrant child", and every entitlement inherits that answer.

use super::conditions::{Ctx, Eval, central_list, evaluate, kleene_and, mask_names};
use super::decision::{CentralListUsed, ScopeDecision};
use super::outcome::{Outcome, TraceResult};
use super::places::Places;
use super::plain::{self, Explained, PlainAnswer};
use super::trace::ConditionTrace;

/// Scope decision plus what the entitlements need from it.
pub(crate) struct ScopeEval {
    pub(crate) result: TraceResult,
    pub(crate) mask: u32,
    /// Result of the platform condition alone, ANDed into every entitlement.
    pub(crate) platform: Eval,
    /// Trace row of the platform condition, the first row of every entitlement's trace (only
    /// when traces are built).
    pub(crate) platform_row: Option<ConditionTrace>,
    pub(crate) decision: ScopeDecision,
    /// The plain explanation, reused by entitlements that require the scope.
    pub(crate) explained: Explained,
}

/// Which explanations a screening needs: the scope's own sentences for the family, and the
/// scope's plain explanation that the entitlements' plain answers reuse. Why optional: the words
/// cost more than the decision, and most queries ask for outcomes only.
#[derive(Clone, Copy)]
pub(crate) struct Explain {
    pub(crate) family: bool,
    pub(crate) entitlements: bool,
}

pub(crate) fn decide(cx: &Ctx<'_>, places: &Places, explain: Explain) -> ScopeEval {
    let rule = &cx.policy.scope;
    let mut reasons = Vec::with_capacity(if cx.trace { 8 } else { 0 });
    let platform = evaluate(&rule.platform, cx, &mut reasons);
    let platform_row = cx.trace.then(|| match reasons.first() {
        Some(r) => r.clone(),
        None => super::conditions::row(&rule.platform, cx.lang, String::new(), None, platform.0, 0),
    });
    let cond = evaluate(&rule.condition, cx, &mut reasons);
    let (result, mask) = kleene_and(platform, cond);
    let outcome = Outcome::from(result);
    let outside_platform = platform.0 == TraceResult::Fail;
    let missing_facts = if outcome == Outcome::NeedsInfo { mask_names(mask) } else { Vec::new() };
    if !explain.family && !explain.entitlements {
        let explained = Explained { eval: (result, mask), phrases: Vec::new(), groups: Vec::new() };
        let decision = ScopeDecision {
            outcome,
            reasons,
            outside_platform,
            missing_facts,
            note: None,
            plain: PlainAnswer::default(),
            central_urban_list: None,
        };
        return ScopeEval { result, mask, platform, platform_row, decision, explained };
    }
    let texts = &cx.policy.texts;
    // The platform condition first: when it fails, that is the reason, whatever else holds.
    let p = plain::explain(&rule.platform, cx, places, None);
    let c = plain::explain(&rule.condition, cx, places, None);
    let explained = match (p.eval.0, c.eval.0) {
        (TraceResult::Fail, _) => p,
        (TraceResult::Pass, _) => Explained { eval: (result, mask), phrases: c.phrases, groups: plain::tidy(c.groups) },
        (TraceResult::Unknown, TraceResult::Fail) => c,
        (TraceResult::Unknown, _) => {
            Explained { eval: (result, mask), phrases: Vec::new(), groups: plain::tidy(p.groups.into_iter().chain(c.groups).collect()) }
        }
    };
    let why =
        if outside_platform { places.render(texts.outside_platform.get(cx.lang)) } else { plain::scope_why(&explained, outcome, cx.lang) };
    // The family sentence: why, then what follows (services here, or the key-care ledger).
    let note = match outcome {
        _ if outside_platform => why.clone(),
        Outcome::Eligible => format!("{why}{}", places.render(texts.in_scope.get(cx.lang))),
        Outcome::NotEligible => format!("{why}{}", places.render(texts.not_in_scope.get(cx.lang))),
        Outcome::NeedsInfo => why.clone(),
    };
    let central = match (cx.facts.hukou_region_code.as_deref(), cx.facts.residence_region_code.as_deref()) {
        (Some(h), Some(r)) => central_list(cx, h, r).map(|(city, l)| CentralListUsed {
            description: l.describe(&city, cx.lang),
            city,
            status: l.status,
            source: l.source.clone(),
            dated: l.dated,
            districts: l.districts.iter().map(|d| cx.divisions.display_name(d)).collect(),
        }),
        _ => None,
    };
    let decision = ScopeDecision {
        outcome,
        reasons,
        outside_platform,
        missing_facts,
        note: Some(note),
        plain: PlainAnswer { why, missing: explained.groups.clone(), ..Default::default() },
        central_urban_list: central,
    };
    ScopeEval { result, mask, platform, platform_row, decision, explained }
}
