//! Eligibility over GraphQL: the public screener and the service catalogue. The screener stores
//! nothing and logs no facts; it is a pure function of the input, the date and the policy.

use std::borrow::Cow;

use async_graphql::{
    Context, ContextSelectionSet, Enum, InputObject, Name, Object, OutputType, Positioned, ServerResult, SimpleObject, Value,
    parser::types::Field,
};
use domain::eligibility as engine;

use super::{
    accounts::{lang, state},
    reference::Department,
    scalars::Date,
};
use crate::error::{AppError, AppResult, Lang, Msg};

/// Three-valued outcome: a rule never guesses.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// All conditions hold.
    Eligible,
    /// A condition fails.
    NotEligible,
    /// A fact the rule needs is unknown; `missingFacts` names it.
    NeedsInfo,
}

impl From<engine::Outcome> for Outcome {
    fn from(o: engine::Outcome) -> Self {
        match o {
            engine::Outcome::Eligible => Outcome::Eligible,
            engine::Outcome::NotEligible => Outcome::NotEligible,
            engine::Outcome::NeedsInfo => Outcome::NeedsInfo,
        }
    }
}

/// Which place handles an entitlement.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum HandlingPlace {
    /// The residence county.
    Residence,
    /// The hukou county.
    Hukou,
    /// The residence county, coordinating with the hukou place.
    ResidenceWithHukou,
    /// No place (information items).
    None,
}

impl From<domain::HandlingPlace> for HandlingPlace {
    fn from(h: domain::HandlingPlace) -> Self {
        match h {
            domain::HandlingPlace::Residence => HandlingPlace::Residence,
            domain::HandlingPlace::Hukou => HandlingPlace::Hukou,
            domain::HandlingPlace::ResidenceWithHukou => HandlingPlace::ResidenceWithHukou,
            domain::HandlingPlace::None => HandlingPlace::None,
        }
    }
}

/// Result of one condition.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TraceResult {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Cannot be decided: a fact is missing.
    Unknown,
}

/// What a condition rests on.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RuleBasis {
    /// Verbatim text of a measure (`quote`).
    MeasureQuote,
    /// A rule of this platform (`rule`, `source`), not the measures' text.
    PlatformRule,
    /// A local or national rule the measures leave to implementation (`rule`, `source`).
    LocalRule,
}

impl From<domain::policy::RuleKind> for RuleBasis {
    fn from(k: domain::policy::RuleKind) -> Self {
        match k {
            domain::policy::RuleKind::MeasureQuote => RuleBasis::MeasureQuote,
            domain::policy::RuleKind::PlatformRule => RuleBasis::PlatformRule,
            domain::policy::RuleKind::LocalRule => RuleBasis::LocalRule,
        }
    }
}

/// Facts of which all are needed, or (when `anyOne`) any one is enough.
#[derive(SimpleObject, Clone)]
pub struct MissingGroup {
    /// Input field names.
    pub facts: Vec<String>,
    /// The questions, in the request's language.
    pub questions: Vec<String>,
    /// Any one of these facts is enough to decide.
    pub any_one: bool,
}

/// The answer for the family, apart from the staff trace: place names, never codes.
#[derive(SimpleObject, Clone, Default)]
pub struct PlainAnswer {
    /// One sentence: why this answer (for "not eligible", the condition that failed).
    pub why: String,
    /// What is still needed (only for `NEEDS_INFO`).
    pub missing: Vec<MissingGroup>,
    /// Where to go (when eligible).
    pub where_to_go: Option<String>,
    /// What to bring (when eligible).
    pub bring: Option<String>,
    /// A step for this family in particular (e.g. school enrolment without a residence permit).
    pub extra_step: Option<String>,
    /// Another route when not eligible.
    pub otherwise: Option<String>,
}

impl From<engine::PlainAnswer> for PlainAnswer {
    fn from(p: engine::PlainAnswer) -> Self {
        PlainAnswer {
            why: p.why,
            missing: p.missing.into_iter().map(|g| MissingGroup { facts: g.facts, questions: g.questions, any_one: g.any_one }).collect(),
            where_to_go: p.where_to_go,
            bring: p.bring,
            extra_step: p.extra_step,
            otherwise: p.otherwise,
        }
    }
}

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

