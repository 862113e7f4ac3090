//! Administrators register trusted documents (persisted operations) that clients then send by
//! hash. Registered documents are kept in the database, so every replica serves them.

use async_graphql::{Context, Object};
use entities::trusted_document;
use sea_orm::{EntityTrait, Set, sea_query::OnConflict};

use super::{context::state, persisted};
use crate::{
    auth::{Role, viewer::require_role},
    error::AppResult,
    services::audit,
};

/// Trusted-document mutations.
#[derive(Default)]
pub struct TrustedDocumentMutation;

#[Object]
impl TrustedDocumentMutation {
    /// Registers a document (admins) and returns its SHA-256 hash (lower-case hex), which clients
    /// send as `extensions.persistedQuery.sha256Hash` or as `documentId: "sha256:<hash>"`. The
    /// document must parse and stay within the public document limits (`VALIDATION` on `query`
    /// otherwise). Registering the same text again returns the same hash.
    async fn register_trusted_document(&self, ctx: &Context<'_>, query: String) -> AppResult<String> {
        let viewer = require_role(ctx, &[Role::Admin])?;
        let s = state(ctx);
        let doc = persisted::parse(&query)?;
        let hash = persisted::hash_of(&query);
        let now = s.clock.now();
        let txn = crate::db::begin_write(&s.db).await?;
        let added = trusted_document::Entity::insert(trusted_document::ActiveModel {
            hash: Set(hash.clone()),
            query: Set(query.clone()),
            created_by: Set(Some(viewer.account_id)),
            created_at: Set(now),
        })
        .on_conflict(OnConflict::column(trusted_document::Column::Hash).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
        if added == 1 {
            audit::record(&txn, Some(viewer.account_id), "trusted_document.registered", "trusted_document", &hash, None, now).await?;
        }
        txn.commit().await?;
        s.trusted.add(hash.clone(), query, doc);
        Ok(hash)
    }
}
