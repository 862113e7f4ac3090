//! Trusted documents (persisted operations). The mini-program and the console ship a fixed set of
//! operations; clients may send a document's SHA-256 hash instead of its text, either as the
//! Apollo extension `extensions.persistedQuery { version: 1, sha256Hash }` or as the GraphQL over
//! HTTP `documentId` (`"sha256:<hex>"`). Documents come from the `TRUSTED_DOCUMENTS` manifest at
//! start and from administrators (`registerTrustedDocument`, kept in the database so every
//! replica serves them). Each is parsed and measured once, when it becomes known.

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, RwLock},
};

use async_graphql::parser::types::ExecutableDocument;
use entities::trusted_document;
use sea_orm::{ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};

use super::limits::{self, DocumentLimits};
use crate::{
    auth::{Role, viewer::Auth},
    error::{AppError, AppResult},
};

/// The key under which transports put a `documentId` into the request's extensions.
pub const DOCUMENT_ID: &str = "documentId";

/// A registered document, parsed.
pub struct Trusted {
    /// Its text.
    pub query: String,
    /// Its parse, reused by every request that names it.
    pub doc: ExecutableDocument,
    /// It passed the schema's validation once, so later requests skip it
    /// ([`prevalidated`](super::prevalidated)).
    validated: std::sync::atomic::AtomicBool,
}

