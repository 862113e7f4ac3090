//! Rotating the PII key: re-encrypting stored numbers under the active key id, and proving that
//! the configured keys read every stored number (a restored backup, a new deployment).
//!
//! Why a separate pass and not re-encryption on read: most records are read rarely, so an old key
//! would have to stay in `PII_KEYS` for years. The pass works in batches, each its own short
//! transaction, and a row is only rewritten if its key id is still the one it read, so a guardian
//! editing the record at the same moment loses nothing. Once no value uses an old key id, its
//! start-up check value is removed and the key can leave `PII_KEYS`.

use std::collections::BTreeMap;

use entities::child;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{pii::Pii, services::child_record::ID_COLUMN};

/// One sealed number of a row: associated-data name, key id and ciphertext columns and values.
struct SealedValue<'a> {
    column: &'static str,
    kid_col: child::Column,
    ct_col: child::Column,
    kid: &'a str,
    ct: &'a str,
}

/// The sealed numbers a child row holds (none, one or both).
fn sealed_values(row: &child::Model) -> impl Iterator<Item = SealedValue<'_>> {
    [
        (ID_COLUMN, child::Column::IdNumberKid, child::Column::IdNumberCt, &row.id_number_kid, &row.id_number_ct),
        ("permit_number", child::Column::PermitNumberKid, child::Column::PermitNumberCt, &row.permit_number_kid, &row.permit_number_ct),
    ]
    .into_iter()
    .filter_map(|(column, kid_col, ct_col, kid, ct)| {
        Some(SealedValue { column, kid_col, ct_col, kid: kid.as_deref()?, ct: ct.as_deref()? })
    })
}

/// What a pass over the stored numbers found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KeyReport {
    /// Values read (and, for a re-encryption, written under the active key).
    pub read: u64,
    /// Values no configured key decrypts, by key id (left as they are).
    pub unreadable: BTreeMap<String, u64>,
    /// Old key ids no stored value uses any more (their check values were removed).
    pub retired: Vec<String>,
}

impl std::fmt::Display for KeyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} values read", self.read)?;
        if !self.unreadable.is_empty() {
            let list: Vec<String> = self.unreadable.iter().map(|(k, n)| format!("{n} under key `{k}`")).collect();
            write!(f, "; unreadable: {}", list.join(", "))?;
        }
        if !self.retired.is_empty() {
            write!(f, "; no value uses key id {} any more: it may leave PII_KEYS", self.retired.join(", "))?;
        }
        Ok(())
    }
}

/// Rewrites every number sealed under another key id than the active one, `batch` rows at a time.
pub async fn reencrypt(db: &DatabaseConnection, pii: &Pii, batch: u64) -> Result<KeyReport, sea_orm::DbErr> {
    let active = pii.active_kid().to_owned();
    let mut report = KeyReport::default();
    let mut after = Uuid::nil();
    loop {
        let stale =
            Condition::any().add(child::Column::IdNumberKid.ne(active.as_str())).add(child::Column::PermitNumberKid.ne(active.as_str()));
        let rows = child::Entity::find()
            .filter(child::Column::Id.gt(after))
            .filter(stale)
            .order_by_asc(child::Column::Id)
            .limit(Ord::max(batch, 1))
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let txn = db.begin().await?;
        for row in &rows {
            for SealedValue { column, kid_col, ct_col, kid, ct } in sealed_values(row) {
                if kid == active {
                    continue;
                }
                let Ok(plain) = pii.open(column, row.id, kid, ct) else {
                    *report.unreadable.entry(kid.to_owned()).or_default() += 1;
                    continue;
                };
                let sealed = pii.seal(column, row.id, &plain).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
                let update = Query::update()
                    .table(child::Entity)
                    .value(kid_col, sealed.kid)
                    .value(ct_col, sealed.ciphertext)
                    .and_where(Expr::col(child::Column::Id).eq(row.id))
                    .and_where(Expr::col(kid_col).eq(kid))
                    .to_owned();
                if txn.execute(&update).await?.rows_affected() == 1 {
                    report.read += 1;
                }
            }
        }
        txn.commit().await?;
        tracing::info!(rewritten = report.read, "re-encryption batch committed");
    }
    report.retired = retire_unused_checks(db, &active).await?;
    Ok(report)
}

/// Decrypts every stored number with the configured keys, changing nothing.
pub async fn check(db: &DatabaseConnection, pii: &Pii, batch: u64) -> Result<KeyReport, sea_orm::DbErr> {
    let mut report = KeyReport::default();
    let mut after = Uuid::nil();
    loop {
        let rows = child::Entity::find()
            .filter(child::Column::Id.gt(after))
            .filter(Condition::any().add(child::Column::IdNumberCt.is_not_null()).add(child::Column::PermitNumberCt.is_not_null()))
            .order_by_asc(child::Column::Id)
            .limit(Ord::max(batch, 1))
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for row in &rows {
            for SealedValue { column, kid, ct, .. } in sealed_values(row) {
                match pii.open(column, row.id, kid, ct) {
                    Ok(_) => report.read += 1,
                    Err(_) => *report.unreadable.entry(kid.to_owned()).or_default() += 1,
                }
            }
        }
    }
    Ok(report)
}

/// Removes the start-up check value (`pii:<kid>`) of every old key id no stored value uses.
async fn retire_unused_checks(db: &DatabaseConnection, active: &str) -> Result<Vec<String>, sea_orm::DbErr> {
    let q = Query::select().column(Alias::new("name")).from(Alias::new("key_checks")).to_owned();
    let mut retired = Vec::new();
    for row in db.query_all(&q).await? {
        let name: String = row.try_get("", "name")?;
        let Some(kid) = name.strip_prefix("pii:") else { continue };
        if kid == active {
            continue;
        }
        let in_use = child::Entity::find()
            .filter(Condition::any().add(child::Column::IdNumberKid.eq(kid)).add(child::Column::PermitNumberKid.eq(kid)))
            .select_only()
            .column(child::Column::Id)
            .limit(1)
            .into_tuple::<Uuid>()
            .one(db)
            .await?
            .is_some()
            || entities::document_blob::Entity::find()
                .filter(entities::document_blob::Column::KeyId.eq(kid))
                .select_only()
                .column(entities::document_blob::Column::Id)
                .limit(1)
                .into_tuple::<Uuid>()
                .one(db)
                .await?
                .is_some();
        if !in_use {
            let delete =
                Query::delete().from_table(Alias::new("key_checks")).and_where(Expr::col(Alias::new("name")).eq(name.as_str())).to_owned();
            db.execute(&delete).await?;
            retired.push(kid.to_owned());
        }
    }
    Ok(retired)
}
