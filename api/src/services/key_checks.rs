//! Start-up proof that the configured keys read what is stored. Why: without it a lost or
//! regenerated key shows up only later, as every row written with it failing one by one; with
//! it the server refuses to start and names the key to restore. Each check is a known text sealed
//! with a PII key (`pii:<kid>`) or hashed with `PII_HASH_KEY` (`pii_hash`), kept in `key_checks`;
//! key ids found on stored rows are checked too, so data written before the checks existed counts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entities::child;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Alias, Expr, OnConflict, Query},
};
use uuid::Uuid;

use crate::pii::Pii;

const TABLE: &str = "key_checks";
/// The text every check seals or hashes; it is not secret.
const CHECK_TEXT: &str = "tongxin key check v1";
/// Associated data of sealed checks (no child row has this column).
const CHECK_COLUMN: &str = "key_check";
const HASH_CHECK: &str = "pii_hash";

fn pii_check(kid: &str) -> String {
    format!("pii:{kid}")
}

/// Refuses (with a message naming each missing or changed key, never key material) unless `pii`
/// holds the key of every stored value and the same hash key; then records the checks of the
/// keys in use that are not recorded yet.
pub async fn verify(db: &DatabaseConnection, pii: &Pii, now: DateTime<Utc>) -> Result<(), String> {
    let stored = checks(db).await.map_err(|e| format!("key checks: {e}"))?;
    let counts = stored_kids(db).await.map_err(|e| format!("key checks: {e}"))?;
    let mut kids: BTreeSet<&str> = counts.keys().map(String::as_str).collect();
    kids.extend(stored.keys().filter_map(|n| n.strip_prefix("pii:")));
    let mut problems = Vec::new();
    for kid in kids {
        let n = counts.get(kid).copied().unwrap_or(0);
        if !pii.has_kid(kid) {
            problems.push(format!("PII key `{kid}` is missing from PII_KEYS: {n} stored values were encrypted with it"));
        } else if let Some(ct) = stored.get(&pii_check(kid))
            && pii.open(CHECK_COLUMN, Uuid::nil(), kid, ct).ok().as_deref() != Some(CHECK_TEXT)
        {
            problems.push(format!(
                "PII key `{kid}` in PII_KEYS is not the key that encrypted the stored values ({n} of them): its check value does not decrypt"
            ));
        }
    }
    if stored.get(HASH_CHECK).is_some_and(|h| *h != pii.keyed_hash(CHECK_TEXT)) {
        problems.push("PII_HASH_KEY is not the key that hashed the stored ID numbers: duplicates would no longer be found".to_owned());
    }
    if !problems.is_empty() {
        return Err(format!(
            "keys: {}. Restore the keys (in development and tests: the files in KEYS_DIR) before starting",
            problems.join("; ")
        ));
    }
    let active = pii.active_kid();
    let sealed = pii.seal(CHECK_COLUMN, Uuid::nil(), CHECK_TEXT).map_err(|e| format!("key checks: {e}"))?;
    for (name, value) in [(pii_check(active), sealed.ciphertext), (HASH_CHECK.to_owned(), pii.keyed_hash(CHECK_TEXT))] {
        if !stored.contains_key(&name) {
            let insert = Query::insert()
                .into_table(Alias::new(TABLE))
                .columns([Alias::new("name"), Alias::new("check_value"), Alias::new("created_at")])
                .values_panic([Expr::val(name), Expr::val(value), Expr::val(now)])
                .on_conflict(OnConflict::column(Alias::new("name")).do_nothing().to_owned())
                .to_owned();
            db.execute(&insert).await.map_err(|e| format!("key checks: {e}"))?;
        }
    }
    Ok(())
}

/// Recorded checks by name.
async fn checks(db: &DatabaseConnection) -> Result<BTreeMap<String, String>, sea_orm::DbErr> {
    let q = Query::select().columns([Alias::new("name"), Alias::new("check_value")]).from(Alias::new(TABLE)).to_owned();
    db.query_all(&q).await?.into_iter().map(|r| Ok((r.try_get::<String>("", "name")?, r.try_get::<String>("", "check_value")?))).collect()
}

/// How many stored values each key id encrypted.
async fn stored_kids(db: &DatabaseConnection) -> Result<BTreeMap<String, u64>, sea_orm::DbErr> {
    let mut out = BTreeMap::new();
    for col in [child::Column::IdNumberKid, child::Column::PermitNumberKid] {
        let rows: Vec<(String, i64)> = child::Entity::find()
            .select_only()
            .column(col)
            .column_as(child::Column::Id.count(), "n")
            .filter(col.is_not_null())
            .group_by(col)
            .into_tuple()
            .all(db)
            .await?;
        for (kid, n) in rows {
            *out.entry(kid).or_default() += u64::try_from(n).unwrap_or_default();
        }
    }
    // Documents' objects are sealed with the same keys.
    let blobs: Vec<(String, i64)> = entities::document_blob::Entity::find()
        .select_only()
        .column(entities::document_blob::Column::KeyId)
        .column_as(entities::document_blob::Column::Id.count(), "n")
        .group_by(entities::document_blob::Column::KeyId)
        .into_tuple()
        .all(db)
        .await?;
    for (kid, n) in blobs {
        *out.entry(kid).or_default() += u64::try_from(n).unwrap_or_default();
    }
    Ok(out)
}
