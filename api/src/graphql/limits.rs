//! Limits on a GraphQL document, checked before async-graphql validates it.
//!
//! Why this exists: async-graphql's validation visits fragment spreads inline, so a document whose
//! fragments each spread the previous one twice (`fragment F1 on T { ...F0 ...F0 }` … `F26`, about
//! 1 KB) costs 2²⁶ visits before the complexity limit can refuse it, and that work never yields to
//! the runtime (the same class as GHSA-mfj6-6p54-m98c in parse-server). Here the document is
//! measured in one pass with every fragment's size memoised, so the cost of the check is linear
//! in the text and validation only ever sees documents whose expansion is bounded.
//!
//! The same pass counts the root fields of mutations: each alias of a mutation is another side
//! effect (an account, an e-mail), so a document may run only a few mutations, and each at most
//! once.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

use crate::error::{AppError, Msg};

/// Largest nesting accepted; the standard introspection query needs 13 (checked by a test).
pub const MAX_DEPTH: usize = 15;
/// Largest total field complexity of one operation.
pub const MAX_COMPLEXITY: usize = 2000;

/// The bounds of one document.
#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    /// Longest query text, in bytes; checked before parsing.
    pub max_bytes: usize,
    /// Most fragment spreads written in the document.
    pub max_spreads: usize,
    /// Most fields after every fragment is expanded, over all operations and fragments.
    pub max_expanded_fields: u64,
    /// Most root fields of one mutation operation.
    pub max_mutations: usize,
}

impl DocumentLimits {
    /// The limits of the public endpoint. The introspection query GraphiQL sends is about 2 KB
    /// with 4 fragments and expands to a few hundred fields; the largest client operation is
    /// well under these.
    pub const PUBLIC: DocumentLimits =
        DocumentLimits { max_bytes: 32 * 1024, max_spreads: 256, max_expanded_fields: 4_000, max_mutations: 5 };
}

/// Why a document was refused. Every case is a `VALIDATION` error on `query`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    /// The text is longer than `max_bytes`.
    #[error("query text of {0} bytes")]
    TooLong(usize),
    /// More fragment spreads than `max_spreads`.
    #[error("{0} fragment spreads")]
    TooManySpreads(usize),
    /// The expansion exceeds `max_expanded_fields`.
    #[error("expands to more than {0} fields")]
    TooLarge(u64),
    /// A fragment spreads itself, directly or through others.
    #[error("fragment cycle")]
    FragmentCycle,
    /// More mutation root fields than `max_mutations`.
    #[error("{0} mutations in one operation")]
    TooManyMutations(usize),
    /// The same mutation twice in one operation (aliases).
    #[error("a mutation repeated in one operation")]
    RepeatedMutation,
}

impl From<LimitExceeded> for AppError {
    fn from(e: LimitExceeded) -> Self {
        let msg = match e {
            LimitExceeded::TooLong(_) => Msg::new("查询文本过长", "the query text is too long"),
            LimitExceeded::TooManySpreads(_) => Msg::new("查询中的片段引用过多", "the query spreads too many fragments"),
            LimitExceeded::TooLarge(_) => Msg::new("查询展开后过大", "the query is too large once its fragments are expanded"),
            LimitExceeded::FragmentCycle => Msg::new("查询片段存在循环引用", "the query's fragments spread each other in a cycle"),
            LimitExceeded::TooManyMutations(_) => Msg::new("一次请求中的变更操作过多", "too many mutations in one request"),
            LimitExceeded::RepeatedMutation => {
                Msg::new("同一变更操作在一次请求中只能执行一次", "each mutation may run only once per request")
            }
        };
        AppError::Validation { field: "query".into(), msg }
    }
}

/// Refuses a query text longer than the limit, before any parsing.
pub fn check_text(query: &str, limits: &DocumentLimits) -> Result<(), LimitExceeded> {
    if query.len() > limits.max_bytes { Err(LimitExceeded::TooLong(query.len())) } else { Ok(()) }
}

/// Measures a parsed document against `limits` in time linear in its size.
pub fn check_document(doc: &ExecutableDocument, limits: &DocumentLimits) -> Result<(), LimitExceeded> {
    let mut m = Measure { doc, sizes: HashMap::new(), spreads: 0 };
    let mut total: u64 = 0;
    for (_, op) in doc.operations.iter() {
        total = total.saturating_add(m.size(&op.node.selection_set.node)?);
    }
    for (name, _) in doc.fragments.iter() {
        total = total.saturating_add(m.fragment(name)?);
    }
    if m.spreads > limits.max_spreads {
        return Err(LimitExceeded::TooManySpreads(m.spreads));
    }
    if total > limits.max_expanded_fields {
        return Err(LimitExceeded::TooLarge(limits.max_expanded_fields));
    }
    for (_, op) in doc.operations.iter() {
        if op.node.ty == OperationType::Mutation {
            let mut names = HashMap::new();
            root_fields(doc, &op.node.selection_set.node, &mut names, 0);
            let count: usize = names.values().sum();
            if count > limits.max_mutations {
                return Err(LimitExceeded::TooManyMutations(count));
            }
            if names.values().any(|n| *n > 1) {
                return Err(LimitExceeded::RepeatedMutation);
            }
        }
    }
    Ok(())
}

