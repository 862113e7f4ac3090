//! The answer for a family, apart from the staff trace: one sentence of why with place names (never
//! region codes), what is still needed (saying when any one of several facts is enough), where to
//! go and what to bring.
//!
//! Why separate from the trace: the trace lists every condition with its clause, including nested
//! and negated ones and "UNKNOWN" rows; that is what an auditor needs and what loses a parent. The
//! plain answer states the facts that decided, in positive words, and nothing else.

use serde::Serialize;

use super::conditions::{Ctx, Eval, central_list, central_urban_move, kleene_and, kleene_not, kleene_or, leaf, param};
use super::outcome::Outcome;
use super::outcome::TraceResult::{Fail, Pass, Unknown};
use super::places::Places;
use crate::calendar;
use crate::facts::{FactId, FactValue};
use crate::language::Lang;
use crate::policy::{Cond, Node};

/// Facts of which the family must give all, or (when `any_one`) just one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingGroup {
    /// camelCase input field names.
    pub facts: Vec<String>,
    /// The questions, in the caller's language.
    pub questions: Vec<String>,
    /// Any one of the facts is enough to decide.
    pub any_one: bool,
}

/// A plain answer for the family.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainAnswer {
    /// One sentence: why this answer, with place names.
    pub why: String,
    /// What is still needed (only for "needs information").
    pub missing: Vec<MissingGroup>,
    /// Where to go (when eligible).
    pub where_to_go: Option<String>,
    /// What to bring (when eligible).
    pub bring: Option<String>,
    /// An added step for this family (e.g. school enrolment without a residence permit).
    pub extra_step: Option<String>,
    /// Another route when not eligible.
    pub otherwise: Option<String>,
}

/// What decided a condition, in plain words.
#[derive(Debug, Clone)]
pub(crate) struct Explained {
    pub(crate) eval: Eval,
    /// Statements of the facts that decided (all of them for a pass, the failing one for a fail).
    pub(crate) phrases: Vec<String>,
    /// For an unknown result: what is needed.
    pub(crate) groups: Vec<MissingGroup>,
}

pub(crate) fn group(mask: u32, any_one: bool, lang: Lang) -> MissingGroup {
    let ids: Vec<FactId> = FactId::ALL.into_iter().filter(|f| mask & f.bit() != 0).collect();
    MissingGroup {
        facts: ids.iter().map(|f| f.api_name().to_string()).collect(),
        questions: ids.iter().map(|f| f.label(lang).to_string()).collect(),
        any_one: any_one && ids.len() > 1,
    }
}

/// Explains `root` (a root `all` is transparent, as in the trace).
pub(crate) fn explain(root: &Node, cx: &Ctx<'_>, places: &Places, scope: Option<&Explained>) -> Explained {
    let quiet = Ctx { trace: false, ..*cx };
    walk(root, &quiet, places, scope)
}

