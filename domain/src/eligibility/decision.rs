//! What a screening returns. Why apart from the evaluation: the API serializes these shapes, so
//! they change with the contract, while the evaluation changes with the policy.

use chrono::NaiveDate;
use serde::Serialize;

use super::outcome::Outcome;
use super::plain::PlainAnswer;
use super::trace::ConditionTrace;
use crate::policy::{HandlingPlace, ListStatus};

/// Is the child a migrant child in the platform's sense on `as_of`?
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeDecision {
    pub outcome: Outcome,
    pub reasons: Vec<ConditionTrace>,
    /// The residence place is outside Guizhou: not served by this platform.
    pub outside_platform: bool,
    pub missing_facts: Vec<String>,
    /// For the family, in the caller's language: why (naming the condition that failed), then
    /// what follows.
    pub note: Option<String>,
    /// The plain answer: why, and what is still needed.
    pub plain: PlainAnswer,
    /// The central urban list that decided, when both places are in one city that has one.
    pub central_urban_list: Option<CentralListUsed>,
}

/// Which city's central urban list was read, so the answer can say who decided and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CentralListUsed {
    /// City name.
    pub city: String,
    pub status: ListStatus,
    pub source: String,
    pub dated: NaiveDate,
    /// District names on the list.
    pub districts: Vec<String>,
    /// The list in one phrase, in the caller's language.
    pub description: String,
}

/// One entitlement's decision with its explanation and next step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitlementResult {
    pub code: String,
    /// Name in the caller's language.
    pub name: String,
    pub measure: String,
    pub outcome: Outcome,
    /// Department codes, lead first.
    pub departments: Vec<String>,
    /// Effective handling place (a hukou-side place outside Guizhou becomes `ResidenceWithHukou`).
    pub handled_at: HandlingPlace,
    /// Hukou place in another province: the residence place coordinates across provinces.
    pub cross_province: bool,
    /// …and the text names 跨省通办 for this entitlement (orphan and unsupported-child
    /// recognition, the two disability subsidies), so the family need not travel back.
    pub trans_provincial_service: bool,
    pub trace: Vec<ConditionTrace>,
    /// camelCase names of the facts whose absence makes the outcome `NEEDS_INFO`.
    pub missing_facts: Vec<String>,
    /// Where to go and what to bring (eligible), what to provide (needs info).
    pub next_step: Option<String>,
    pub requestable: bool,
    pub bookable: bool,
    /// The plain answer for the family (empty when
    /// [`ScreenOptions::plain`](super::screening::ScreenOptions::plain) is off).
    pub plain: PlainAnswer,
}

/// The whole screening, reproducible from (facts, as_of, policy version).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreeningResult {
    pub policy_version: String,
    pub as_of: NaiveDate,
    pub scope: ScopeDecision,
    pub entitlements: Vec<EntitlementResult>,
}
