//! Eligibility over GraphQL: the public screener, the service catalogue and the policy's
//! coverage of the measures. The screener stores nothing and logs no facts; it is a pure function
//! of the input, the date and the policy.

use async_graphql::{Context, Object, SimpleObject};
use domain::eligibility as engine;

use super::{
    catalogue::Entitlement,
    context::{lang, state},
    coverage::{self, MeasureCoverage},
    entitlement_result::{EntitlementResult, EntitlementResultFields},
    facts_input::ScreeningInput,
    reference::Department,
    scalars::Date,
    verdict::{ConditionTrace, Outcome, PlainAnswer},
};
use crate::error::{AppError, AppResult, Lang, Msg};

/// The central urban list that decided whether a move inside one city counts (measure (一)).
#[derive(SimpleObject, Clone)]
pub struct CentralUrbanList {
    /// City name.
    pub city: String,
    /// `PLATFORM_DEFAULT` (every city district, awaiting confirmation) or `CONFIRMED`.
    pub status: String,
    /// Who decided it and where it is written.
    pub source: String,
    /// Date of the source.
    pub dated: Date,
    /// District names on the list.
    pub districts: Vec<String>,
    /// The list in one phrase.
    pub description: String,
}

/// Whether the child is a migrant child in the sense of measure (一).
#[derive(SimpleObject)]
pub struct ScopeDecision {
    /// In scope, out of scope, or undecided.
    pub outcome: Outcome,
    /// Each scope condition with its trace.
    pub reasons: Vec<ConditionTrace>,
    /// True when the residence is outside Guizhou: the platform cannot help there.
    pub outside_platform: bool,
    /// Explanation for the family: why (naming the condition that failed), then what follows.
    pub note: Option<String>,
    /// The plain answer: why, and what is still needed.
    pub plain: PlainAnswer,
    /// The central urban list read, when both places are in one city that has one.
    pub central_urban_list: Option<CentralUrbanList>,
}

/// The whole answer: scope plus every entitlement.
#[derive(SimpleObject)]
pub struct ScreeningResult {
    /// Policy version applied.
    pub policy_version: String,
    /// The day evaluated.
    pub as_of: Date,
    /// Scope decision.
    pub scope: ScopeDecision,
    /// Every entitlement of the basic service list.
    pub entitlements: Vec<EntitlementResult>,
}

