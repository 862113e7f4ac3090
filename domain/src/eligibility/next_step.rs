//! Next steps in the caller's language: where to go and what to bring.
//!
//! Why texts live in the policy file: the documents to bring and the office to visit are part of
//! the local rule and change with it; the engine only fills in the place names and adds the
//! cross-province (跨省通办) sentence when the hukou place is outside Guizhou.

use super::conditions::{Ctx, Eval, mask_labels};
use super::outcome::{Outcome, TraceResult};
use super::places::Places;
use super::plain::{self, Explained, PlainAnswer};
use crate::facts::{FactValue, Facts};
use crate::language::Lang;
use crate::policy::{Entitlement, Policy};

/// "Please provide …" for a `NEEDS_INFO` answer.
pub(crate) fn please_provide(labels: String, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("请补充以下信息后再次查询：{labels}。"),
        Lang::En => format!("Please provide the following and check again: {labels}."),
    }
}

/// What the next step depends on, besides the entitlement.
pub(crate) struct Step {
    pub(crate) outcome: Outcome,
    pub(crate) mask: u32,
    pub(crate) cross_province: bool,
    pub(crate) platform: Eval,
}

/// True when the entitlement's extra step applies: its fact is not known to be true.
fn extra_applies(e: &Entitlement, facts: &Facts) -> bool {
    e.extra_step.as_ref().is_some_and(|x| !matches!(facts.get(x.unless_true), FactValue::Bool(Some(true))))
}

pub(crate) fn for_entitlement(policy: &Policy, e: &Entitlement, step: &Step, places: &Places, facts: &Facts, lang: Lang) -> Option<String> {
    match step.outcome {
        Outcome::Eligible => {
            let mut s = places.render(e.next_step.get(lang));
            if extra_applies(e, facts)
                && let Some(x) = &e.extra_step
            {
                s.push(' ');
                s.push_str(&places.render(x.text.get(lang)));
            }
            if step.cross_province {
                // 跨省通办 only where the text names it; elsewhere coordination without that promise.
                let t = if e.cross_province_service { &policy.texts.cross_province } else { &policy.texts.cross_province_coordination };
                s.push(' ');
                s.push_str(&places.render(t.get(lang)));
            }
            Some(s)
        }
        Outcome::NeedsInfo => Some(please_provide(mask_labels(step.mask, lang), lang)),
        Outcome::NotEligible if step.platform.0 == TraceResult::Fail => Some(places.render(policy.texts.outside_platform.get(lang))),
        Outcome::NotEligible => None,
    }
}

/// The family's answer for one entitlement: why, what is missing, where to go, what to bring.
pub(crate) fn plain_answer(e: &Entitlement, cx: &Ctx<'_>, scope: &Explained, step: &Step, places: &Places) -> PlainAnswer {
    let lang = cx.lang;
    if step.platform.0 == TraceResult::Fail {
        return PlainAnswer { why: places.render(cx.policy.texts.outside_platform.get(lang)), ..Default::default() };
    }
    let mut ex = plain::explain(&e.condition, cx, places, Some(scope));
    if step.platform.0 == TraceResult::Unknown && step.platform.1 != 0 {
        ex.groups.insert(0, plain::group(step.platform.1, false, lang));
    }
    let ex = Explained { groups: plain::tidy(ex.groups), ..ex };
    let why = plain::entitlement_why(&ex, step.outcome, lang, crate::policy::requires_scope(&e.condition));
    match step.outcome {
        Outcome::Eligible => {
            let (go, bring) = plain::split_next_step(&places.render(e.next_step.get(lang)));
            let extra = e.extra_step.as_ref().filter(|_| extra_applies(e, cx.facts)).map(|x| places.render(x.text.get(lang)));
            let go = if step.cross_province {
                let t =
                    if e.cross_province_service { &cx.policy.texts.cross_province } else { &cx.policy.texts.cross_province_coordination };
                let sep = if lang == Lang::Zh { "" } else { " " };
                format!("{go}{sep}{}", places.render(t.get(lang)))
            } else {
                go
            };
            PlainAnswer { why, where_to_go: Some(go), bring, extra_step: extra, ..Default::default() }
        }
        Outcome::NeedsInfo => PlainAnswer { why, missing: ex.groups, ..Default::default() },
        Outcome::NotEligible => {
            PlainAnswer { why, otherwise: e.otherwise.as_ref().map(|t| places.render(t.get(lang))), ..Default::default() }
        }
    }
}
