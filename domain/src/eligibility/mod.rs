//! The eligibility engine: who is a migrant child (measure (一)) and which entitlements of the
//! basic service list apply, explained condition by condition.
//!
//! Why three-valued: families often do not know (or do not want to say) everything. A rule whose
//! fact is unknown answers `NEEDS_INFO` and names the missing facts — never a guess. Conditions are
//! combined with Kleene logic (AND: any FAIL → FAIL, else any UNKNOWN → UNKNOWN; OR dually), which
//! is monotone: learning a fact can only turn UNKNOWN into PASS/FAIL, and forgetting one can only
//! turn a definite answer into UNKNOWN. So removing a fact never turns NOT_ELIGIBLE into ELIGIBLE.
//!
//! Pure: no I/O, no clock (the caller passes `as_of`), no async. The policy is precompiled by
//! [`crate::policy::PolicySet::load`]; a call only evaluates and formats the output strings.

mod conditions;
pub mod facts;
mod next_step;
pub mod plain;
mod scope;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use facts::{FactError, FactId, FactKind, FactValue, Facts, validate};
pub use plain::{MissingGroup, PlainAnswer};

use crate::policy::{HandlingPlace, ListStatus, PolicySet, RuleKind};
use crate::regions::Divisions;
use conditions::{Ctx, evaluate, kleene_and, mask_names};

/// Language of the caller (`Accept-Language`: zh-CN by default, en).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Picks the language from a tag such as `en-US` or `zh-CN`; anything not English is Chinese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }
}

/// Decision for the child or one entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Eligible,
    NotEligible,
    /// A fact the rule needs is unknown; `missing_facts` names it.
    NeedsInfo,
}

/// Result of one condition in a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TraceResult {
    Pass,
    Fail,
    Unknown,
}

impl From<TraceResult> for Outcome {
    fn from(r: TraceResult) -> Outcome {
        match r {
            TraceResult::Pass => Outcome::Eligible,
            TraceResult::Fail => Outcome::NotEligible,
            TraceResult::Unknown => Outcome::NeedsInfo,
        }
    }
}

/// One line of the explanation: which condition, which fact it read, what it found, and the
/// clause of the policy it applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionTrace {
    /// Stable code, e.g. `months_since_at_least(residenceSince,scope_min_residence_months)`.
    pub condition: String,
    /// What the condition checks, in the caller's language.
    pub description: String,
    /// camelCase API name(s) of the fact(s) read ("scope" for the migrant-child decision).
    pub fact: String,
    /// What was read (and derived, e.g. the age), `None` when unknown.
    pub value: Option<String>,
    pub result: TraceResult,
    /// Measure and verbatim quote, e.g. `(三) “持有居住证”`; a platform or local rule is shown
    /// labelled as such, never in quotation marks.
    pub clause: String,
    /// What the condition rests on: a measure's text, a platform rule or a local rule.
    pub basis: RuleKind,
    /// The verbatim quote (only for `MeasureQuote`).
    pub quote: Option<String>,
    /// The rule in the platform's words (only for platform and local rules).
    pub rule: Option<String>,
    /// Where a rule comes from, or the sources of the numbers a quoted condition reads.
    pub source: Option<String>,
    /// Nesting depth under `any` / `not` / nested `all` (0 = top level).
    pub depth: u32,
}

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
    /// The plain answer for the family (empty when [`ScreenOptions::plain`] is off).
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

/// What [`screen_with`] builds besides the outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenOptions {
    /// Build the condition traces (scope reasons and entitlement traces). Most of a screening's
    /// cost is formatting these strings; a caller that does not show them (e.g. a GraphQL query
    /// that does not select `trace`) can turn them off. Outcomes and missing facts are the same.
    pub trace: bool,
    /// Build the plain answers of the entitlements (the scope's is always built).
    pub plain: bool,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions { trace: true, plain: true }
    }
}