/// Expanded sizes, memoised per fragment; `None` marks a fragment being measured (a cycle).
struct Measure<'a> {
    doc: &'a ExecutableDocument,
    sizes: HashMap<&'a str, Option<u64>>,
    /// Spreads written in the document, each counted once (when its fragment or operation is
    /// measured), not once per expansion.
    spreads: usize,
}

impl<'a> Measure<'a> {
    fn size(&mut self, set: &'a SelectionSet) -> Result<u64, LimitExceeded> {
        let mut n: u64 = 0;
        for item in &set.items {
            let add = match &item.node {
                Selection::Field(f) => 1u64.saturating_add(self.size(&f.node.selection_set.node)?),
                Selection::InlineFragment(f) => self.size(&f.node.selection_set.node)?,
                Selection::FragmentSpread(s) => {
                    self.spreads += 1;
                    self.fragment(s.node.fragment_name.node.as_str())?
                }
            };
            n = n.saturating_add(add);
        }
        Ok(n)
    }

    fn fragment(&mut self, name: &'a str) -> Result<u64, LimitExceeded> {
        match self.sizes.get(name) {
            Some(Some(n)) => return Ok(*n),
            Some(None) => return Err(LimitExceeded::FragmentCycle),
            None => {}
        }
        // An unknown fragment is async-graphql's error to report; it adds nothing here.
        let Some((key, def)) = self.doc.fragments.get_key_value(name) else { return Ok(0) };
        self.sizes.insert(key.as_str(), None);
        let n = self.size(&def.node.selection_set.node)?;
        self.sizes.insert(key.as_str(), Some(n));
        Ok(n)
    }
}

/// Counts the root fields of a mutation by name, looking through fragments at the root level
/// (whose expansion is already bounded, and whose cycles were already refused).
fn root_fields<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, names: &mut HashMap<&'a str, usize>, depth: usize) {
    if depth > doc.fragments.len() + 1 {
        return;
    }
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => *names.entry(f.node.name.node.as_str()).or_default() += 1,
            Selection::InlineFragment(f) => root_fields(doc, &f.node.selection_set.node, names, depth + 1),
            Selection::FragmentSpread(s) => {
                if let Some(def) = doc.fragments.get(s.node.fragment_name.node.as_str()) {
                    root_fields(doc, &def.node.selection_set.node, names, depth + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(q: &str) -> Result<(), LimitExceeded> {
        check_text(q, &DocumentLimits::PUBLIC)?;
        let doc = async_graphql::parser::parse_query(q).expect("parses");
        check_document(&doc, &DocumentLimits::PUBLIC)
    }

    fn fragment_bomb(levels: usize) -> String {
        let mut q = String::from("{ departments { ...F0 } }\nfragment F0 on Department { code name }\n");
        for i in 1..=levels {
            q.push_str(&format!("fragment F{i} on Department {{ ...F{p} ...F{p} }}\n", p = i - 1));
        }
        q.replace("...F0 } }", &format!("...F{levels} }} }}"))
    }

    #[test]
    fn a_fragment_bomb_is_refused_without_expanding_it() {
        let started = std::time::Instant::now();
        assert_eq!(check(&fragment_bomb(26)), Err(LimitExceeded::TooLarge(DocumentLimits::PUBLIC.max_expanded_fields)));
        // Expanding would take minutes; one pass takes microseconds (loose bound for busy CI cores).
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "measured in one pass");
        assert_eq!(check(&fragment_bomb(3)), Ok(()), "a small tree of fragments is fine");
    }

    #[test]
    fn cycles_and_long_texts_are_refused() {
        assert_eq!(
            check("{ departments { ...A } } fragment A on Department { ...B } fragment B on Department { ...A }"),
            Err(LimitExceeded::FragmentCycle)
        );
        assert_eq!(check(&format!("{{ departments {{ code }} }} #{}", "x".repeat(40_000))), Err(LimitExceeded::TooLong(40_026)));
    }

    #[test]
    fn aliased_mutations_are_counted_through_fragments() {
        assert_eq!(check("mutation { a: logout b: logout }"), Err(LimitExceeded::RepeatedMutation));
        assert_eq!(check("mutation { ...M } fragment M on MutationRoot { a: logout b: logout }"), Err(LimitExceeded::RepeatedMutation));
        assert_eq!(check("mutation { a b c d e f }"), Err(LimitExceeded::TooManyMutations(6)));
        assert_eq!(check("mutation { logout }"), Ok(()));
        assert_eq!(check("{ a: departments { code } b: departments { code } }"), Ok(()), "queries may alias freely");
    }

    #[test]
    fn the_introspection_query_fits() {
        let q = include_str!("../../../tests/introspection.graphql");
        assert_eq!(check(q), Ok(()));
    }
}
