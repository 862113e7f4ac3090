//! Support for the few types resolved by hand (`EntitlementResult`, `ServiceRequest`): they fill
//! plain field selections in one pass and leave everything else to async-graphql's generic path.

use async_graphql::{
    ContextSelectionSet, Name, Positioned,
    parser::types::{Field, Selection},
};

/// The selected fields with their response keys, when every selection is a plain field without
/// directives and no response key repeats; `None` when the generic path must answer (fragments,
/// `@include`/`@skip`, a key used twice, whose merging the generic path implements).
pub fn fields<'a>(ctx: &ContextSelectionSet<'a>) -> Option<Vec<(Name, &'a Positioned<Field>)>> {
    let items = &ctx.item.node.items;
    let mut out: Vec<(Name, &'a Positioned<Field>)> = Vec::with_capacity(items.len());
    for sel in items {
        let Selection::Field(f) = &sel.node else { return None };
        let key = f.node.response_key().node.clone();
        if !f.node.directives.is_empty() || out.iter().any(|(k, _)| *k == key) {
            return None;
        }
        out.push((key, f));
    }
    Some(out)
}