/// Screens a child: validates the facts, picks the policy version in force on `as_of`, decides
/// the scope and evaluates every entitlement in policy order, with full traces.
pub fn screen(
    policies: &PolicySet,
    divisions: &Divisions,
    facts: &Facts,
    as_of: NaiveDate,
    lang: Lang,
) -> Result<ScreeningResult, FactError> {
    screen_with(policies, divisions, facts, as_of, lang, ScreenOptions::default())
}

/// [`screen`] with options (e.g. without traces, for speed). With `trace: false` the `trace`
/// and `reasons` vectors are empty; everything else is identical.
pub fn screen_with(
    policies: &PolicySet,
    divisions: &Divisions,
    facts: &Facts,
    as_of: NaiveDate,
    lang: Lang,
    options: ScreenOptions,
) -> Result<ScreeningResult, FactError> {
    validate(facts, divisions, as_of)?;
    let policy = policies.version_at(as_of).ok_or_else(|| {
        FactError::new("asOf", format!("{as_of} 没有生效的政策版本"), format!("no policy version is in force on {as_of}"))
    })?;
    let places = next_step::Places::new(facts, divisions, lang);
    let mut cx = Ctx { facts, divisions, policy, as_of, lang, scope: (TraceResult::Unknown, 0), trace: options.trace };
    let scope = scope::decide(&cx, &places);
    cx.scope = (scope.result, scope.mask);
    let platform = scope.platform;
    let hukou_outside = facts.hukou_region_code.as_deref().is_some_and(|h| !divisions.in_guizhou(h));

    let mut entitlements = Vec::with_capacity(policy.entitlements.len());
    for e in &policy.entitlements {
        let mut trace = Vec::with_capacity(if options.trace { 6 } else { 0 });
        // The platform row is implied by `in_scope`; show it separately only where it matters.
        if options.trace && (!crate::policy::requires_scope(&e.condition) || platform.0 != TraceResult::Pass) {
            trace.push(scope.platform_row.clone());
        }
        let (r, mask) = evaluate(&e.condition, &cx, &mut trace);
        let (result, mask) = kleene_and(platform, (r, mask));
        let outcome = Outcome::from(result);
        let hukou_side = matches!(e.handled_at, HandlingPlace::Hukou | HandlingPlace::ResidenceWithHukou);
        let cross_province = hukou_side && hukou_outside;
        let handled_at = if cross_province { HandlingPlace::ResidenceWithHukou } else { e.handled_at };
        let step = next_step::Step { outcome, mask, cross_province, platform };
        let next_step = next_step::for_entitlement(policy, e, &step, &places, facts, lang);
        let plain = if options.plain { next_step::plain_answer(e, &cx, &scope.explained, &step, &places) } else { PlainAnswer::default() };
        entitlements.push(EntitlementResult {
            code: e.code.clone(),
            name: e.name(lang).to_string(),
            measure: e.measure.clone(),
            outcome,
            departments: e.departments().map(str::to_string).collect(),
            handled_at,
            cross_province,
            trans_provincial_service: cross_province && e.cross_province_service,
            trace,
            missing_facts: if outcome == Outcome::NeedsInfo { mask_names(mask) } else { Vec::new() },
            next_step,
            requestable: e.requestable,
            bookable: e.bookable,
            plain,
        });
    }
    Ok(ScreeningResult { policy_version: policy.version.clone(), as_of, scope: scope.decision, entitlements })
}

/// Only the scope decision (cheaper than [`screen`] when entitlements are not needed, e.g. for
/// monitoring lists).
pub fn scope_of(
    policies: &PolicySet,
    divisions: &Divisions,
    facts: &Facts,
    as_of: NaiveDate,
    lang: Lang,
) -> Result<ScopeDecision, FactError> {
    validate(facts, divisions, as_of)?;
    let policy = policies.version_at(as_of).ok_or_else(|| {
        FactError::new("asOf", format!("{as_of} 没有生效的政策版本"), format!("no policy version is in force on {as_of}"))
    })?;
    let places = next_step::Places::new(facts, divisions, lang);
    let cx = Ctx { facts, divisions, policy, as_of, lang, scope: (TraceResult::Unknown, 0), trace: true };
    Ok(scope::decide(&cx, &places).decision)
}
