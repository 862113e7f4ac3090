//! Condition kinds the engine understands, and their compilation from the policy file.
//!
//! Why a small closed set of generic kinds: the policy data combines them freely (`all`, `any`,
//! `not`), so a new or changed rule is a data change; only a genuinely new *kind* of fact
//! comparison needs code. Each kind reads named facts and/or named parameters; the compiler
//! resolves those names to indices and rejects anything that refers to nothing.
//!
//! | kind | reads | passes when |
//! |---|---|---|
//! | `always` | – | always (information items) |
//! | `in_scope` | scope decision | the child is a migrant child (measure (一)) |
//! | `in_guizhou` | `fact` (region) | the place is in Guizhou |
//! | `fact_true` / `fact_false` | `fact` (yes/no) | the fact is true / false |
//! | `age_below` / `age_at_least` | birthDate, `param` (years) | age < p / age ≥ p on the as-of date |
//! | `age_between` | birthDate, `min`, `max` (years) | min ≤ age ≤ max (inclusive, whole years) |
//! | `months_since_at_least` | `fact` (date), `param` (months) | at least p calendar months since the date |
//! | `months_since_below` | `fact` (date), `param` (months) | fewer than p calendar months since the date |
//! | `fact_at_most` / `fact_at_least` | `fact` (number), `param` | value ≤ p / value ≥ p |
//! | `different_county` | hukouRegionCode, residenceRegionCode | the two counties differ |
//! | `not_central_urban_move` | hukouRegionCode, residenceRegionCode | not both in one city's central urban area |
//! | `all` / `any` / `not` | `of` | Kleene AND / OR / NOT of the sub-conditions |
//!
//! Every condition states its basis: `quote` (verbatim text of the entitlement's measure), or
//! `rule_kind = "platform" | "local"` with `rule` (the rule in the platform's words) and `source`.
//! A condition with neither cites its entitlement's clause. Rules are never shown as quotes.

use std::collections::HashMap;

use super::diagnostics::{Fail, line_err};
use super::parameter::Parameter;
use super::raw::{RawCondition, S};
use super::rule::{RuleBasis, RuleKind};
use crate::facts::{FactId, FactKind};
use crate::language::Lang;

/// A compiled condition with what the trace needs.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) cond: Cond,
    /// Stable code, e.g. `fact_true(hasResidencePermit)`.
    pub(crate) code: String,
    /// camelCase facts read, comma separated ("" for combinators).
    pub(crate) facts: String,
    /// What the condition rests on.
    pub(crate) basis: RuleBasis,
    /// The basis as the trace shows it, per language (quotes are the same in both).
    pub(crate) clause_zh: String,
    pub(crate) clause_en: String,
    pub(crate) label_zh: Option<String>,
    pub(crate) label_en: Option<String>,
}

/// Parameter references are indices into `Policy::parameters`.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Always,
    InScope,
    InGuizhou(FactId),
    FactTrue(FactId),
    FactFalse(FactId),
    AgeBelow(usize),
    AgeAtLeast(usize),
    AgeBetween(usize, usize),
    MonthsSinceAtLeast(FactId, usize),
    MonthsSinceBelow(FactId, usize),
    FactAtMost(FactId, usize),
    FactAtLeast(FactId, usize),
    DifferentCounty,
    NotCentralUrbanMove,
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
}

/// What a condition may refer to while compiling.
pub(crate) struct CompileCtx<'a> {
    pub(crate) text: &'a str,
    pub(crate) params: &'a HashMap<String, usize>,
    pub(crate) parameters: &'a [Parameter],
    /// Parameters that must hold whole numbers ≥ 0 (ages, months), filled while compiling.
    pub(crate) whole_params: &'a mut Vec<(usize, usize)>,
    pub(crate) allow_in_scope: bool,
    pub(crate) measure: &'a str,
    pub(crate) default_clause: &'a str,
}

impl Node {
    /// The basis of this condition and of every condition under it, in tree order.
    pub(crate) fn bases(&self) -> Vec<&RuleBasis> {
        let mut out = vec![&self.basis];
        match &self.cond {
            Cond::All(c) | Cond::Any(c) => c.iter().for_each(|n| out.extend(n.bases())),
            Cond::Not(n) => out.extend(n.bases()),
            _ => {}
        }
        out
    }
}