/// One condition as evaluated: what was read, what it was, and the clause it comes from.
#[derive(SimpleObject, Clone)]
pub struct ConditionTrace {
    /// Stable condition code.
    pub condition: String,
    /// The condition in words.
    pub description: String,
    /// The fact(s) read (input field names).
    pub fact: String,
    /// The value read, if known.
    pub value: Option<String>,
    /// Pass, fail or unknown.
    pub result: TraceResult,
    /// Measure and quoted policy text; a platform or local rule is shown labelled as a rule, never
    /// in quotation marks.
    pub clause: String,
    /// What the condition rests on.
    pub basis: RuleBasis,
    /// The verbatim quote (measure text only).
    pub quote: Option<String>,
    /// The platform or local rule in the platform's words.
    pub rule: Option<String>,
    /// Source of a rule, or of the numbers a quoted condition reads.
    pub source: Option<String>,
}

impl From<engine::ConditionTrace> for ConditionTrace {
    fn from(t: engine::ConditionTrace) -> Self {
        ConditionTrace {
            condition: t.condition,
            description: t.description,
            fact: t.fact,
            value: t.value,
            result: match t.result {
                engine::TraceResult::Pass => TraceResult::Pass,
                engine::TraceResult::Fail => TraceResult::Fail,
                engine::TraceResult::Unknown => TraceResult::Unknown,
            },
            clause: t.clause,
            basis: t.basis.into(),
            quote: t.quote,
            rule: t.rule,
            source: t.source,
        }
    }
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

/// One entitlement evaluated for the child. Resolved by hand (see the `OutputType` impl below);
/// the wrapped [`EntitlementResultFields`] declares the fields for the schema and serves the
/// general case.
#[derive(Clone)]
pub struct EntitlementResult(pub EntitlementResultFields);

// The schema declaration of `EntitlementResult`: same fields, generic resolution. Its doc comment
// is the type's description in the schema.
/// One entitlement evaluated for the child.
#[derive(SimpleObject, Clone)]
#[graphql(name = "EntitlementResult")]
pub struct EntitlementResultFields {
    /// Entitlement code.
    pub code: String,
    /// Name in the request's language.
    pub name: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Measure, e.g. `(三)`.
    pub measure: String,
    /// Responsible departments, lead first.
    pub departments: Vec<Department>,
    /// Which place handles it.
    pub handled_at: HandlingPlace,
    /// Hukou place in another province: the residence place coordinates across provinces.
    pub cross_province: bool,
    /// The text names 跨省通办 for it (orphan and unsupported-child recognition, the two disability
    /// subsidies) and the hukou place is in another province.
    pub trans_provincial_service: bool,
    /// Conditions as evaluated.
    pub trace: Vec<ConditionTrace>,
    /// Facts to supply to decide a `NEEDS_INFO`.
    pub missing_facts: Vec<String>,
    /// Where to go and what to bring.
    pub next_step: Option<String>,
    /// A request can be filed for it.
    pub requestable: bool,
    /// Sessions can be booked for it.
    pub bookable: bool,
    /// The answer for the family.
    pub plain: PlainAnswer,
}

/// Why by hand: a screening returns every entitlement (26 objects, ~130 fields for a typical
/// query), and async-graphql's generic object resolution spends ~1.7 µs per field on a boxed
/// future and a result map, six times the rules themselves. Plain field selections are filled here
/// in one pass; anything else (fragments, directives, a response key used twice) takes the
/// generic path through `EntitlementResultFields`, so the answer is always the same (tested in
/// `tests/screening.rs`).
impl OutputType for EntitlementResult {
    fn type_name() -> Cow<'static, str> {
        <EntitlementResultFields as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <EntitlementResultFields as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let Some(fields) = super::plain::fields(ctx) else { return self.generic(ctx, field).await };
        let mut out: Vec<(Name, Value)> = Vec::with_capacity(fields.len());
        for (key, f) in fields {
            let sub = ctx.with_field(f);
            let sub = sub.with_selection_set(&f.node.selection_set);
            let v = match f.node.name.node.as_str() {
                "code" => Value::String(self.0.code.clone()),
                "name" => Value::String(self.0.name.clone()),
                "measure" => Value::String(self.0.measure.clone()),
                "outcome" => OutputType::resolve(&self.0.outcome, &sub, f).await?,
                "handledAt" => OutputType::resolve(&self.0.handled_at, &sub, f).await?,
                "crossProvince" => Value::Boolean(self.0.cross_province),
                "transProvincialService" => Value::Boolean(self.0.trans_provincial_service),
                "plain" => OutputType::resolve(&self.0.plain, &sub, f).await?,
                "requestable" => Value::Boolean(self.0.requestable),
                "bookable" => Value::Boolean(self.0.bookable),
                "nextStep" => self.0.next_step.clone().map_or(Value::Null, Value::String),
                "missingFacts" => Value::List(self.0.missing_facts.iter().cloned().map(Value::String).collect()),
                "departments" => OutputType::resolve(&self.0.departments, &sub, f).await?,
                "trace" => OutputType::resolve(&self.0.trace, &sub, f).await?,
                "__typename" => Value::String("EntitlementResult".into()),
                _ => return self.generic(ctx, field).await,
            };
            out.push((key, v));
        }
        Ok(Value::Object(out.into_iter().collect()))
    }
}