fn walk(node: &Node, cx: &Ctx<'_>, places: &Places, scope: Option<&Explained>) -> Explained {
    match &node.cond {
        Cond::All(children) => {
            let parts: Vec<Explained> = children.iter().map(|c| walk(c, cx, places, scope)).collect();
            let eval = parts.iter().fold((Pass, 0), |acc, p| kleene_and(acc, p.eval));
            let phrases = match eval.0 {
                Pass => parts.iter().flat_map(|p| p.phrases.clone()).collect(),
                Fail => parts.iter().find(|p| p.eval.0 == Fail).map(|p| p.phrases.clone()).unwrap_or_default(),
                Unknown => Vec::new(),
            };
            let groups = if eval.0 == Unknown { parts.iter().flat_map(|p| p.groups.clone()).collect() } else { Vec::new() };
            Explained { eval, phrases, groups }
        }
        Cond::Any(children) => {
            let parts: Vec<Explained> = children.iter().map(|c| walk(c, cx, places, scope)).collect();
            let eval = parts.iter().fold((Fail, 0), |acc, p| kleene_or(acc, p.eval));
            let phrases = match eval.0 {
                Pass => parts.iter().find(|p| p.eval.0 == Pass).map(|p| p.phrases.clone()).unwrap_or_default(),
                _ => parts.iter().flat_map(|p| p.phrases.clone()).collect(),
            };
            let groups = if eval.0 == Unknown { vec![group(eval.1, true, cx.lang)] } else { Vec::new() };
            Explained { eval, phrases, groups }
        }
        Cond::Not(child) => {
            let mut e = walk(child, cx, places, scope);
            e.eval = kleene_not(e.eval);
            e
        }
        Cond::InScope => match scope {
            Some(s) => {
                // A pass is said once, in the scope answer; entitlements state only their own facts.
                let phrases = match (s.eval.0, cx.lang) {
                    (Pass, _) => Vec::new(),
                    (Fail, Lang::Zh) => vec![format!("孩子不属于流动儿童（{}）", join(&s.phrases, Lang::Zh))],
                    (Fail, Lang::En) => vec![format!("the child is not a migrant child ({})", join(&s.phrases, Lang::En))],
                    (Unknown, _) => Vec::new(),
                };
                Explained { eval: s.eval, phrases, groups: s.groups.clone() }
            }
            None => Explained { eval: (Unknown, 0), phrases: Vec::new(), groups: Vec::new() },
        },
        _ => {
            let (r, mask, _, _) = leaf(node, cx);
            if r == Unknown {
                let groups = if mask == 0 { Vec::new() } else { vec![group(mask, false, cx.lang)] };
                return Explained { eval: (r, mask), phrases: Vec::new(), groups };
            }
            Explained { eval: (r, mask), phrases: phrase(node, cx, places).into_iter().collect(), groups: Vec::new() }
        }
    }
}

fn years_or_months(n: u32, lang: Lang) -> String {
    match (n.is_multiple_of(12), lang) {
        (true, Lang::Zh) => format!("{}年", n / 12),
        (true, Lang::En) if n == 12 => "one year".to_string(),
        (true, Lang::En) => format!("{} years", n / 12),
        (false, Lang::Zh) => format!("{n}个月"),
        (false, Lang::En) => format!("{n} months"),
    }
}