pub(crate) fn compile(raw: &S<RawCondition>, cx: &mut CompileCtx<'_>) -> Result<Node, Fail> {
    let r = raw.get_ref();
    let kind = r.kind.get_ref().as_str();
    let text = cx.text;
    let params = cx.params;
    let at = |s: &S<String>| line_err(text, s.span());
    let need = |field: Option<&S<String>>, what: &str| -> Result<S<String>, Fail> {
        field.cloned().ok_or_else(|| line_err(text, raw.span()).msg(format!("condition `{kind}` refers to nothing: it needs `{what}`")))
    };
    let fact = |expect: FactKind| -> Result<FactId, Fail> {
        let f = need(r.fact.as_ref(), "fact")?;
        let id =
            FactId::from_api_name(f.get_ref()).ok_or_else(|| line_err(text, f.span()).msg(format!("unknown fact `{}`", f.get_ref())))?;
        if id.kind() != expect {
            return Err(at(&f).msg(format!("fact `{}` cannot be used by `{kind}` (it is a {:?} fact)", f.get_ref(), id.kind())));
        }
        Ok(id)
    };
    let param = |cx: &mut CompileCtx<'_>, field: Option<&S<String>>, what: &str, whole: bool| -> Result<usize, Fail> {
        let p = need(field, what)?;
        let idx = *params
            .get(p.get_ref())
            .ok_or_else(|| line_err(text, p.span()).msg(format!("condition `{kind}` refers to nothing: no parameter `{}`", p.get_ref())))?;
        if whole {
            cx.whole_params.push((idx, p.span().start));
        }
        Ok(idx)
    };
    let children = |cx: &mut CompileCtx<'_>| -> Result<Vec<Node>, Fail> {
        let of =
            r.of.as_ref()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| line_err(text, raw.span()).msg(format!("condition `{kind}` refers to nothing: `of` is missing or empty")))?;
        of.iter().map(|c| compile(c, cx)).collect()
    };
    let pname = |idx: usize| cx_param_name(params, idx);
    let (cond, code, facts) = match kind {
        "always" => (Cond::Always, "always".to_string(), String::new()),
        "in_scope" => {
            if !cx.allow_in_scope {
                return Err(at(&r.kind).msg("`in_scope` cannot be used inside the scope definition".into()));
            }
            (Cond::InScope, "in_scope".into(), "scope".into())
        }
        "in_guizhou" => {
            let f = fact(FactKind::Region)?;
            (Cond::InGuizhou(f), format!("in_guizhou({})", f.api_name()), f.api_name().into())
        }
        "fact_true" | "fact_false" => {
            let f = fact(FactKind::Bool)?;
            let c = if kind == "fact_true" { Cond::FactTrue(f) } else { Cond::FactFalse(f) };
            (c, format!("{kind}({})", f.api_name()), f.api_name().into())
        }
        "age_below" | "age_at_least" => {
            let p = param(cx, r.param.as_ref(), "param", true)?;
            let c = if kind == "age_below" { Cond::AgeBelow(p) } else { Cond::AgeAtLeast(p) };
            (c, format!("{kind}({})", pname(p)), "birthDate".into())
        }
        "age_between" => {
            let lo = param(cx, r.min.as_ref(), "min", true)?;
            let hi = param(cx, r.max.as_ref(), "max", true)?;
            (Cond::AgeBetween(lo, hi), format!("age_between({},{})", pname(lo), pname(hi)), "birthDate".into())
        }
        "months_since_at_least" | "months_since_below" => {
            let f = fact(FactKind::Date)?;
            let p = param(cx, r.param.as_ref(), "param", true)?;
            let c = if kind == "months_since_below" { Cond::MonthsSinceBelow(f, p) } else { Cond::MonthsSinceAtLeast(f, p) };
            (c, format!("{kind}({},{})", f.api_name(), pname(p)), f.api_name().into())
        }
        "fact_at_most" | "fact_at_least" => {
            let f = fact(FactKind::Number)?;
            let p = param(cx, r.param.as_ref(), "param", false)?;
            let c = if kind == "fact_at_most" { Cond::FactAtMost(f, p) } else { Cond::FactAtLeast(f, p) };
            (c, format!("{kind}({},{})", f.api_name(), pname(p)), f.api_name().into())
        }
        "different_county" | "not_central_urban_move" => {
            let c = if kind == "different_county" { Cond::DifferentCounty } else { Cond::NotCentralUrbanMove };
            (c, kind.to_string(), "hukouRegionCode, residenceRegionCode".into())
        }
        "all" => (Cond::All(children(cx)?), "all".into(), String::new()),
        "any" => (Cond::Any(children(cx)?), "any".into(), String::new()),
        "not" => {
            let mut c = children(cx)?;
            if c.len() != 1 {
                return Err(line_err(text, raw.span()).msg("condition `not` takes exactly one condition in `of`".into()));
            }
            let inner = c.pop().ok_or_else(|| line_err(text, raw.span()).msg("empty `not`".into()))?;
            let code = format!("not({})", inner.code);
            (Cond::Not(Box::new(inner)), code, String::new())
        }
        other => return Err(at(&r.kind).msg(format!("unknown condition kind `{other}`"))),
    };
    let basis = basis(raw, cx, &cond)?;
    let (static_zh, static_en) = static_description(&cond).unzip();
    Ok(Node {
        label_zh: r.label_zh.clone().or(static_zh),
        label_en: r.label_en.clone().or(static_en),
        cond,
        code,
        facts,
        clause_zh: basis.display(Lang::Zh),
        clause_en: basis.display(Lang::En),
        basis,
    })
}