impl EntitlementResult {
    async fn generic(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        OutputType::resolve(&self.0, ctx, field).await
    }
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

/// The facts the screener reads. All optional: an unknown fact gives `NEEDS_INFO`, never a guess.
#[derive(InputObject, Default, Clone)]
pub struct ScreeningInput {
    /// Child's birth date.
    pub birth_date: Option<Date>,
    /// Hukou county code (anywhere in China).
    pub hukou_region_code: Option<String>,
    /// Residence county code.
    pub residence_region_code: Option<String>,
    /// Living at the residence since.
    pub residence_since: Option<Date>,
    /// Moved together with a parent or other guardian.
    pub moved_with_guardian: Option<bool>,
    /// Holds a residence permit (居住证).
    pub has_residence_permit: Option<bool>,
    /// Residence permit issued on.
    pub residence_permit_since: Option<Date>,
    /// Enrolled in a school or kindergarten at the residence.
    pub enrolled_in_school_at_residence: Option<bool>,
    /// Family meets the residence-place minimum-living means test (self-declared).
    pub meets_residence_dibao_test: Option<bool>,
    /// Family meets the hukou-place minimum-living conditions (self-declared).
    pub meets_hukou_dibao_test: Option<bool>,
    /// Family in economic hardship.
    pub family_economic_hardship: Option<bool>,
    /// Sudden hardship (accident, disaster, illness).
    pub sudden_hardship: Option<bool>,
    /// Holds a disability certificate.
    pub has_disability_certificate: Option<bool>,
    /// Disability grade 1–4.
    pub disability_grade: Option<i32>,
    /// Recognised orphan or de-facto unsupported child.
    pub orphan_or_unsupported: Option<bool>,
    /// Serious illness.
    pub serious_illness: Option<bool>,
    /// Diagnosed mental disorder.
    pub diagnosed_mental_disorder: Option<bool>,
    /// Guardianship absent.
    pub guardianship_absent: Option<bool>,
    /// Family meets local housing-support conditions.
    pub meets_housing_support_conditions: Option<bool>,
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
    let options = engine::ScreenOptions { trace, plain };
    let result = engine::screen_with(&st.reference.policy, &st.reference.divisions(), facts, day, l.domain(), options)
        .map_err(|e| AppError::Validation { field: e.field, msg: Msg::owned(e.message_zh, e.message_en) })?;
    Ok(ScreeningResult::from_engine(result, l, departments))
}

/// An entitlement of the basic service list.
#[derive(SimpleObject)]
pub struct Entitlement {
    /// Code.
    pub code: String,
    /// Name in the request's language.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Measure, e.g. `(四)`.
    pub measure: String,
    /// Quoted clause.
    pub clause: String,
    /// Responsible departments, lead first.
    pub departments: Vec<Department>,
    /// Which place handles it.
    pub handled_at: HandlingPlace,
    /// A request can be filed for it.
    pub requestable: bool,
    /// Sessions can be booked for it.
    pub bookable: bool,
}

impl Entitlement {
    /// The catalogue entry of a policy entitlement, named in `l`.
    pub fn of(e: &domain::policy::Entitlement, l: Lang) -> Self {
        Entitlement {
            code: e.code.clone(),
            name: l.pick(&e.name_zh, &e.name_en).to_owned(),
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
            measure: e.measure.clone(),
            clause: e.clause.clone(),
            departments: e.departments().filter_map(|d| Department::by_code(d, l)).collect(),
            handled_at: e.handled_at.into(),
            requestable: e.requestable,
            bookable: e.bookable,
        }
    }
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
    async fn policy_coverage(&self, ctx: &Context<'_>, as_of: Option<Date>) -> AppResult<Vec<super::coverage::MeasureCoverage>> {
        super::coverage::policy_coverage(ctx, as_of)
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
