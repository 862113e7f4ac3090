//! `EntitlementResult`, one entitlement evaluated for the child: the one output type of a
//! screening resolved by hand, for speed (see the `OutputType` impl).

use std::borrow::Cow;

use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, SimpleObject, Value, parser::types::Field};

use super::{
    catalogue::HandlingPlace,
    plain,
    reference::Department,
    verdict::{ConditionTrace, Outcome, PlainAnswer},
};

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
        let Some(fields) = plain::fields(ctx) else { return self.generic(ctx, field).await };
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