/// The condition's basis: its quote, its labelled rule, or the entitlement's clause. The sources
/// of parameters it reads come along, so an age band's origin is never hidden behind a quote.
fn basis(raw: &S<RawCondition>, cx: &CompileCtx<'_>, cond: &Cond) -> Result<RuleBasis, Fail> {
    let r = raw.get_ref();
    let param_sources = || {
        let idx: Vec<usize> = match cond {
            Cond::AgeBelow(p) | Cond::AgeAtLeast(p) => vec![*p],
            Cond::AgeBetween(a, b) => vec![*a, *b],
            Cond::MonthsSinceAtLeast(_, p) | Cond::MonthsSinceBelow(_, p) | Cond::FactAtMost(_, p) | Cond::FactAtLeast(_, p) => vec![*p],
            _ => Vec::new(),
        };
        let s: Vec<&str> = idx.iter().filter_map(|i| cx.parameters.get(*i)).map(|p| p.source.as_str()).collect();
        (!s.is_empty()).then(|| s.join("；"))
    };
    let measure = cx.measure.to_string();
    match (&r.rule_kind, &r.quote) {
        (Some(k), Some(_)) => {
            Err(line_err(cx.text, k.span()).msg("a condition is either a `quote` or a `rule_kind` rule, not both".into()))
        }
        (Some(k), None) => {
            let kind = match k.get_ref().as_str() {
                "platform" => RuleKind::PlatformRule,
                "local" => RuleKind::LocalRule,
                other => return Err(line_err(cx.text, k.span()).msg(format!("unknown rule_kind `{other}` (platform or local)"))),
            };
            let (Some(text), Some(source)) = (r.rule.clone(), r.source.clone().filter(|s| !s.trim().is_empty())) else {
                return Err(line_err(cx.text, k.span()).msg("a platform or local rule needs `rule` and `source`".into()));
            };
            Ok(RuleBasis { kind, measure, text, source: Some(source) })
        }
        (None, q) => {
            if r.rule.is_some() || r.source.is_some() {
                return Err(line_err(cx.text, raw.span()).msg("`rule` and `source` need `rule_kind`".into()));
            }
            let text = q.clone().unwrap_or_else(|| cx.default_clause.to_string());
            Ok(RuleBasis { kind: RuleKind::MeasureQuote, measure, text, source: param_sources() })
        }
    }
}

/// Descriptions that do not depend on parameter values, computed once at load time so that a
/// screening only clones them.
fn static_description(cond: &Cond) -> Option<(String, String)> {
    let pair = |zh: &str, en: &str| Some((zh.to_string(), en.to_string()));
    match cond {
        Cond::Always => pair("无其他条件", "no further condition"),
        Cond::InScope => pair("属于流动儿童（措施(一)）", "is a migrant child in scope (measure (一))"),
        Cond::InGuizhou(f) => Some((format!("{}在贵州省内", f.label(Lang::Zh)), format!("{} is in Guizhou", f.label(Lang::En)))),
        Cond::FactTrue(f) => Some((format!("{}：是", f.label(Lang::Zh)), format!("{}: yes", f.label(Lang::En)))),
        Cond::FactFalse(f) => Some((format!("{}：否", f.label(Lang::Zh)), format!("{}: no", f.label(Lang::En)))),
        Cond::DifferentCounty => pair("户籍地与居住地不在同一县（市、区）", "hukou county differs from the county of residence"),
        Cond::NotCentralUrbanMove => {
            pair("不属于同一城市中心城区的市辖区之间的流动", "not a move between central-urban districts of one city")
        }
        Cond::All(_) => pair("同时满足以下条件", "all of the following"),
        Cond::Any(_) => pair("满足以下任一条件", "any of the following"),
        Cond::Not(_) => pair("不满足以下条件", "not the following"),
        _ => None,
    }
}

/// True when the condition requires the scope decision at its top level (`in_scope` itself or
/// a direct child of the root `all`): then the platform condition is already part of it.
pub(crate) fn requires_scope(node: &Node) -> bool {
    match &node.cond {
        Cond::InScope => true,
        Cond::All(children) => children.iter().any(|c| matches!(c.cond, Cond::InScope)),
        _ => false,
    }
}

fn cx_param_name(params: &HashMap<String, usize>, idx: usize) -> String {
    params.iter().find(|(_, v)| **v == idx).map(|(k, _)| k.clone()).unwrap_or_default()
}