impl ScreeningResult {
    /// Maps the engine's result, naming departments in `lang` when `departments` is true (the
    /// query selects them; naming is a third of this mapping's work, so it is skipped otherwise).
    pub fn from_engine(r: engine::ScreeningResult, lang: Lang, departments: bool) -> Self {
        ScreeningResult {
            policy_version: r.policy_version,
            as_of: Date(r.as_of),
            scope: ScopeDecision {
                outcome: r.scope.outcome.into(),
                reasons: r.scope.reasons.into_iter().map(Into::into).collect(),
                outside_platform: r.scope.outside_platform,
                note: r.scope.note,
                plain: r.scope.plain.into(),
                central_urban_list: r.scope.central_urban_list.map(|c| CentralUrbanList {
                    city: c.city,
                    status: serde_json::to_value(c.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                    source: c.source,
                    dated: Date(c.dated),
                    districts: c.districts,
                    description: c.description,
                }),
            },
            entitlements: r
                .entitlements
                .into_iter()
                .map(|e| {
                    EntitlementResult(EntitlementResultFields {
                        code: e.code,
                        name: e.name,
                        outcome: e.outcome.into(),
                        measure: e.measure,
                        departments: if departments {
                            e.departments.iter().filter_map(|d| Department::by_code(d, lang)).collect()
                        } else {
                            Vec::new()
                        },
                        handled_at: e.handled_at.into(),
                        cross_province: e.cross_province,
                        trans_provincial_service: e.trans_provincial_service,
                        plain: e.plain.into(),
                        trace: e.trace.into_iter().map(Into::into).collect(),
                        missing_facts: e.missing_facts,
                        next_step: e.next_step,
                        requestable: e.requestable,
                        bookable: e.bookable,
                    })
                })
                .collect(),
        }
    }
}

impl ScreeningInput {
    /// The engine's facts; a grade outside 1–4 is refused here so it never reaches the engine.
    pub fn to_facts(&self) -> AppResult<engine::Facts> {
        let disability_grade = match self.disability_grade {
            None => None,
            Some(g @ 1..=4) => Some(g as u8),
            Some(_) => return Err(AppError::validation("disabilityGrade", "残疾等级须为 1–4 级", "disability grade must be 1 to 4")),
        };
        Ok(engine::Facts {
            birth_date: self.birth_date.map(|d| d.0),
            hukou_region_code: self.hukou_region_code.clone(),
            residence_region_code: self.residence_region_code.clone(),
            residence_since: self.residence_since.map(|d| d.0),
            moved_with_guardian: self.moved_with_guardian,
            has_residence_permit: self.has_residence_permit,
            residence_permit_since: self.residence_permit_since.map(|d| d.0),
            enrolled_in_school_at_residence: self.enrolled_in_school_at_residence,
            meets_residence_dibao_test: self.meets_residence_dibao_test,
            meets_hukou_dibao_test: self.meets_hukou_dibao_test,
            family_economic_hardship: self.family_economic_hardship,
            sudden_hardship: self.sudden_hardship,
            has_disability_certificate: self.has_disability_certificate,
            disability_grade,
            orphan_or_unsupported: self.orphan_or_unsupported,
            serious_illness: self.serious_illness,
            diagnosed_mental_disorder: self.diagnosed_mental_disorder,
            guardianship_absent: self.guardianship_absent,
            meets_housing_support_conditions: self.meets_housing_support_conditions,
        })
    }
}

/// Runs the engine for `facts` on `as_of` (today in China when omitted).
pub fn screen(ctx: &Context<'_>, facts: &engine::Facts, as_of: Option<Date>) -> AppResult<ScreeningResult> {
    let st = state(ctx);
    let l = lang(ctx);
    let day = as_of.map(|d| d.0).unwrap_or_else(|| st.clock.today());
    // Traces are most of the engine's work; build them only when the query selects them.
    let look = ctx.look_ahead();
    let trace = look.field("entitlements").field("trace").exists() || look.field("scope").field("reasons").exists();
    let departments = look.field("entitlements").field("departments").exists();
    let plain = look.field("entitlements").field("plain").exists();
    let scope = look.field("scope");
    let explain_scope = scope.field("note").exists() || scope.field("plain").exists() || scope.field("centralUrbanList").exists();
    let options = engine::ScreenOptions { trace, plain, explain_scope };
    let result = engine::screen_with(&st.reference.policy, &st.reference.divisions(), facts, day, l.domain(), options)
        .map_err(|e| AppError::Validation { field: e.field, msg: Msg::owned(e.message_zh, e.message_en) })?;
    Ok(ScreeningResult::from_engine(result, l, departments))
}

/// Eligibility queries (public).
#[derive(Default)]
pub struct EligibilityQuery;

#[Object]
impl EligibilityQuery {
    /// Decides scope and evaluates every entitlement for the given facts. Stores and logs nothing.
    async fn screen_eligibility(&self, ctx: &Context<'_>, input: ScreeningInput, as_of: Option<Date>) -> AppResult<ScreeningResult> {
        screen(ctx, &input.to_facts()?, as_of)
    }

    /// The 13 measures of the policy in force (on `asOf`, default today) and how Tongxin serves
    /// each: entitlements and where requests are routed, monitoring duties, other platform
    /// features, or why a duty is outside what an API can do.
    async fn policy_coverage(&self, ctx: &Context<'_>, as_of: Option<Date>) -> AppResult<Vec<MeasureCoverage>> {
        coverage::policy_coverage(ctx, as_of)
    }

    /// The basic service list of the policy in force (on `asOf`, default today).
    async fn service_catalog(&self, ctx: &Context<'_>, as_of: Option<Date>) -> AppResult<Vec<Entitlement>> {
        let st = state(ctx);
        let l = lang(ctx);
        let day = as_of.map(|d| d.0).unwrap_or_else(|| st.clock.today());
        let policy = st
            .reference
            .policy
            .version_at(day)
            .ok_or_else(|| AppError::validation("asOf", "该日期没有生效的政策版本", "no policy version in force on that date"))?;
        Ok(policy.entitlements.iter().map(|e| Entitlement::of(e, l)).collect())
    }
}
