//! Evaluation of compiled conditions with Kleene three-valued logic, producing the trace.
//!
//! Each leaf is monotone by construction: with its fact(s) known it answers PASS/FAIL, with any
//! of them unknown it answers UNKNOWN (and marks the unknown facts in a bit mask). Combinators
//! only propagate the masks of UNKNOWN children, so `missing_facts` names exactly the facts that
//! could still change the outcome.

use chrono::NaiveDate;

use super::outcome::{Outcome, TraceResult};
use super::trace::ConditionTrace;
use crate::calendar;
use crate::facts::{FactId, FactValue, Facts};
use crate::language::Lang;
use crate::policy::{CentralUrbanList, Cond, Node, Policy, RuleKind};
use crate::regions::Divisions;

use TraceResult::{Fail, Pass, Unknown};

/// Everything a condition may read during one screening.
pub(crate) struct Ctx<'a> {
    pub(crate) facts: &'a Facts,
    pub(crate) divisions: &'a Divisions,
    pub(crate) policy: &'a Policy,
    pub(crate) as_of: NaiveDate,
    pub(crate) lang: Lang,
    /// The scope decision (result, missing mask) for `in_scope`.
    pub(crate) scope: (TraceResult, u32),
    /// Build trace rows (descriptions, values); off when only outcomes are wanted.
    pub(crate) trace: bool,
}

/// A result with the mask of facts whose absence made it UNKNOWN (0 otherwise).
pub(crate) type Eval = (TraceResult, u32);

/// Folds one child's result into the accumulated result of a combinator.
type Combine = fn(Eval, Eval) -> Eval;

pub(crate) fn kleene_and(a: Eval, b: Eval) -> Eval {
    match (a.0, b.0) {
        (Fail, _) | (_, Fail) => (Fail, 0),
        (Unknown, Unknown) => (Unknown, a.1 | b.1),
        (Unknown, Pass) => a,
        (Pass, Unknown) => b,
        (Pass, Pass) => (Pass, 0),
    }
}

pub(crate) fn kleene_or(a: Eval, b: Eval) -> Eval {
    match (a.0, b.0) {
        (Pass, _) | (_, Pass) => (Pass, 0),
        (Unknown, Unknown) => (Unknown, a.1 | b.1),
        (Unknown, Fail) => a,
        (Fail, Unknown) => b,
        (Fail, Fail) => (Fail, 0),
    }
}

pub(crate) fn kleene_not(a: Eval) -> Eval {
    match a.0 {
        Pass => (Fail, 0),
        Fail => (Pass, 0),
        Unknown => a,
    }
}

/// camelCase names of the facts in `mask`, in API order.
pub(crate) fn mask_names(mask: u32) -> Vec<String> {
    FactId::ALL.iter().filter(|f| mask & f.bit() != 0).map(|f| f.api_name().to_string()).collect()
}

/// Labels of the facts in `mask`, joined for a sentence.
pub(crate) fn mask_labels(mask: u32, lang: Lang) -> String {
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    FactId::ALL.iter().filter(|f| mask & f.bit() != 0).map(|f| f.label(lang)).collect::<Vec<_>>().join(sep)
}

pub(crate) fn outcome_code(r: Outcome) -> &'static str {
    match r {
        Outcome::Eligible => "ELIGIBLE",
        Outcome::NotEligible => "NOT_ELIGIBLE",
        Outcome::NeedsInfo => "NEEDS_INFO",
    }
}

/// Evaluates `root`, appending trace rows; a root `all` is transparent (its rows are top level).
pub(crate) fn evaluate(root: &Node, cx: &Ctx<'_>, out: &mut Vec<ConditionTrace>) -> Eval {
    match &root.cond {
        Cond::All(children) => children.iter().fold((Pass, 0), |acc, c| kleene_and(acc, eval(c, cx, 0, out))),
        _ => eval(root, cx, 0, out),
    }
}

/// Builds one trace row.
pub(crate) fn row(node: &Node, lang: Lang, description: String, value: Option<String>, result: TraceResult, depth: u32) -> ConditionTrace {
    let quote = node.basis.kind == RuleKind::MeasureQuote;
    ConditionTrace {
        condition: node.code.clone(),
        description,
        fact: node.facts.clone(),
        value,
        result,
        clause: if lang == Lang::Zh { node.clause_zh.clone() } else { node.clause_en.clone() },
        basis: node.basis.kind,
        quote: quote.then(|| node.basis.text.clone()),
        rule: (!quote).then(|| node.basis.text.clone()),
        source: node.basis.source.clone(),
        depth,
    }
}

