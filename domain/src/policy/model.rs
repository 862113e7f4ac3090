//! The compiled, validated policy: what the engine and the server read.
//!
//! Why compiled types separate from the TOML shape: the file is written for people (names,
//! quotes, nested conditions); the engine needs resolved indices so that a screening does no
//! parsing or name lookups. Everything here is immutable after [`super::PolicySet::load`].

use chrono::NaiveDate;
use serde::Serialize;

use super::central::CentralUrbanAreas;
use super::condition::Node;
use crate::eligibility::FactId;
use crate::eligibility::Lang;

/// Which place's authorities handle an entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandlingPlace {
    /// The residence place (居住地) handles it alone.
    Residence,
    /// The hukou place (户籍地) handles it.
    Hukou,
    /// The residence place takes the request and coordinates with the hukou place
    /// (跨省通办 when the hukou place is outside Guizhou).
    ResidenceWithHukou,
    /// Nobody has to be visited (information items such as the 12355 hotline).
    None,
}

impl HandlingPlace {
    pub(crate) fn parse(s: &str) -> Option<HandlingPlace> {
        match s {
            "residence" => Some(HandlingPlace::Residence),
            "hukou" => Some(HandlingPlace::Hukou),
            "residence_with_hukou" => Some(HandlingPlace::ResidenceWithHukou),
            "none" => Some(HandlingPlace::None),
            _ => None,
        }
    }
}

/// One of the 23 issuing bodies (DOMAIN.md §9); the code is part of the API contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Department {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl Department {
    /// Name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// A parameter value in force from `from` to `to` (both inclusive; `to = None`: open-ended).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatedValue {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub value: f64,
}

impl DatedValue {
    /// True when this value is in force on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|t| date <= t)
    }
}

/// A number the policy leaves to local rules (age band, deadline, …) with its history, so a
/// decision made on any day can be reproduced with the value in force that day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub name: String,
    /// "years", "months", "working_days", "grade", "share".
    pub unit: String,
    /// Where the number comes from (a quote, or the local rule / default chosen).
    pub source: String,
    /// Non-overlapping, sorted by `from`, covering the policy's whole effective range.
    pub values: Vec<DatedValue>,
}

impl Parameter {
    /// Value in force on `date`.
    pub fn value_at(&self, date: NaiveDate) -> Option<f64> {
        self.values.iter().find(|v| v.covers(date)).map(|v| v.value)
    }
}

/// Where a request for an entitlement goes and how fast it must be answered, on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Routing {
    /// Department whose queue (in the county of the handling place) receives the request.
    pub queue_department: String,
    pub first_response_working_days: u32,
    pub resolution_working_days: u32,
    /// Shorter resolution deadline for children assessed as high risk.
    pub high_risk_resolution_working_days: u32,
    /// Share of the deadline after which the assignee is warned (e.g. 0.75).
    pub warn_share: f64,
}

/// Routing as written in the policy: a queue and the parameters that hold the deadlines, so
/// deadlines can change on a date without a new entitlement definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingSpec {
    pub queue_department: String,
    pub first_response_working_days: Parameter,
    pub resolution_working_days: Parameter,
    pub high_risk_resolution_working_days: Parameter,
    pub warn_share: Parameter,
}

impl RoutingSpec {
    /// The routing in force on `date` (`None` outside the policy's effective range).
    pub fn at(&self, date: NaiveDate) -> Option<Routing> {
        let days = |p: &Parameter| p.value_at(date).map(|v| v as u32);
        Some(Routing {
            queue_department: self.queue_department.clone(),
            first_response_working_days: days(&self.first_response_working_days)?,
            resolution_working_days: days(&self.resolution_working_days)?,
            high_risk_resolution_working_days: days(&self.high_risk_resolution_working_days)?,
            warn_share: self.warn_share.value_at(date)?,
        })
    }
}

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

/// One row of the basic service list (流动儿童在居住地享有关爱服务基础清单).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entitlement {
    /// Stable code used by the API, requests and services (e.g. `dibao_residence`).
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Measure number as printed in the policy, e.g. "(三)".
    pub measure: String,
    /// Verbatim quote of the clause that grants it.
    pub clause: String,
    pub lead_department: String,
    pub coordinating_departments: Vec<String>,
    /// Place as written in the policy; the engine turns a hukou-side place into
    /// `ResidenceWithHukou` (跨省通办) when the hukou is outside Guizhou.
    pub handled_at: HandlingPlace,
    /// A family can file a request for it (then `routing` is present).
    pub requestable: bool,
    /// Delivered through bookable sessions of social organizations.
    pub bookable: bool,
    pub routing: Option<RoutingSpec>,
    /// What to do when eligible: where to go, what to bring.
    pub next_step: Texts,
    /// The text names 跨省通办 for it; other hukou-side entitlements are coordinated across
    /// provinces without that promise.
    pub cross_province_service: bool,
    /// Papers a request for it needs, in the order the family is asked for them.
    pub documents: Vec<crate::documents::DocumentType>,
    /// Another route when the answer is "not eligible" (e.g. apply for a residence permit).
    pub otherwise: Option<Texts>,
    /// A step added when a fact is not known to be true (e.g. no residence permit yet).
    pub extra_step: Option<ExtraStep>,
    #[serde(skip)]
    pub(crate) condition: Node,
}