impl Trusted {
    /// Whether the document has passed the schema's validation.
    pub fn validated(&self) -> bool {
        self.validated.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records that a request running the document passed the schema's validation (a rule that
    /// holds for one request holds for all, variables apart).
    pub fn mark_validated(&self) {
        self.validated.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Every trusted document this process knows, by lower-case hex hash.
pub struct TrustedDocuments {
    known: RwLock<HashMap<String, Arc<Trusted>>>,
    only: bool,
}

/// Where a request's document came from.
#[derive(Clone)]
pub enum Origin {
    /// Named by its hash and registered.
    Trusted(Arc<Trusted>),
    /// Sent as text.
    Text,
}

impl TrustedDocuments {
    /// The documents of the manifest at `path` (none without one); `only` restricts anonymous
    /// and guardian callers to them. A manifest that cannot be read, a hash that does not match
    /// its text, or a document that does not parse or exceeds the limits stops the start.
    pub fn load(path: Option<&Path>, only: bool) -> Result<Self, String> {
        let store = TrustedDocuments { known: RwLock::new(HashMap::new()), only };
        let Some(path) = path else { return Ok(store) };
        let text = std::fs::read_to_string(path).map_err(|e| format!("TRUSTED_DOCUMENTS {}: {e}", path.display()))?;
        for (hash, query) in manifest_entries(&text).map_err(|e| format!("TRUSTED_DOCUMENTS {}: {e}", path.display()))? {
            let hash = normal_hash(&hash).ok_or_else(|| format!("TRUSTED_DOCUMENTS: `{hash}` is not a SHA-256 hex hash"))?;
            if hash_of(&query) != hash {
                return Err(format!("TRUSTED_DOCUMENTS: the document under {hash} does not have that SHA-256 hash"));
            }
            let doc = parse(&query).map_err(|e| format!("TRUSTED_DOCUMENTS: document {hash}: {}", e.message(crate::error::Lang::En)))?;
            store.remember(hash, query, doc);
        }
        Ok(store)
    }

    /// Whether anonymous and guardian callers are held to trusted documents.
    pub fn only(&self) -> bool {
        self.only
    }

    fn remember(&self, hash: String, query: String, doc: ExecutableDocument) -> Arc<Trusted> {
        let t = Arc::new(Trusted { query, doc, validated: false.into() });
        self.known.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(hash, t.clone());
        t
    }

    fn cached(&self, hash: &str) -> Option<Arc<Trusted>> {
        self.known.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(hash).cloned()
    }

    /// The document with `hash`: from memory, else from the database (registered on another
    /// replica since this one started), then remembered.
    pub async fn find(&self, db: &impl ConnectionTrait, hash: &str) -> AppResult<Option<Arc<Trusted>>> {
        if let Some(t) = self.cached(hash) {
            return Ok(Some(t));
        }
        let Some(row) = trusted_document::Entity::find_by_id(hash.to_owned()).one(db).await? else { return Ok(None) };
        // Checked when registered; a row that no longer parses (limits tightened) is not served.
        let Ok(doc) = parse(&row.query) else { return Ok(None) };
        Ok(Some(self.remember(row.hash, row.query, doc)))
    }

    /// Registers `query` (already checked by [`parse`]) under its hash in this process.
    pub fn add(&self, hash: String, query: String, doc: ExecutableDocument) {
        self.remember(hash, query, doc);
    }

    /// Refuses a free-text document from a caller held to trusted documents. A text that is
    /// exactly a registered document counts as that document.
    pub async fn check_caller(&self, db: &impl ConnectionTrait, auth: &Auth, origin: &Origin, query: &str) -> AppResult<()> {
        if !self.only || matches!(origin, Origin::Trusted(_)) {
            return Ok(());
        }
        let restricted = match auth {
            Auth::Signed(v) => v.role == Role::Guardian,
            _ => true,
        };
        if restricted && self.find(db, &hash_of(query)).await?.is_none() {
            return Err(AppError::PersistedQueryRequired);
        }
        Ok(())
    }
}

/// Lower-case hex SHA-256 of a document's text.
pub fn hash_of(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

/// A hash as clients write it (`sha256:<hex>` or bare hex, any case), in stored form.
pub fn normal_hash(s: &str) -> Option<String> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

/// Parses and measures a document to be trusted: it must parse and pass the public limits.
pub fn parse(query: &str) -> AppResult<ExecutableDocument> {
    let invalid = || AppError::validation("query", "查询文档无法解析", "the document does not parse");
    limits::check_text(query, &DocumentLimits::PUBLIC)?;
    let doc = async_graphql::parser::parse_query(query).map_err(|_| invalid())?;
    limits::check_document(&doc, &DocumentLimits::PUBLIC)?;
    if doc.operations.iter().next().is_none() {
        return Err(invalid());
    }
    Ok(doc)
}

/// The hash a request names instead of (or along with) its text, if any.
pub fn requested_hash(req: &async_graphql::Request) -> AppResult<Option<String>> {
    let bad = |field: &str| AppError::Validation {
        field: field.to_owned(),
        msg: crate::error::Msg::new("持久化查询的哈希格式错误", "the persisted query hash is not a SHA-256 hex hash"),
    };
    if let Some(pq) = req.extensions.get("persistedQuery") {
        let async_graphql::Value::Object(pq) = pq else { return Err(bad("extensions.persistedQuery")) };
        if pq.get("version").is_some_and(|v| !matches!(v, async_graphql::Value::Number(n) if n.as_u64() == Some(1))) {
            return Err(bad("extensions.persistedQuery.version"));
        }
        return match pq.get("sha256Hash") {
            Some(async_graphql::Value::String(h)) => normal_hash(h).map(Some).ok_or_else(|| bad("extensions.persistedQuery.sha256Hash")),
            _ => Err(bad("extensions.persistedQuery.sha256Hash")),
        };
    }
    match req.extensions.get(DOCUMENT_ID) {
        None => Ok(None),
        Some(async_graphql::Value::String(id)) => normal_hash(id).map(Some).ok_or_else(|| bad(DOCUMENT_ID)),
        Some(_) => Err(bad(DOCUMENT_ID)),
    }
}

/// The text sent with a hash is not the document with that hash.
pub fn mismatch() -> AppError {
    AppError::validation(
        "extensions.persistedQuery.sha256Hash",
        "查询文本与其哈希不符",
        "the document's text does not match the hash sent with it",
    )
}

/// `(hash, text)` of every document of a manifest: a map of hash to text, or an Apollo
/// persisted-query manifest.
fn manifest_entries(text: &str) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let serde_json::Value::Object(map) = value else { return Err("expected a JSON object".into()) };
    if let Some(ops) = map.get("operations") {
        let ops = ops.as_array().ok_or("`operations` must be an array")?;
        return ops
            .iter()
            .map(|op| match (op.get("id").and_then(|v| v.as_str()), op.get("body").and_then(|v| v.as_str())) {
                (Some(id), Some(body)) => Ok((id.to_owned(), body.to_owned())),
                _ => Err("every operation needs `id` and `body`".to_owned()),
            })
            .collect();
    }
    map.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(q) => Ok((k, q)),
            _ => Err(format!("the value of `{k}` must be the document text")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_of_both_forms_are_read() {
        let q = "{ __typename }";
        let h = hash_of(q);
        let plain = format!(r#"{{"sha256:{h}": "{q}"}}"#);
        assert_eq!(manifest_entries(&plain).expect("map"), vec![(format!("sha256:{h}"), q.to_owned())]);
        let apollo = format!(
            r#"{{"format":"apollo-persisted-query-manifest","version":1,"operations":[{{"id":"{h}","name":"T","type":"query","body":"{q}"}}]}}"#
        );
        assert_eq!(manifest_entries(&apollo).expect("apollo"), vec![(h.clone(), q.to_owned())]);
        assert_eq!(normal_hash(&format!("sha256:{}", h.to_uppercase())), Some(h));
        assert_eq!(normal_hash("abc"), None);
    }
}
