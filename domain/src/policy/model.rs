//! The compiled, validated policy: what the engine and the server read.
//!
//! Why compiled types separate from the TOML shape: the file is written for people (names,
//! quotes, nested conditions); the engine needs resolved indices so that a screening does no
//! parsing or name lookups. Everything here is immutable after
//! [`PolicySet::load`](super::set::PolicySet::load).

use chrono::NaiveDate;
use serde::Serialize;

use super::central::CentralUrbanAreas;
use super::condition::Node;
use super::parameter::Parameter;
use super::routing::{Routing, RoutingSpec};
use super::rule::RuleBasis;
use super::texts::{PolicyTexts, Texts};
use crate::documents::DocumentType;
use crate::facts::FactId;
use crate::language::Lang;

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
    pub documents: Vec<DocumentType>,
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
