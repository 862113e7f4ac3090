//! Texts the policy file gives in both languages, with the `{residence}` / `{hukou}` placeholders
//! split at load time. Why split then: a screening fills in place names for every entitlement, so
//! it should only concatenate, never search the text.

use serde::Serialize;

use crate::language::Lang;

/// A next-step text with `{residence}` / `{hukou}` placeholders, split at load time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Template {
    pub(crate) parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) enum TemplatePart {
    Text(String),
    Residence,
    Hukou,
}

impl Template {
    /// Fills the placeholders with already formatted place names.
    pub fn render(&self, residence: &str, hukou: &str) -> String {
        let len = self.parts.iter().map(|p| if let TemplatePart::Text(t) = p { t.len() } else { residence.len().max(hukou.len()) }).sum();
        let mut s = String::with_capacity(len);
        for p in &self.parts {
            match p {
                TemplatePart::Text(t) => s.push_str(t),
                TemplatePart::Residence => s.push_str(residence),
                TemplatePart::Hukou => s.push_str(hukou),
            }
        }
        s
    }

    /// True when the template has no text at all.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Texts {
    pub zh: Template,
    pub en: Template,
}

impl Texts {
    /// The template for `lang`.
    pub fn get(&self, lang: Lang) -> &Template {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Fixed texts of the policy file, in both languages.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTexts {
    pub in_scope: Texts,
    pub not_in_scope: Texts,
    pub outside_platform: Texts,
    /// Hukou outside Guizhou where the text names 跨省通办.
    pub cross_province: Texts,
    /// Hukou outside Guizhou, coordinated across provinces without a 跨省通办 promise.
    pub cross_province_coordination: Texts,
}