fn eval(node: &Node, cx: &Ctx<'_>, depth: u32, out: &mut Vec<ConditionTrace>) -> Eval {
    let (children, combine, init): (&[Node], Combine, Eval) = match &node.cond {
        Cond::All(c) => (c, kleene_and, (Pass, 0)),
        Cond::Any(c) => (c, kleene_or, (Fail, 0)),
        Cond::Not(c) => (std::slice::from_ref(c.as_ref()), |_, b| kleene_not(b), (Pass, 0)),
        _ => {
            let (r, mask, value, description) = leaf(node, cx);
            if cx.trace {
                out.push(row(node, cx.lang, description, value, r, depth));
            }
            return (r, mask);
        }
    };
    let pos = out.len();
    if cx.trace {
        out.push(row(node, cx.lang, label(node, cx.lang).unwrap_or_default(), None, Unknown, depth));
    }
    let res = children.iter().fold(init, |acc, c| combine(acc, eval(c, cx, depth + 1, out)));
    if let Some(r) = out.get_mut(pos).filter(|_| cx.trace) {
        r.result = res.0;
    }
    res
}

/// The description given in the policy file or precomputed at load time.
fn label(node: &Node, lang: Lang) -> Option<String> {
    match lang {
        Lang::Zh => node.label_zh.clone(),
        Lang::En => node.label_en.clone(),
    }
}

pub(crate) fn param(cx: &Ctx<'_>, idx: usize) -> Option<f64> {
    cx.policy.parameters.get(idx).and_then(|p| p.value_at(cx.as_of))
}

fn tv(b: bool) -> TraceResult {
    if b { Pass } else { Fail }
}

fn bool_value(b: bool) -> String {
    (if b { "true" } else { "false" }).to_string()
}

