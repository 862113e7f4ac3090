//! The policy file as written (serde shape). Spans are kept on every value that validation may
//! complain about, so the error can name the line.

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

pub(crate) type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub policy: RawHeader,
    pub texts: RawTexts,
    #[serde(rename = "department", default)]
    pub departments: Vec<S<RawDepartment>>,
    #[serde(rename = "parameter", default)]
    pub parameters: Vec<S<RawParameter>>,
    pub central_urban_area: RawCentral,
    pub scope: RawScope,
    #[serde(rename = "entitlement", default)]
    pub entitlements: Vec<S<RawEntitlement>>,
    #[serde(rename = "measure", default)]
    pub measures: Vec<S<RawMeasure>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub version: S<String>,
    pub title_zh: String,
    pub title_en: String,
    pub effective_from: S<Datetime>,
    pub effective_to: Option<S<Datetime>>,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTexts {
    pub in_scope_zh: S<String>,
    pub in_scope_en: S<String>,
    pub not_in_scope_zh: S<String>,
    pub not_in_scope_en: S<String>,
    pub outside_platform_zh: S<String>,
    pub outside_platform_en: S<String>,
    pub cross_province_zh: S<String>,
    pub cross_province_en: S<String>,
    pub cross_province_coordination_zh: S<String>,
    pub cross_province_coordination_en: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDepartment {
    pub code: S<String>,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParameter {
    pub name: S<String>,
    pub value: S<f64>,
    pub unit: S<String>,
    #[serde(default)]
    pub source: String,
    pub effective_from: Option<S<Datetime>>,
    pub effective_to: Option<S<Datetime>>,
}

/// The clause of the central-urban exclusion; the per-city lists are a separate file
/// ([`super::central`]) because civil affairs confirms them city by city.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCentral {
    pub quote: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScope {
    pub measure: String,
    pub clause: String,
    pub platform: S<RawCondition>,
    pub condition: S<RawCondition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntitlement {
    pub code: S<String>,
    pub name_zh: String,
    pub name_en: String,
    pub measure: S<String>,
    pub clause: S<String>,
    pub lead_department: S<String>,
    #[serde(default)]
    pub coordinating_departments: Vec<S<String>>,
    pub handled_at: S<String>,
    pub requestable: S<bool>,
    pub bookable: bool,
    pub routing: Option<S<RawRouting>>,
    pub next_step_zh: S<String>,
    pub next_step_en: S<String>,
    /// The text names 跨省通办 for this entitlement (only orphan / unsupported-child recognition and
    /// the two disability subsidies in (三)).
    #[serde(default)]
    pub cross_province_service: bool,
    /// Documents a request for it needs (`domain::documents::DocumentType` codes); required
    /// for requestable entitlements.
    #[serde(default)]
    pub documents: Vec<S<String>>,
    /// What else the family can do when the answer is "not eligible" (another route).
    pub otherwise_zh: Option<S<String>>,
    pub otherwise_en: Option<S<String>>,
    /// A step added to the next step when `unless_true` is not known to be true.
    pub extra_step: Option<S<RawExtraStep>>,
    pub condition: S<RawCondition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExtraStep {
    pub unless_true: S<String>,
    pub zh: S<String>,
    pub en: S<String>,
}

/// One of the 13 measures and how the platform serves it (`policyCoverage`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeasure {
    pub code: S<String>,
    pub title: S<String>,
    pub title_en: String,
    /// Departments the text makes responsible (its closing parenthesis, or the bodies it names).
    pub departments: Vec<S<String>>,
    /// Verbatim: the sentence naming them.
    pub responsibility: String,
    #[serde(rename = "duty", default)]
    pub duties: Vec<S<RawDuty>>,
}

/// A duty of a measure that is not an entitlement: served by a platform feature, or outside what
/// an API can do (then `why_*` says why).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDuty {
    pub kind: S<String>,
    /// Verbatim part of the measure's text the duty comes from.
    pub quote: String,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub departments: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRouting {
    pub queue_department: S<String>,
    pub first_response_working_days: S<String>,
    pub resolution_working_days: S<String>,
    pub high_risk_resolution_working_days: S<String>,
    pub warn_share: S<String>,
}

/// `{ kind = "...", fact = "...", param = "...", min = "...", max = "...", of = [...], quote = "..." }`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    pub kind: S<String>,
    pub fact: Option<S<String>>,
    pub param: Option<S<String>>,
    pub min: Option<S<String>>,
    pub max: Option<S<String>>,
    pub of: Option<Vec<S<RawCondition>>>,
    /// Part of the measure's text this condition encodes (verbatim).
    pub quote: Option<String>,
    /// A rule that is not the measure's text: `platform` (what this platform serves) or `local`
    /// (a local decision), stated in `rule` with its `source`. Never combined with `quote`.
    pub rule_kind: Option<S<String>>,
    pub rule: Option<String>,
    pub source: Option<String>,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
}
