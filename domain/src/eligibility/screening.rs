//! The engine's entry points: validate the facts, pick the policy version in force, decide the
//! scope, then every entitlement in policy order.

use chrono::NaiveDate;

use super::conditions::{Ctx, evaluate, kleene_and, mask_names};
use super::decision::{EntitlementResult, ScopeDecision, ScreeningResult};
use super::outcome::{Outcome, TraceResult};
use super::places::Places;
use super::plain::PlainAnswer;
use super::{next_step, scope};
use crate::facts::{FactError, Facts, validate};
use crate::language::Lang;
use crate::policy::{HandlingPlace, PolicySet};
use crate::regions::Divisions;

/// What [`screen_with`] builds besides the outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenOptions {
    /// Build the condition traces (scope reasons and entitlement traces). Most of a screening's
    /// cost is formatting these strings; a caller that does not show them (e.g. a GraphQL query
    /// that does not select `trace`) can turn them off. Outcomes and missing facts are the same.
    pub trace: bool,
    /// Build the plain answers of the entitlements.
    pub plain: bool,
    /// Build the scope's sentences for the family (its `note`, plain answer and central urban
    /// list). Its outcome and missing facts are always decided.
    pub explain_scope: bool,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions { trace: true, plain: true, explain_scope: true }
    }
}

/// Screens a child: validates the facts, picks the policy version in force on `as_of`, decides
/// the scope and evaluates every entitlement in policy order, with full traces.
pub fn screen(
    policies: &PolicySet,
    divisions: &Divisions,
    facts: &Facts,
    as_of: NaiveDate,
    lang: Lang,
) -> Result<ScreeningResult, FactError> {
    screen_with(policies, divisions, facts, as_of, lang, ScreenOptions::default())
}

/// [`screen`] with options (e.g. without traces, for speed). With `trace: false` the `trace`
/// and `reasons` vectors are empty; everything else is identical.
pub fn screen_with(
    policies: &PolicySet,
    divisions: &Divisions,
    facts: &Facts,
    as_of: NaiveDate,
    lang: Lang,
    options: ScreenOptions,
) -> Result<ScreeningResult, FactError> {
    validate(facts, divisions, as_of)?;
    let policy = policies.version_at(as_of).ok_or_else(|| {
        FactError::new("asOf", format!("{as_of} 没有生效的政策版本"), format!("no policy version is in force on {as_of}"))
    })?;
    let places = Places::new(facts, divisions, lang);
    let mut cx = Ctx { facts, divisions, policy, as_of, lang, scope: (TraceResult::Unknown, 0), trace: options.trace };
    let scope = scope::decide(&cx, &places, scope::Explain { family: options.explain_scope, entitlements: options.plain });
    cx.scope = (scope.result, scope.mask);
    let platform = scope.platform;
    let hukou_outside = facts.hukou_region_code.as_deref().is_some_and(|h| !divisions.in_guizhou(h));

    let mut entitlements = Vec::with_capacity(policy.entitlements.len());
    for e in &policy.entitlements {
        let mut trace = Vec::with_capacity(if options.trace { 6 } else { 0 });
        // The platform row is implied by `in_scope`; show it separately only where it matters.
        if let Some(row) = &scope.platform_row
            && (!crate::policy::requires_scope(&e.condition) || platform.0 != TraceResult::Pass)
        {
            trace.push(row.clone());
        }
        let (r, mask) = evaluate(&e.condition, &cx, &mut trace);
        let (result, mask) = kleene_and(platform, (r, mask));
        let outcome = Outcome::from(result);
        let hukou_side = matches!(e.handled_at, HandlingPlace::Hukou | HandlingPlace::ResidenceWithHukou);
        let cross_province = hukou_side && hukou_outside;
        let handled_at = if cross_province { HandlingPlace::ResidenceWithHukou } else { e.handled_at };
        let step = next_step::Step { outcome, mask, cross_province, platform };
        let next_step = next_step::for_entitlement(policy, e, &step, &places, facts, lang);
        let plain = if options.plain { next_step::plain_answer(e, &cx, &scope.explained, &step, &places) } else { PlainAnswer::default() };
        entitlements.push(EntitlementResult {
            code: e.code.clone(),
            name: e.name(lang).to_string(),
            measure: e.measure.clone(),
            outcome,
            departments: e.departments().map(str::to_string).collect(),
            handled_at,
            cross_province,
            trans_provincial_service: cross_province && e.cross_province_service,
            trace,
            missing_facts: if outcome == Outcome::NeedsInfo { mask_names(mask) } else { Vec::new() },
            next_step,
            requestable: e.requestable,
            bookable: e.bookable,
            plain,
        });
    }
    Ok(ScreeningResult { policy_version: policy.version.clone(), as_of, scope: scope.decision, entitlements })
}

/// Only the scope decision (cheaper than [`screen`] when entitlements are not needed, e.g. for
/// monitoring lists).
pub fn scope_of(
    policies: &PolicySet,
    divisions: &Divisions,
    facts: &Facts,
    as_of: NaiveDate,
    lang: Lang,
) -> Result<ScopeDecision, FactError> {
    validate(facts, divisions, as_of)?;
    let policy = policies.version_at(as_of).ok_or_else(|| {
        FactError::new("asOf", format!("{as_of} 没有生效的政策版本"), format!("no policy version is in force on {as_of}"))
    })?;
    let places = Places::new(facts, divisions, lang);
    let cx = Ctx { facts, divisions, policy, as_of, lang, scope: (TraceResult::Unknown, 0), trace: true };
    Ok(scope::decide(&cx, &places, scope::Explain { family: true, entitlements: false }).decision)
}
