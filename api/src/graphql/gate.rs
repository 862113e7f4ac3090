//! The way into the schema for every transport (HTTP GET and POST, WebSocket): the query text is
//! bounded, parsed once (or taken from the cache of parsed documents) and measured by
//! [`limits`](super::limits) before async-graphql validates or runs it. A document named by its
//! hash ([`persisted`](super::persisted)) was parsed and measured when it was registered.

use async_graphql::parser::types::{ExecutableDocument, OperationType};

use super::{
    limits::{self, DocumentLimits},
    persisted::{self, Origin},
};
use crate::{error::AppError, state::AppState};

/// Parsed documents by query text, and the limits they passed. Clients send the same few
/// operations over and over, and async-graphql's (pest) parser was a fifth of the server's work in
/// the screening profile; a parsed document is reused for the identical text. Bounded, so
/// arbitrary queries only churn it; only documents within the limits are kept.
pub struct Gate {
    parsed: quick_cache::sync::Cache<String, ExecutableDocument>,
    limits: DocumentLimits,
}

/// What an admitted request will do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Only queries.
    Query,
    /// At least one mutation.
    Mutation,
    /// At least one subscription.
    Subscription,
}

impl Gate {
    /// Entries kept (distinct operations).
    const CAPACITY: usize = 512;

    /// A gate with `limits`.
    pub fn new(limits: DocumentLimits) -> Self {
        Gate { parsed: quick_cache::sync::Cache::new(Self::CAPACITY), limits }
    }

    /// Bounds, parses and measures the request's document, attaching the parse. A text that does
    /// not parse is passed on unparsed, so async-graphql reports the syntax error with its
    /// position (the length bound already holds). A request naming a document by its hash gets
    /// that document, or `PERSISTED_QUERY_NOT_FOUND`.
    pub async fn admit(
        &self,
        state: &AppState,
        mut req: async_graphql::Request,
    ) -> Result<(async_graphql::Request, Kind, Origin), AppError> {
        if let Some(hash) = persisted::requested_hash(&req)? {
            if !req.query.is_empty() && persisted::hash_of(&req.query) != hash {
                return Err(persisted::mismatch());
            }
            match state.trusted.find(&state.db, &hash).await? {
                Some(t) => {
                    let kind = kind_of(&t.doc);
                    if req.query.is_empty() {
                        req.query.clone_from(&t.query);
                    }
                    req.set_parsed_query(t.doc.clone());
                    return Ok((req, kind, Origin::Trusted(t)));
                }
                None if req.query.is_empty() => return Err(AppError::PersistedQueryNotFound),
                // The text came along and matches: an unregistered document sent as text.
                None => {}
            }
        }
        let (req, kind) = self.admit_text(req)?;
        Ok((req, kind, Origin::Text))
    }

    fn admit_text(&self, mut req: async_graphql::Request) -> Result<(async_graphql::Request, Kind), AppError> {
        limits::check_text(&req.query, &self.limits)?;
        let doc = match self.parsed.get(&req.query) {
            Some(doc) => doc,
            None => match async_graphql::parser::parse_query(&req.query) {
                Ok(doc) => {
                    limits::check_document(&doc, &self.limits)?;
                    self.parsed.insert(req.query.clone(), doc.clone());
                    doc
                }
                Err(_) => return Ok((req, Kind::Query)),
            },
        };
        let kind = kind_of(&doc);
        req.set_parsed_query(doc);
        Ok((req, kind))
    }
}

fn kind_of(doc: &ExecutableDocument) -> Kind {
    let mut kind = Kind::Query;
    for (_, op) in doc.operations.iter() {
        match op.node.ty {
            OperationType::Subscription => return Kind::Subscription,
            OperationType::Mutation => kind = Kind::Mutation,
            OperationType::Query => {}
        }
    }
    kind
}

/// The name of the operation a request will run: the one it asks for, else the name of its only
/// operation; `None` for an anonymous operation or a text that does not parse.
pub fn operation_name(req: &mut async_graphql::Request) -> Option<String> {
    if let Some(name) = &req.operation_name {
        return Some(name.clone());
    }
    let doc = req.parsed_query().ok()?;
    doc.operations.iter().next().and_then(|(name, _)| name.map(|n| n.to_string()))
}