/// The fact a decided leaf read, stated plainly (place names, no codes, no negated conditions).
fn phrase(node: &Node, cx: &Ctx<'_>, places: &Places) -> Option<String> {
    let zh = cx.lang == Lang::Zh;
    let (r, h) = (places.residence.as_str(), places.hukou.as_str());
    let fill = |s: &str| s.replace("{residence}", r).replace("{hukou}", h);
    let f = cx.facts;
    let age = || f.birth_date.map(|b| calendar::age_on(b, cx.as_of));
    let limit = |p: &usize| param(cx, *p).map(|v| v as u32);
    Some(match &node.cond {
        Cond::InGuizhou(_) => match (cx.divisions.in_guizhou(f.residence_region_code.as_deref()?), zh) {
            (true, true) => format!("居住地{r}在贵州省"),
            (true, false) => format!("{r} is in Guizhou"),
            (false, true) => format!("居住地{r}不在贵州省，本平台只服务住在贵州省的孩子"),
            (false, false) => format!("{r} is outside Guizhou, and this platform serves children living in Guizhou"),
        },
        Cond::FactTrue(id) | Cond::FactFalse(id) => {
            let FactValue::Bool(Some(b)) = f.get(*id) else { return None };
            let (zy, zn, ey, en) = id.plain()?;
            fill(match (b, zh) {
                (true, true) => zy,
                (false, true) => zn,
                (true, false) => ey,
                (false, false) => en,
            })
        }
        Cond::AgeBelow(p) | Cond::AgeAtLeast(p) => {
            let (a, l) = (age()?, limit(p)?);
            match (a < l, zh) {
                (true, true) => format!("孩子现在{a}周岁，未满{l}周岁"),
                (false, true) => format!("孩子现在{a}周岁，已满{l}周岁"),
                (true, false) => format!("the child is {a}, under {l}"),
                (false, false) => format!("the child is {a}, {l} or older"),
            }
        }
        Cond::AgeBetween(lo, hi) => {
            let (a, lo, hi) = (age()?, limit(lo)?, limit(hi)?);
            match (lo <= a && a <= hi, zh) {
                (true, true) => format!("孩子现在{a}周岁，在{lo}到{hi}周岁之间"),
                (false, true) => format!("孩子现在{a}周岁，不在{lo}到{hi}周岁之间"),
                (true, false) => format!("the child is {a}, between {lo} and {hi}"),
                (false, false) => format!("the child is {a}, not between {lo} and {hi}"),
            }
        }
        Cond::MonthsSinceAtLeast(id, p) | Cond::MonthsSinceBelow(id, p) => {
            let FactValue::Date(Some(since)) = f.get(*id) else { return None };
            let n = limit(p)?;
            let long_enough = calendar::months_between(since, cx.as_of) >= n;
            let d = years_or_months(n, cx.lang);
            match (*id == FactId::ResidenceSince, long_enough, zh) {
                (true, true, true) => format!("孩子在{r}已经连续住满{d}"),
                (true, false, true) => format!("孩子在{r}连续住了不满{d}"),
                (true, true, false) => format!("the child has lived in {r} for {d} or more"),
                (true, false, false) => format!("the child has lived in {r} for less than {d}"),
                (false, true, true) => format!("{}至今已满{d}", id.label(Lang::Zh)),
                (false, false, true) => format!("{}至今不满{d}", id.label(Lang::Zh)),
                (false, true, false) => format!("{d} or more since the {}", id.label(Lang::En)),
                (false, false, false) => format!("less than {d} since the {}", id.label(Lang::En)),
            }
        }
        Cond::FactAtMost(id, _) | Cond::FactAtLeast(id, _) => {
            let FactValue::Number(Some(x)) = f.get(*id) else { return None };
            if zh { format!("{}为{x}", id.label(Lang::Zh)) } else { format!("the {} is {x}", id.label(Lang::En)) }
        }
        Cond::DifferentCounty => {
            let (hc, rc) = (f.hukou_region_code.as_deref()?, f.residence_region_code.as_deref()?);
            match (hc != rc, zh) {
                (true, true) => format!("孩子从{h}搬到了{r}，跨了县（市、区）"),
                (false, true) => format!("户籍地和居住地都是{r}，没有跨县（市、区）"),
                (true, false) => format!("the child moved from {h} to {r}, another county"),
                (false, false) => format!("the hukou place and the residence are both {r}, so the child did not move to another county"),
            }
        }
        Cond::NotCentralUrbanMove => {
            let (hc, rc) = (f.hukou_region_code.as_deref()?, f.residence_region_code.as_deref()?);
            let (city, list) = central_list(cx, hc, rc)?;
            let named = list.describe(&city, cx.lang);
            // When the move counts, name the place that is off the list (the hukou place first).
            let off = if list.districts.iter().any(|d| d == hc) { r } else { h };
            match (central_urban_move(cx, hc, rc), zh) {
                (true, true) => format!("{h}和{r}都在{named}里，同一城市中心城区的市辖区之间搬家不算流动"),
                (true, false) => format!("{h} and {r} are both on {named}, and a move between central city districts does not count"),
                (false, true) => format!("{off}不在{named}里"),
                (false, false) => format!("{off} is not on {named}"),
            }
        }
        _ => return None,
    })
}

