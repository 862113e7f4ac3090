//! Documents under a rotated PII key: `api keys reencrypt` rewrites every stored object sealed
//! under an old key id (new random object name, the row switched only if its key id is still the
//! old one, the old object removed after), so the old key can leave `PII_KEYS`; the key-id
//! retirement counts document blobs as users of a key until then.

use entities::document_blob;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::{error::AppResult, state::AppState};

/// What a pass did: objects rewritten, and objects no configured key opens (left as they are).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rewritten {
    /// Re-encrypted under the active key.
    pub rewritten: u64,
    /// Not decryptable with the configured keys.
    pub unreadable: u64,
}

/// Re-encrypts every document object sealed under an old key id, `batch` rows per query.
pub async fn reencrypt(state: &AppState, batch: u64) -> AppResult<Rewritten> {
    let active = state.pii.active_kid().to_owned();
    let mut out = Rewritten::default();
    let mut after = Uuid::nil();
    loop {
        let rows = document_blob::Entity::find()
            .filter(document_blob::Column::Id.gt(after))
            .filter(document_blob::Column::KeyId.ne(active.as_str()))
            .order_by_asc(document_blob::Column::Id)
            .limit(batch.max(1))
            .all(&state.db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for b in rows {
            let Ok(plain) = state.documents.get(&state.pii, b.id, &b.object_key, &b.key_id).await else {
                out.unreadable += 1;
                continue;
            };
            let (key, kid) = state.documents.put(&state.pii, b.id, &plain).await?;
            let switched = document_blob::Entity::update_many()
                .col_expr(document_blob::Column::ObjectKey, Expr::value(key.clone()))
                .col_expr(document_blob::Column::KeyId, Expr::value(kid))
                .filter(document_blob::Column::Id.eq(b.id))
                .filter(document_blob::Column::KeyId.eq(b.key_id.as_str()))
                .exec(&state.db)
                .await?;
            if switched.rows_affected == 1 {
                state.documents.delete(&b.object_key).await?;
                out.rewritten += 1;
            } else {
                state.documents.delete(&key).await?;
            }
        }
    }
    Ok(out)
}
