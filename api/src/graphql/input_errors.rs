//! Names the input field of a type error, as our own validation errors do (`extensions.field`).
//!
//! async-graphql reports a value of the wrong type inside an input object as `Failed to parse
//! "Date": … (occurred while parsing "ChildInput")`, without the field. The field is recovered
//! from the schema: the fields of that input type with that type; when several share it, the one
//! whose value in the request's variables does not parse as the type.

use std::{collections::HashMap, sync::OnceLock};

use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use serde_json::Value;

use super::schema::sdl;

/// Input types' fields with their named types, and enum values, read once from the schema.
struct InputFields {
    fields: HashMap<String, Vec<(String, String)>>,
    enums: HashMap<String, Vec<String>>,
}

fn input_fields() -> &'static InputFields {
    static FIELDS: OnceLock<InputFields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut out = InputFields { fields: HashMap::new(), enums: HashMap::new() };
        let Ok(doc) = async_graphql::parser::parse_schema(sdl()) else { return out };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else { continue };
            let name = t.node.name.node.to_string();
            match t.node.kind {
                TypeKind::InputObject(io) => {
                    let fields = io.fields.iter().map(|f| (f.node.name.node.to_string(), base_name(&f.node.ty.node.to_string()))).collect();
                    out.fields.insert(name, fields);
                }
                TypeKind::Enum(e) => {
                    out.enums.insert(name, e.values.iter().map(|v| v.node.value.node.to_string()).collect());
                }
                _ => {}
            }
        }
        out
    })
}

fn base_name(ty: &str) -> String {
    ty.trim_matches(|c| c == '[' || c == ']' || c == '!').to_owned()
}

/// The camelCase field an async-graphql input error is about, if it can be told.
pub fn field_of(message: &str, variables: Option<&Value>) -> Option<String> {
    if let Some(arg) = quoted_after(message, "Invalid value for argument ") {
        return arg.rsplit('.').next().map(str::to_owned);
    }
    let ty = quoted_after(message, "Failed to parse ").or_else(|| quoted_after(message, "Expected input type "))?;
    let input = quoted_after(message, "(occurred while parsing ")?;
    let known = input_fields();
    let candidates: Vec<&str> = known.fields.get(input)?.iter().filter(|(_, t)| t == ty).map(|(f, _)| f.as_str()).collect();
    match candidates.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        many => {
            let vars = variables?;
            many.iter().find(|f| find_key(vars, f).is_some_and(|v| !fits(known, ty, v))).map(|f| (*f).to_owned())
        }
    }
}

/// The text between the quotes that follow `prefix`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

fn find_key<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    match v {
        Value::Object(m) => m.get(key).or_else(|| m.values().find_map(|x| find_key(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

/// Whether `v` is a value of the named type (as far as a type error could be about it).
fn fits(known: &InputFields, ty: &str, v: &Value) -> bool {
    match (ty, v) {
        (_, Value::Null) => true,
        (_, Value::Array(a)) => a.iter().all(|x| fits(known, ty, x)),
        ("Date", Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        ("DateTime", Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        ("Int", Value::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        ("Float", Value::Number(_)) | ("Boolean", Value::Bool(_)) | ("String" | "ID", Value::String(_)) => true,
        (t, Value::String(s)) if known.enums.contains_key(t) => known.enums.get(t).is_some_and(|vs| vs.contains(s)),
        ("Date" | "DateTime" | "Int" | "Float" | "Boolean" | "String" | "ID", _) => false,
        _ => !known.enums.contains_key(ty),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::field_of;

    #[test]
    fn the_field_of_a_bad_date_is_found_among_several_dates() {
        let m = r#"Failed to parse "Date": expected a date like 2026-09-01 (occurred while parsing "ChildInput")"#;
        let vars = json!({"i": {"birthDate": "2019-03-10", "residenceSince": "nonsense"}});
        assert_eq!(field_of(m, Some(&vars)).as_deref(), Some("residenceSince"));
        assert_eq!(field_of(m, None), None, "several Date fields and no values to tell");
    }

    #[test]
    fn an_argument_error_names_the_argument() {
        let m = r#"Invalid value for argument "input.birthDate", expected type "Date""#;
        assert_eq!(field_of(m, None).as_deref(), Some("birthDate"));
    }
}
