//! Running a trusted document without validating it again (issue 21: "parsed and validated once;
//! per request only variables are coerced").
//!
//! async-graphql 7 validates every request's document in `Schema::execute`, 22 rules over every
//! selection, and offers no way to hand it a document validated before. It does offer a schema
//! built with `ValidationMode::Fast`, which skips the rules and keeps the limits (complexity,
//! depth, fragment cycles). A trusted document is run on that schema once it has passed the strict
//! schema's validation, which is the same for every request apart from one thing: the rule
//! `ArgumentsOfCorrectType` also checks the *values of the variables* against the argument types.
//! [`variables_fit`] stands in for that check. It is conservative: it answers `true` only for
//! values the strict rule accepts (same scalar checks, enum values, input fields, no unknown
//! field, no null where a non-null is declared), and a request it cannot vouch for runs on the
//! strict schema, so a bad variable gets exactly the error it gets today.

use std::{
    collections::{HashMap, HashSet},
    sync::OnceLock,
};

use async_graphql::{
    Name, ScalarType, Value, Variables,
    parser::types::{BaseType, DocumentOperations, ExecutableDocument, Type, TypeKind, TypeSystemDefinition},
};

use super::schema::sdl;

/// The input types of the schema, read once from its SDL.
struct InputTypes {
    /// Input object → field → declared type.
    objects: HashMap<String, HashMap<Name, Type>>,
    /// Enum → its values.
    enums: HashMap<String, HashSet<Name>>,
}

fn input_types() -> &'static InputTypes {
    static TYPES: OnceLock<InputTypes> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut out = InputTypes { objects: HashMap::new(), enums: HashMap::new() };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl()) else { return out };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else { continue };
            // A `@oneOf` input has a rule of its own; it is left out, so values of it are never
            // vouched for.
            if t.node.directives.iter().any(|d| d.node.name.node == "oneOf") {
                continue;
            }
            let name = t.node.name.node.to_string();
            match t.node.kind {
                TypeKind::InputObject(io) => {
                    let fields = io.fields.into_iter().map(|f| (f.node.name.node, f.node.ty.node)).collect();
                    out.objects.insert(name, fields);
                }
                TypeKind::Enum(e) => {
                    out.enums.insert(name, e.values.into_iter().map(|v| v.node.value.node).collect());
                }
                _ => {}
            }
        }
        out
    })
}

/// True when every variable the selected operation of `doc` declares has a value the strict
/// validation would accept (a variable left out is not checked there either: the executor
/// reports it, on both schemas alike).
pub fn variables_fit(doc: &ExecutableDocument, operation_name: Option<&str>, variables: &Variables) -> bool {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), None) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return false,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return false,
        },
        _ => return false,
    };
    let types = input_types();
    op.node.variable_definitions.iter().all(|def| match variables.get(&def.node.name.node) {
        None => true,
        // A nullable variable with a default may stand where a non-null value is required; an
        // explicit null is then refused by the strict rule, so it is never vouched for.
        Some(Value::Null) => false,
        Some(v) => fits(types, &def.node.var_type.node, v),
    })
}

fn fits(types: &InputTypes, ty: &Type, v: &Value) -> bool {
    if let Value::Null = v {
        return ty.nullable;
    }
    match &ty.base {
        BaseType::List(item) => match v {
            Value::List(items) => items.iter().all(|x| fits(types, item, x)),
            // A single value stands for a list of one, as in the strict rule.
            single => fits(types, item, single),
        },
        BaseType::Named(name) => fits_named(types, name.as_str(), v),
    }
}