/// A next-step addition for families for whom `unless_true` is false or unknown.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtraStep {
    #[serde(skip)]
    pub unless_true: FactId,
    pub text: Texts,
}

/// What a condition rests on: a verbatim quote of a measure, or a rule of the platform or of the
/// locality, which is never shown as a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleKind {
    /// Verbatim text of a measure.
    MeasureQuote,
    /// What this platform serves (e.g. residence in Guizhou).
    PlatformRule,
    /// A local decision or national rule the measures leave to local implementation.
    LocalRule,
}

/// The basis of one condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleBasis {
    pub kind: RuleKind,
    /// Measure the condition belongs to, e.g. "(三)".
    pub measure: String,
    /// The verbatim quote (`MeasureQuote`) or the rule as stated by the platform.
    pub text: String,
    /// Where a platform or local rule comes from; for a quote, the sources of the numbers it
    /// reads (parameters), if any.
    pub source: Option<String>,
}

impl RuleBasis {
    /// How the trace shows it: a quote in quotation marks, a rule labelled as such.
    pub fn display(&self, lang: Lang) -> String {
        let src = self.source.as_deref().unwrap_or_default();
        match (self.kind, lang) {
            (RuleKind::MeasureQuote, _) => format!("{} “{}”", self.measure, self.text),
            (RuleKind::PlatformRule, Lang::Zh) => format!("平台规则（非措施原文）：{}。依据：{src}", self.text),
            (RuleKind::PlatformRule, Lang::En) => format!("Platform rule (not the measures' text): {}. Basis: {src}", self.text),
            (RuleKind::LocalRule, Lang::Zh) => format!("本地规则（非措施原文）：{}。依据：{src}", self.text),
            (RuleKind::LocalRule, Lang::En) => format!("Local rule (not the measures' text): {}. Basis: {src}", self.text),
        }
    }
}

/// How the platform serves one measure's duty that is not an entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DutyKind {
    /// Served by the monitoring register, verification and key-care ledger.
    Monitoring,
    /// Served by another platform feature (bookable sessions, the directory, information).
    Platform,
    /// Outside what an API can do (enforcement, organization, funding, other departments' work).
    Outside,
}

/// One duty of a measure, with the part of the text it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Duty {
    pub kind: DutyKind,
    /// Verbatim part of the measure.
    pub quote: String,
    /// How it is served, or why it is outside the API.
    pub zh: String,
    pub en: String,
    pub departments: Vec<String>,
}

/// One of the 13 measures: its responsible departments and every duty's place in the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeasureCoverage {
    /// "(一)" … "(十三)".
    pub code: String,
    pub title_zh: String,
    pub title_en: String,
    /// Departments the text makes responsible.
    pub departments: Vec<String>,
    /// Verbatim sentence naming them.
    pub responsibility: String,
    pub duties: Vec<Duty>,
}

impl Entitlement {
    /// Name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }

    /// Departments, lead first.
    pub fn departments(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.lead_department.as_str()).chain(self.coordinating_departments.iter().map(String::as_str))
    }

    /// Routing and deadlines in force on `date`; `None` when not requestable.
    pub fn routing_at(&self, date: NaiveDate) -> Option<Routing> {
        self.routing.as_ref()?.at(date)
    }
}

/// Who is a migrant child: the platform condition (residence in Guizhou) and measure (一).
#[derive(Debug, Clone)]
pub(crate) struct ScopeRule {
    pub(crate) measure: String,
    pub(crate) clause: String,
    pub(crate) platform: Node,
    pub(crate) condition: Node,
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

/// One version of the policy, in force from `effective_from` to `effective_to` (inclusive).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub version: String,
    pub title_zh: String,
    pub title_en: String,
    /// Where the policy text comes from.
    pub source: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub departments: Vec<Department>,
    pub parameters: Vec<Parameter>,
    pub central_urban_areas: CentralUrbanAreas,
    pub entitlements: Vec<Entitlement>,
    /// The 13 measures and how each is served (`policyCoverage`).
    pub measures: Vec<MeasureCoverage>,
    pub texts: PolicyTexts,
    #[serde(skip)]
    pub(crate) scope: ScopeRule,
}

impl Policy {
    /// True when this version is in force on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|t| date <= t)
    }

    /// Department by code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// Entitlement by code.
    pub fn entitlement(&self, code: &str) -> Option<&Entitlement> {
        self.entitlements.iter().find(|e| e.code == code)
    }

    /// Parameter by name.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Measure and clause of the migrant-child definition, for display.
    pub fn scope_clause(&self) -> (&str, &str) {
        (&self.scope.measure, &self.scope.clause)
    }

    /// The basis of every condition of the scope (platform condition first).
    pub fn scope_bases(&self) -> Vec<&RuleBasis> {
        let mut out = self.scope.platform.bases();
        out.extend(self.scope.condition.bases());
        out
    }
}

impl Entitlement {
    /// The basis of every condition of this entitlement, in tree order.
    pub fn bases(&self) -> Vec<&RuleBasis> {
        self.condition.bases()
    }
}
