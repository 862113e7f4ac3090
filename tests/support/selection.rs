//! A selection of every field of an output type, read from the running server's introspection,
//! for tests that compare two ways of resolving a type (the hand-resolved `EntitlementResult` and
//! `ServiceRequest` against async-graphql's generic path): a field added to the type is selected
//! without anyone remembering to add it to the test.

use std::{future::Future, pin::Pin};

use serde_json::{Value, json};

use crate::TestApp;

const TYPE_FIELDS: &str = "query($name: String!){ __type(name: $name){ kind fields {
  name args { name defaultValue type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }";

/// Nested objects deeper than this are left out (a type that leads back to itself would never end).
const MAX_DEPTH: usize = 4;

impl TestApp {
    /// Every field of the object type `type_name` as a selection set body (`id name department {
    /// code name } …`), nested object fields with every field of theirs, from introspection.
    /// Panics on a field that needs an argument: such a field must be selected by hand.
    pub async fn every_field(&self, type_name: &str) -> String {
        self.fields_of(type_name.to_owned(), 0).await
    }

    fn fields_of(&self, type_name: String, depth: usize) -> Pin<Box<dyn Future<Output = String> + '_>> {
        Box::pin(async move {
            let r = self.gql(None, TYPE_FIELDS, json!({"name": type_name})).await;
            let fields = r["data"]["__type"]["fields"].as_array().unwrap_or_else(|| panic!("no fields of {type_name}: {r}")).clone();
            let mut out = Vec::with_capacity(fields.len());
            for f in &fields {
                let name = f["name"].as_str().expect("field name");
                let required = f["args"]
                    .as_array()
                    .is_some_and(|args| args.iter().any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null()));
                assert!(!required, "{type_name}.{name} needs an argument; select it by hand");
                let (kind, named) = named_type(&f["type"]);
                match kind.as_str() {
                    "OBJECT" | "INTERFACE" if depth < MAX_DEPTH => {
                        let inner = self.fields_of(named, depth + 1).await;
                        out.push(format!("{name} {{ {inner} }}"));
                    }
                    "OBJECT" | "INTERFACE" => {}
                    "UNION" => panic!("{type_name}.{name} is a union; select it by hand"),
                    _ => out.push(name.to_owned()),
                }
            }
            out.join(" ")
        })
    }
}

/// The kind and name of a field's type under its list and non-null wrappers.
fn named_type(ty: &Value) -> (String, String) {
    let mut t = ty;
    while t["name"].is_null() && !t["ofType"].is_null() {
        t = &t["ofType"];
    }
    (t["kind"].as_str().unwrap_or_default().to_owned(), t["name"].as_str().unwrap_or_default().to_owned())
}
