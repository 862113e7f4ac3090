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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCentral {
    #[serde(default)]
    pub quote: String,
    pub default_district_suffix: S<Vec<u32>>,
    #[serde(rename = "override", default)]
    pub overrides: Vec<S<RawOverride>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOverride {
    pub prefecture: S<String>,
    pub districts: Vec<S<String>>,
    #[serde(default)]
    pub note: String,
    pub effective_from: Option<S<Datetime>>,
    pub effective_to: Option<S<Datetime>>,
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
    pub condition: S<RawCondition>,
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
    /// Full clause text replacing `measure “quote”` (for rules that are not a quote).
    pub clause: Option<String>,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
}