fn fits_named(types: &InputTypes, name: &str, v: &Value) -> bool {
    match name {
        // At least the checks the strict rule applies (each scalar's own `is_valid`), and values
        // the executor will parse, so no coercion error is left for it to find. `Int` also stands
        // for unsigned types, whose check differs, so only values both accept are vouched for.
        "Int" => <u32 as ScalarType>::is_valid(v) && <i32 as ScalarType>::parse(v.clone()).is_ok(),
        "Float" => <f64 as ScalarType>::is_valid(v),
        "String" => <String as ScalarType>::is_valid(v),
        "Boolean" => <bool as ScalarType>::is_valid(v),
        "ID" => <async_graphql::ID as ScalarType>::is_valid(v),
        "Date" => matches!(v, Value::String(_)) && <super::scalars::Date as ScalarType>::parse(v.clone()).is_ok(),
        "DateTime" => matches!(v, Value::String(_)) && <chrono::DateTime<chrono::Utc> as ScalarType>::parse(v.clone()).is_ok(),
        _ => {
            if let Some(values) = types.enums.get(name) {
                return match v {
                    Value::String(s) => values.iter().any(|x| x.as_str() == s),
                    Value::Enum(e) => values.contains(e),
                    _ => false,
                };
            }
            let Some(fields) = types.objects.get(name) else { return false };
            let Value::Object(given) = v else { return false };
            given.iter().all(|(k, x)| fields.get(k).is_some_and(|t| fits(types, t, x)))
                && fields.iter().all(|(k, t)| t.nullable || given.contains_key(k))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(query: &str, vars: serde_json::Value) -> bool {
        let doc = async_graphql::parser::parse_query(query).expect("parses");
        variables_fit(&doc, None, &Variables::from_json(vars))
    }

    const SCREEN: &str = "query($i: ScreeningInput!, $d: Date){ screenEligibility(input: $i, asOf: $d){ scope { outcome } } }";

    #[test]
    fn values_the_strict_rule_accepts_are_vouched_for() {
        assert!(check(SCREEN, json!({"i": {"birthDate": "2019-03-10", "movedWithGuardian": true, "disabilityGrade": 2}})));
        assert!(check(SCREEN, json!({"i": {}, "d": "2026-09-01"})));
        assert!(check(SCREEN, json!({"i": {"hukouRegionCode": null}})), "a nullable field may be null");
        assert!(check(SCREEN, json!({})), "a missing variable is left to the executor");
    }

    #[test]
    fn anything_doubtful_is_left_to_the_strict_schema() {
        assert!(!check(SCREEN, json!({"i": {"nosuchField": true}})), "unknown input field");
        assert!(!check(SCREEN, json!({"i": {"movedWithGuardian": "yes"}})), "wrong scalar");
        assert!(!check(SCREEN, json!({"i": {"disabilityGrade": -1}})), "negative Int (valid for i32 only)");
        assert!(!check(SCREEN, json!({"i": {"disabilityGrade": 1.5}})), "fractional Int");
        assert!(!check(SCREEN, json!({"i": "x"})), "not an object");
        assert!(!check(SCREEN, json!({"i": null})), "explicit null");
        assert!(!check(SCREEN, json!({"i": {}, "d": 20260901})), "a Date must be a string");
        assert!(!check(SCREEN, json!({"i": {}, "d": "2026-13-01"})), "and a date");
        assert!(!check(SCREEN, json!({"i": {"disabilityGrade": 3_000_000_000u64}})), "Int out of range");
        let doc = async_graphql::parser::parse_query("query A { __typename } query B { __typename }").expect("parses");
        assert!(!variables_fit(&doc, None, &Variables::default()), "no operation selected");
        assert!(variables_fit(&doc, Some("B"), &Variables::default()));
        assert!(!variables_fit(&doc, Some("C"), &Variables::default()), "unknown operation");
    }

    #[test]
    fn enums_lists_and_required_fields() {
        let types = input_types();
        let (name, values) = types.enums.iter().next().expect("the schema has enums");
        let value = values.iter().next().expect("a value").to_string();
        let list: Type = Type::new(&format!("[{name}!]")).expect("type");
        assert!(fits(types, &list, &Value::List(vec![Value::String(value.clone())])));
        assert!(fits(types, &list, &Value::String(value)), "one value for a list of one");
        assert!(!fits(types, &list, &Value::List(vec![Value::Null])), "null item of a non-null list");
        assert!(!fits(types, &list, &Value::String("NO_SUCH_VALUE".into())));
        let (object, fields) = types.objects.iter().find(|(_, f)| f.values().any(|t| !t.nullable)).expect("an input with a required field");
        let ty = Type::new(object).expect("type");
        assert!(!fits(types, &ty, &Value::Object(Default::default())), "{object}: a required field is missing");
        assert!(!fields.is_empty());
    }
}
