//! Next steps in the caller's language: where to go and what to bring.
//!
//! Why texts live in the policy file: the documents to bring and the office to visit are part of
//! the local rule and change with it; the engine only fills in the place names and adds the
//! cross-province (跨省通办) sentence when the hukou place is outside Guizhou.

use super::conditions::{Eval, mask_labels};
use super::facts::Facts;
use super::{Lang, Outcome, TraceResult};
use crate::policy::{Entitlement, Policy, Template};
use crate::regions::Divisions;

/// Display names of the residence and hukou places, computed once per screening.
pub(crate) struct Places {
    residence: String,
    hukou: String,
}

impl Places {
    pub(crate) fn new(facts: &Facts, divisions: &Divisions, lang: Lang) -> Places {
        let name = |code: Option<&str>, zh: &str, en: &str| match code {
            Some(c) => divisions.display_name(c),
            None => (if lang == Lang::Zh { zh } else { en }).to_string(),
        };
        Places {
            residence: name(facts.residence_region_code.as_deref(), "居住地", "your place of residence"),
            hukou: name(facts.hukou_region_code.as_deref(), "户籍地", "your hukou place"),
        }
    }

    pub(crate) fn render(&self, t: &Template) -> String {
        t.render(&self.residence, &self.hukou)
    }
}

/// "Please provide …" for a `NEEDS_INFO` answer.
pub(crate) fn please_provide(labels: String, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("请补充以下信息后再次查询：{labels}。"),
        Lang::En => format!("Please provide the following and check again: {labels}."),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn for_entitlement(
    policy: &Policy,
    e: &Entitlement,
    outcome: Outcome,
    mask: u32,
    cross_province: bool,
    platform: Eval,
    places: &Places,
    lang: Lang,
) -> Option<String> {
    match outcome {
        Outcome::Eligible => {
            let mut s = places.render(e.next_step.get(lang));
            if cross_province {
                s.push(' ');
                s.push_str(&places.render(policy.texts.cross_province.get(lang)));
            }
            Some(s)
        }
        Outcome::NeedsInfo => Some(please_provide(mask_labels(mask, lang), lang)),
        Outcome::NotEligible if platform.0 == TraceResult::Fail => Some(places.render(policy.texts.outside_platform.get(lang))),
        Outcome::NotEligible => None,
    }
}
