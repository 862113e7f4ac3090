//! A keyset page resolved by hand. Why: async-graphql resolves a `Connection` field by field
//! (a boxed future and a map insert per field, per edge), which was most of a queue page's server
//! time beyond its query. Plain selections of `edges { cursor node }` and `pageInfo` are filled
//! here in one pass; anything else (fragments, directives, `nodes`, a repeated key) goes to the
//! generic `Connection`, so both paths give the same answer (tested over HTTP).

use std::borrow::Cow;

use async_graphql::{
    ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value,
    connection::{Connection, Edge, EmptyFields},
    parser::types::Field,
};

use super::plain;

/// A page of `T` with string cursors, as `Connection<String, T>` declares it in the schema.
pub struct Page<T: OutputType>(pub Connection<String, T>);

impl<T: OutputType> OutputType for Page<T> {
    fn type_name() -> Cow<'static, str> {
        <Connection<String, T> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <Connection<String, T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        match self.by_hand(ctx).await? {
            Some(v) => Ok(v),
            None => OutputType::resolve(&self.0, ctx, field).await,
        }
    }
}

impl<T: OutputType> Page<T> {
    /// The page's value, or `None` when a selection needs the generic path.
    async fn by_hand(&self, ctx: &ContextSelectionSet<'_>) -> ServerResult<Option<Value>> {
        let Some(fields) = plain::fields(ctx) else { return Ok(None) };
        let mut out: Vec<(Name, Value)> = Vec::with_capacity(fields.len());
        for (key, f) in fields {
            let v = match f.node.name.node.as_str() {
                "edges" => {
                    let field_ctx = ctx.with_field(f);
                    let list = field_ctx.with_selection_set(&f.node.selection_set);
                    match self.edges(&list).await? {
                        Some(v) => v,
                        None => return Ok(None),
                    }
                }
                "pageInfo" => {
                    let field_ctx = ctx.with_field(f);
                    let info = field_ctx.with_selection_set(&f.node.selection_set);
                    match self.page_info(&info) {
                        Some(v) => v,
                        None => return Ok(None),
                    }
                }
                "__typename" => Value::String(Self::type_name().into_owned()),
                _ => return Ok(None),
            };
            out.push((key, v));
        }
        Ok(Some(Value::Object(out.into_iter().collect())))
    }

    async fn edges(&self, list: &ContextSelectionSet<'_>) -> ServerResult<Option<Value>> {
        let Some(fields) = plain::fields(list) else { return Ok(None) };
        let mut items = Vec::with_capacity(self.0.edges.len());
        for (i, edge) in self.0.edges.iter().enumerate() {
            let item = list.with_index(i);
            let mut obj: Vec<(Name, Value)> = Vec::with_capacity(fields.len());
            for (key, f) in &fields {
                let v = match f.node.name.node.as_str() {
                    "cursor" => Value::String(edge.cursor.clone()),
                    "node" => {
                        let node = item.with_field(f);
                        OutputType::resolve(&edge.node, &node.with_selection_set(&f.node.selection_set), f)
                            .await
                            .map_err(|e| node.set_error_path(e))?
                    }
                    "__typename" => Value::String(<Edge<String, T, EmptyFields> as OutputType>::type_name().into_owned()),
                    _ => return Ok(None),
                };
                obj.push((key.clone(), v));
            }
            items.push(Value::Object(obj.into_iter().collect()));
        }
        Ok(Some(Value::List(items)))
    }

    fn page_info(&self, info: &ContextSelectionSet<'_>) -> Option<Value> {
        let fields = plain::fields(info)?;
        let cursor = |e: Option<&Edge<String, T, EmptyFields>>| e.map_or(Value::Null, |e| Value::String(e.cursor.clone()));
        let mut obj: Vec<(Name, Value)> = Vec::with_capacity(fields.len());
        for (key, f) in fields {
            let v = match f.node.name.node.as_str() {
                "hasPreviousPage" => Value::Boolean(self.0.has_previous_page),
                "hasNextPage" => Value::Boolean(self.0.has_next_page),
                "startCursor" => cursor(self.0.edges.first()),
                "endCursor" => cursor(self.0.edges.last()),
                "__typename" => Value::String("PageInfo".into()),
                _ => return None,
            };
            obj.push((key, v));
        }
        Some(Value::Object(obj.into_iter().collect()))
    }
}
