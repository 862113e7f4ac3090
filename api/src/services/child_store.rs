//! Writing a child's record as versions: the row built from a guardian's or a screener's entries,
//! the uniqueness of the ID number, and the version history with its masked snapshots.
//!
//! Why versions: a staff decision must be traceable to the record as it was when the decision was
//! made. Identity numbers never appear in versions, logs or audit details — only masked, or as the
//! keyed hash.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use domain::identity::IdNumber;
use entities::{child, child_version};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    pii::Pii,
    services::child_record::{ChildData, ID_COLUMN, PERMIT_COLUMN, details_of, masked, secrets},
};

/// The answer to a second record with the same ID number.
pub(crate) fn duplicate() -> AppError {
    // Deliberately says nothing about where the record is held.
    AppError::conflict(
        "该身份证号的孩子已经登记。如有疑问，请联系居住地民政部门。",
        "a child with this ID number is already registered; contact the civil-affairs office of the residence if this is unexpected",
    )
}

/// A new row for `data`; `household_id` is none for a child registered in grassroots screening
/// until a guardian takes the record over.
pub(crate) fn build(
    pii: &Pii,
    id: Uuid,
    household_id: Option<Uuid>,
    data: &ChildData,
    idn: Option<&IdNumber>,
    now: DateTime<Utc>,
) -> AppResult<child::Model> {
    let id_sealed = idn.map(|n| pii.seal(ID_COLUMN, id, n.expose())).transpose()?;
    let permit_sealed = data.residence_permit_number.as_deref().map(|p| pii.seal(PERMIT_COLUMN, id, p)).transpose()?;
    Ok(child::Model {
        id,
        household_id,
        name: Some(data.name.clone()),
        sex: Some(data.sex.clone()),
        birth_date: Some(data.birth_date),
        birth_year: Some(data.birth_date.year()),
        residence_region_code: data.residence_region_code.clone(),
        residence_township_code: data.residence_township_code.clone(),
        id_number_kid: id_sealed.as_ref().map(|s| s.kid.clone()),
        id_number_ct: id_sealed.map(|s| s.ciphertext),
        id_number_hash: idn.map(|n| pii.keyed_hash(n.expose())),
        permit_number_kid: permit_sealed.as_ref().map(|s| s.kid.clone()),
        permit_number_ct: permit_sealed.map(|s| s.ciphertext),
        details: Some(serde_json::to_value(&data.details).map_err(AppError::internal)?),
        processable: true,
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        last_verified_at: Some(now),
        due_notified_at: None,
        source: "guardian".into(),
    })
}

/// The record flattened to field → value; `numbers` decides how the two numbers appear (masked
/// in stored snapshots, keyed hashes when comparing versions).
fn flat(m: &child::Model, numbers: (Option<String>, Option<String>)) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = match serde_json::to_value(details_of(m)) {
        Ok(Value::Object(o)) => o.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    out.insert("name".into(), json!(m.name));
    out.insert("sex".into(), json!(m.sex));
    out.insert("residenceTownshipCode".into(), json!(m.residence_township_code));
    out.insert("idNumber".into(), json!(numbers.0));
    out.insert("residencePermitNumber".into(), json!(numbers.1));
    out
}

fn snapshot(pii: &Pii, m: &child::Model) -> AppResult<Value> {
    let s = masked(pii, m);
    Ok(json!(flat(m, (s.id_number, s.permit_number))))
}

pub(crate) fn comparable(pii: &Pii, m: &child::Model) -> AppResult<BTreeMap<String, Value>> {
    let s = secrets(pii, m)?;
    Ok(flat(m, (m.id_number_hash.clone(), s.permit_number.as_deref().map(|p| pii.keyed_hash(p)))))
}

pub(crate) async fn ensure_unique(conn: &impl ConnectionTrait, hash: Option<&str>, except: Uuid) -> AppResult<()> {
    if let Some(h) = hash
        && child::Entity::find().filter(child::Column::IdNumberHash.eq(h)).filter(child::Column::Id.ne(except)).one(conn).await?.is_some()
    {
        return Err(duplicate());
    }
    Ok(())
}

pub(crate) async fn record_version(
    conn: &impl ConnectionTrait,
    pii: &Pii,
    m: &child::Model,
    actor: Uuid,
    fields: Vec<String>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    child_version::Entity::insert(child_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(m.id),
        version: Set(m.version),
        changed_by: Set(Some(actor)),
        changed_at: Set(now),
        changed_fields: Set(json!(fields)),
        snapshot: Set(Some(snapshot(pii, m)?)),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Versions of a record, oldest first.
pub async fn versions(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Vec<child_version::Model>> {
    Ok(child_version::Entity::find()
        .filter(child_version::Column::ChildId.eq(child_id))
        .order_by_asc(child_version::Column::Version)
        .all(conn)
        .await?)
}

/// The fields a record's first version names: every one filled in.
pub(crate) fn filled_fields(pii: &Pii, m: &child::Model) -> AppResult<Vec<String>> {
    Ok(comparable(pii, m)?.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect())
}