fn join(phrases: &[String], lang: Lang) -> String {
    match lang {
        Lang::Zh => phrases.join("，"),
        Lang::En => match phrases {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        },
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// "Still needed: …" with any-one groups spelled out.
pub(crate) fn missing_sentence(groups: &[MissingGroup], lang: Lang) -> String {
    let parts: Vec<String> = groups
        .iter()
        .map(|g| match (g.any_one, lang) {
            (true, Lang::Zh) => format!("以下任意一项（有一项就够）：{}", g.questions.join("、")),
            (true, Lang::En) => format!("any one of: {}", g.questions.join(", ")),
            (false, Lang::Zh) => g.questions.join("、"),
            (false, Lang::En) => g.questions.join(", "),
        })
        .collect();
    match lang {
        Lang::Zh => format!("还不能判断，还需要知道：{}。", parts.join("；")),
        Lang::En => format!("We cannot tell yet. Still needed: {}.", parts.join("; ")),
    }
}

/// Merges groups: a fact asked for on its own is not asked again inside an any-one group.
pub(crate) fn tidy(groups: Vec<MissingGroup>) -> Vec<MissingGroup> {
    let mut out: Vec<MissingGroup> = Vec::new();
    for g in groups {
        if out.iter().any(|o| o.facts == g.facts) {
            continue;
        }
        out.push(g);
    }
    let single: Vec<String> = out.iter().filter(|g| !g.any_one).flat_map(|g| g.facts.clone()).collect();
    out.retain(|g| !g.any_one || !g.facts.iter().any(|f| single.contains(f)));
    out
}

/// The why sentence of the migrant-child decision.
pub(crate) fn scope_why(e: &Explained, outcome: Outcome, lang: Lang) -> String {
    match (outcome, lang) {
        (Outcome::Eligible, Lang::Zh) => format!("{}，所以孩子属于流动儿童。", join(&e.phrases, lang)),
        (Outcome::Eligible, Lang::En) => format!("{}, so the child is a migrant child.", capitalized(&join(&e.phrases, lang))),
        (Outcome::NotEligible, Lang::Zh) => format!("因为{}，孩子目前不属于流动儿童。", join(&e.phrases, lang)),
        (Outcome::NotEligible, Lang::En) => format!("The child is not a migrant child at present, because {}.", join(&e.phrases, lang)),
        (Outcome::NeedsInfo, _) => missing_sentence(&e.groups, lang),
    }
}

/// The why sentence of one entitlement (`migrant`: it is for migrant children).
pub(crate) fn entitlement_why(e: &Explained, outcome: Outcome, lang: Lang, migrant: bool) -> String {
    let phrases = join(&e.phrases, lang);
    match (outcome, lang, phrases.is_empty()) {
        (Outcome::Eligible, Lang::Zh, true) if migrant => "孩子属于流动儿童，可以享受这项服务。".to_string(),
        (Outcome::Eligible, Lang::En, true) if migrant => "The child is a migrant child, so the child can get this service.".to_string(),
        (Outcome::Eligible, Lang::Zh, true) => "这项服务面向所有孩子，不需要其他条件。".to_string(),
        (Outcome::Eligible, Lang::En, true) => "This service is open to every child; nothing else is needed.".to_string(),
        (Outcome::Eligible, Lang::Zh, false) => format!("{phrases}，可以享受这项服务。"),
        (Outcome::Eligible, Lang::En, false) => format!("{}, so the child can get this service.", capitalized(&phrases)),
        (Outcome::NotEligible, Lang::Zh, _) => format!("因为{phrases}，目前不能享受这项服务。"),
        (Outcome::NotEligible, Lang::En, _) => format!("Not available at present, because {phrases}."),
        (Outcome::NeedsInfo, _, _) => missing_sentence(&e.groups, lang),
    }
}

/// Splits a rendered next step into where to go and what to bring, at "请携带：" / "Bring:".
pub(crate) fn split_next_step(step: &str) -> (String, Option<String>) {
    for marker in ["请携带：", "Bring: "] {
        if let Some(at) = step.find(marker) {
            let (go, bring) = step.split_at(at);
            let bring = bring[marker.len()..].trim();
            let end = bring.find('。').map(|i| i + '。'.len_utf8()).or_else(|| bring.find(". ").map(|i| i + 1)).unwrap_or(bring.len());
            let (items, rest) = bring.split_at(end);
            let go = format!("{} {}", go.trim(), rest.trim());
            return (go.trim().to_string(), Some(items.trim_end_matches(['。', '.']).to_string()));
        }
    }
    (step.trim().to_string(), None)
}