/// (result, missing mask, value, description) of a leaf.
pub(crate) fn leaf(node: &Node, cx: &Ctx<'_>) -> (TraceResult, u32, Option<String>, String) {
    let zh = cx.lang == Lang::Zh;
    let f = cx.facts;
    // Static descriptions come from the node; parameter-dependent ones are formatted here.
    let desc = |make: &dyn Fn() -> (String, String)| {
        if !cx.trace {
            return String::new();
        }
        label(node, cx.lang).unwrap_or_else(|| {
            let (z, e) = make();
            if zh { z } else { e }
        })
    };
    let unknown = |id: FactId, d: String| (Unknown, id.bit(), None, d);
    let missing_param = || (Unknown, 0, None, node.code.clone());
    match &node.cond {
        Cond::Always => (Pass, 0, None, desc(&|| Default::default())),
        Cond::InScope => {
            let (r, mask) = cx.scope;
            (r, if r == Unknown { mask } else { 0 }, cx.trace.then(|| outcome_code(r.into()).to_string()), desc(&|| Default::default()))
        }
        Cond::InGuizhou(id) => {
            let d = desc(&|| Default::default());
            match f.get(*id) {
                FactValue::Region(Some(c)) => (tv(cx.divisions.in_guizhou(c)), 0, cx.trace.then(|| region_value(cx, c)), d),
                _ => unknown(*id, d),
            }
        }
        Cond::FactTrue(id) | Cond::FactFalse(id) => {
            let want = matches!(node.cond, Cond::FactTrue(_));
            let d = desc(&|| Default::default());
            match f.get(*id) {
                FactValue::Bool(Some(b)) => (tv(b == want), 0, cx.trace.then(|| bool_value(b)), d),
                _ => unknown(*id, d),
            }
        }
        Cond::AgeBelow(p) | Cond::AgeAtLeast(p) => {
            let below = matches!(node.cond, Cond::AgeBelow(_));
            let Some(limit) = param(cx, *p) else { return missing_param() };
            let limit = limit as u32;
            let d = desc(&|| {
                if below {
                    (format!("未满{limit}周岁"), format!("under {limit} years old"))
                } else {
                    (format!("已满{limit}周岁"), format!("at least {limit} years old"))
                }
            });
            match f.birth_date {
                Some(b) => {
                    let age = calendar::age_on(b, cx.as_of);
                    (tv((age < limit) == below), 0, cx.trace.then(|| age_value(b, age, zh)), d)
                }
                None => unknown(FactId::BirthDate, d),
            }
        }
        Cond::AgeBetween(lo, hi) => {
            let (Some(lo), Some(hi)) = (param(cx, *lo), param(cx, *hi)) else { return missing_param() };
            let (lo, hi) = (lo as u32, hi as u32);
            let d = desc(&|| (format!("年龄在{lo}至{hi}周岁之间"), format!("aged {lo} to {hi}")));
            match f.birth_date {
                Some(b) => {
                    let age = calendar::age_on(b, cx.as_of);
                    (tv(lo <= age && age <= hi), 0, cx.trace.then(|| age_value(b, age, zh)), d)
                }
                None => unknown(FactId::BirthDate, d),
            }
        }
        Cond::MonthsSinceAtLeast(id, p) | Cond::MonthsSinceBelow(id, p) => {
            let at_least = matches!(node.cond, Cond::MonthsSinceAtLeast(..));
            let Some(n) = param(cx, *p) else { return missing_param() };
            let n = n as u32;
            let d = desc(&|| {
                let (lz, le) = (id.label(Lang::Zh), id.label(Lang::En));
                if at_least {
                    (format!("{lz}至今已满{n}个月"), format!("at least {n} months since the {le}"))
                } else {
                    (format!("{lz}至今不满{n}个月"), format!("fewer than {n} months since the {le}"))
                }
            });
            match f.get(*id) {
                FactValue::Date(Some(since)) => {
                    let m = calendar::months_between(since, cx.as_of);
                    let v = cx.trace.then(|| if zh { format!("{since}（已满{m}个月）") } else { format!("{since} ({m} full months)") });
                    (tv((m >= n) == at_least), 0, v, d)
                }
                _ => unknown(*id, d),
            }
        }
        Cond::FactAtMost(id, p) | Cond::FactAtLeast(id, p) => {
            let at_most = matches!(node.cond, Cond::FactAtMost(..));
            let Some(v) = param(cx, *p) else { return missing_param() };
            let (lz, le) = (id.label(Lang::Zh), id.label(Lang::En));
            let d = desc(&|| {
                if at_most {
                    (format!("{lz}不高于{v}"), format!("{le} at most {v}"))
                } else {
                    (format!("{lz}不低于{v}"), format!("{le} at least {v}"))
                }
            });
            match f.get(*id) {
                FactValue::Number(Some(x)) => {
                    let ok = if at_most { f64::from(x) <= v } else { f64::from(x) >= v };
                    (tv(ok), 0, cx.trace.then(|| x.to_string()), d)
                }
                _ => unknown(*id, d),
            }
        }
        Cond::DifferentCounty | Cond::NotCentralUrbanMove => {
            let different = matches!(node.cond, Cond::DifferentCounty);
            let d = desc(&|| Default::default());
            let (h, r) = (f.hukou_region_code.as_deref(), f.residence_region_code.as_deref());
            let value = cx.trace.then(|| {
                let mut v = format!("{} → {}", h.unwrap_or("?"), r.unwrap_or("?"));
                if let (false, Some(h), Some(r)) = (different, h, r)
                    && let Some((city, list)) = central_list(cx, h, r)
                {
                    v.push_str(if zh { "；依据" } else { "; decided by " });
                    v.push_str(&list.describe(&city, cx.lang));
                }
                v
            });
            let (Some(h), Some(r)) = (h, r) else {
                let mask = if h.is_none() { FactId::HukouRegionCode.bit() } else { 0 }
                    | if r.is_none() { FactId::ResidenceRegionCode.bit() } else { 0 };
                return (Unknown, mask, value, d);
            };
            let ok = if different { h != r } else { !central_urban_move(cx, h, r) };
            (tv(ok), 0, value, d)
        }
        Cond::All(_) | Cond::Any(_) | Cond::Not(_) => (Unknown, 0, None, node.code.clone()),
    }
}

/// The city and its central urban list in force, when both counties are in one city that has a
/// list: the list that decides whether the move is a central-urban move.
pub(crate) fn central_list<'a>(cx: &Ctx<'a>, h: &str, r: &str) -> Option<(String, &'a CentralUrbanList)> {
    let (ph, pr) = (cx.divisions.prefecture_of(h)?, cx.divisions.prefecture_of(r)?);
    if ph.code != pr.code {
        return None;
    }
    let list = cx.policy.central_urban_areas.list_for(&ph.code, cx.as_of)?;
    Some((cx.divisions.display_name(&ph.code), list))
}

/// True when both counties are on one city's central urban list on the as-of date.
pub(crate) fn central_urban_move(cx: &Ctx<'_>, h: &str, r: &str) -> bool {
    central_list(cx, h, r).is_some_and(|(_, l)| l.districts.iter().any(|d| d == h) && l.districts.iter().any(|d| d == r))
}

fn age_value(birth: NaiveDate, age: u32, zh: bool) -> String {
    if zh { format!("{birth}（{age}周岁）") } else { format!("{birth} (age {age})") }
}

fn region_value(cx: &Ctx<'_>, code: &str) -> String {
    format!("{code} {}", cx.divisions.display_name(code))
}
