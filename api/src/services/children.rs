//! Children's records kept by guardians: adding and changing them as versions, reading them back.
//! Validation lives in `child_validation`, staff access in `child_access`, export and erasure in
//! `child_rights`.
//!
//! Why versions: a staff decision must be
//! traceable to the record as it was when the decision was made. Identity numbers never appear in
//! versions, logs or audit details — only masked, or as the keyed hash.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{
    eligibility::Facts,
    identity::{IdNumber, mask},
};
use entities::{child, child_version, consent};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::child_validation::{check_sensitive, validate};
use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult, is_unique_violation},
    services::{
        audit, claims,
        families::{self, Purpose, covers},
        pii::Pii,
    },
    state::AppState,
};

pub(crate) const ID_COLUMN: &str = "id_number";
const PERMIT_COLUMN: &str = "permit_number";

/// Facts that are sensitive personal information (health, disability, mental health): stored and
/// processed only under a separate `SENSITIVE_DATA` consent.
pub const SENSITIVE_FACTS: [&str; 4] = ["hasDisabilityCertificate", "disabilityGrade", "seriousIllness", "diagnosedMentalDisorder"];

/// Everything about a child besides name, sex, birth date, residence codes and the encrypted
/// numbers: the screening facts plus details the rules do not read.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ChildDetails {
    /// Screening facts (birth date and residence county mirror the columns).
    #[serde(flatten)]
    pub facts: Facts,
    /// With whom the child moved: `father`, `mother`, `both_parents`, `other_guardian`, `no_guardian`.
    pub moved_with: Option<String>,
    /// Last annual endorsement (签注) of the residence permit.
    pub residence_permit_endorsed_on: Option<NaiveDate>,
    /// School or kindergarten at the residence.
    pub school_name: Option<String>,
}

/// A child's record as entered by a guardian.
#[derive(Clone, Debug)]
pub struct ChildData {
    /// Name.
    pub name: String,
    /// `female` or `male`.
    pub sex: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Resident identity number (optional for infants).
    pub id_number: Option<String>,
    /// County-level residence code in Guizhou.
    pub residence_region_code: String,
    /// Township of the residence, inside that county.
    pub residence_township_code: Option<String>,
    /// Residence permit number.
    pub residence_permit_number: Option<String>,
    /// The rest.
    pub details: ChildDetails,
}

/// Decrypted identity numbers of a record (only for staff whose task needs them, and exports).
#[derive(Clone, Default)]
pub struct Secrets {
    /// ID number.
    pub id_number: Option<String>,
    /// Residence-permit number.
    pub permit_number: Option<String>,
}

pub(crate) fn invalid(field: &str, zh: &'static str, en: &'static str) -> AppError {
    AppError::validation(field, zh, en)
}

pub(crate) fn duplicate() -> AppError {
    // Deliberately says nothing about where the record is held.
    AppError::conflict(
        "该身份证号的孩子已经登记。如有疑问，请联系居住地民政部门。",
        "a child with this ID number is already registered; contact the civil-affairs office of the residence if this is unexpected",
    )
}

pub(crate) fn withdrawn() -> AppError {
    AppError::conflict(
        "该孩子信息的处理同意已撤回；如需继续办理，请重新同意",
        "consent for this child was withdrawn; give consent again to continue",
    )
}

/// The stored details of a row (empty for an erased one).
pub fn details_of(m: &child::Model) -> ChildDetails {
    let mut d: ChildDetails = m.details.clone().and_then(|j| serde_json::from_value(j).ok()).unwrap_or_default();
    d.facts.birth_date = m.birth_date;
    d.facts.residence_region_code = Some(m.residence_region_code.clone());
    d
}

pub(crate) fn first_sensitive(f: &Facts) -> Option<&'static str> {
    let present = [
        f.has_disability_certificate.is_some(),
        f.disability_grade.is_some(),
        f.serious_illness.is_some(),
        f.diagnosed_mental_disorder.is_some(),
    ];
    SENSITIVE_FACTS.iter().zip(present).find(|(_, p)| *p).map(|(n, _)| *n)
}

pub(crate) fn strip_sensitive(f: &mut Facts) {
    f.has_disability_certificate = None;
    f.disability_grade = None;
    f.serious_illness = None;
    f.diagnosed_mental_disorder = None;
}

/// Details as they may be processed: sensitive facts only while a sensitive-data consent covers the child.
pub fn processable_details(m: &child::Model, consents: &[consent::Model]) -> ChildDetails {
    let mut d = details_of(m);
    if !covers(consents, Some(m.id), Purpose::SensitiveData) {
        strip_sensitive(&mut d.facts);
    }
    d
}

/// Whether the record describes a migrant child in scope (measure (一)) on `day`, decided by the
/// eligibility engine on its non-sensitive facts; a record the engine cannot read is not in scope.
pub fn in_scope_on(state: &AppState, m: &child::Model, day: NaiveDate) -> bool {
    let r = &state.reference;
    domain::eligibility::scope_of(&r.policy, &r.divisions(), &without_sensitive(m).facts, day, domain::eligibility::Lang::Zh)
        .is_ok_and(|d| d.outcome == domain::eligibility::Outcome::Eligible)
}

/// Details with every sensitive fact removed (staff lists, which are not access-logged).
pub fn without_sensitive(m: &child::Model) -> ChildDetails {
    let mut d = details_of(m);
    strip_sensitive(&mut d.facts);
    d
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

/// Decrypts the numbers of a row.
pub fn secrets(pii: &Pii, m: &child::Model) -> AppResult<Secrets> {
    let open = |col, kid: &Option<String>, ct: &Option<String>| match (kid, ct) {
        (Some(k), Some(c)) => pii.open(col, m.id, k, c).map(Some),
        _ => Ok(None),
    };
    Ok(Secrets {
        id_number: open(ID_COLUMN, &m.id_number_kid, &m.id_number_ct)?,
        permit_number: open(PERMIT_COLUMN, &m.permit_number_kid, &m.permit_number_ct)?,
    })
}

/// What a view shows for a stored number its key cannot decrypt.
pub const UNREADABLE: &str = "[unreadable]";

/// One number of a row, decrypted; a number that does not decrypt is [`UNREADABLE`], counted
/// and logged by [`Pii::note_unreadable`], so one damaged row never fails a list of many.
pub fn number_or_unreadable(pii: &Pii, m: &child::Model, column: &str) -> Option<String> {
    let (kid, ct) = if column == ID_COLUMN { (&m.id_number_kid, &m.id_number_ct) } else { (&m.permit_number_kid, &m.permit_number_ct) };
    let (kid, ct) = (kid.as_deref()?, ct.as_deref()?);
    Some(pii.open(column, m.id, kid, ct).unwrap_or_else(|_| {
        pii.note_unreadable(kid);
        UNREADABLE.to_owned()
    }))
}

/// The numbers of a row, masked for display (unreadable ones as [`UNREADABLE`]).
pub fn masked(pii: &Pii, m: &child::Model) -> Secrets {
    let show = |col| number_or_unreadable(pii, m, col).map(|n| if n == UNREADABLE { n } else { mask(&n) });
    Secrets { id_number: show(ID_COLUMN), permit_number: show(PERMIT_COLUMN) }
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

/// Adds a child to the viewer's household. Requires a basic-services consent in force for the
/// household (no consent → no record) and, for sensitive facts, a sensitive-data consent. With a
/// `claim_code` it takes over the screened record of that ID number instead (`claims`), or adds
/// nothing.
pub async fn add_child(state: &AppState, viewer: &Viewer, data: ChildData, claim_code: Option<&str>) -> AppResult<child::Model> {
    let (data, idn) = validate(state, data)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let household_id = families::require_household(&txn, viewer).await?;
    let consents = families::consents(&txn, household_id).await?;
    if !covers(&consents, None, Purpose::BasicServices) {
        return Err(invalid(
            "consent",
            "请先同意为基本公共服务目的处理孩子的个人信息",
            "give consent for basic services (giveConsent) before adding a child",
        ));
    }
    check_sensitive(&consents, None, &data.details.facts)?;
    if let Some(typed) = claim_code {
        let hash = idn.as_ref().map(|n| state.pii.keyed_hash(n.expose()));
        let Some(found) = claims::redeem(state, &txn, hash.as_deref(), typed, now).await? else {
            txn.commit().await?; // keeps the count of wrong guesses
            return Err(claims::refused());
        };
        let linked = claims::link(state, &txn, viewer, found, household_id, &data, idn.as_ref(), &consents, now).await?;
        txn.commit().await?;
        return Ok(linked);
    }
    let id = Uuid::now_v7();
    let model = build(&state.pii, id, Some(household_id), &data, idn.as_ref(), now)?;
    ensure_unique(&txn, model.id_number_hash.as_deref(), id).await?;
    if let Err(e) = child::Entity::insert(child::ActiveModel::from(model.clone())).exec_without_returning(&txn).await {
        return Err(if is_unique_violation(&e) { duplicate() } else { e.into() });
    }
    let fields: Vec<String> = comparable(&state.pii, &model)?.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect();
    record_version(&txn, &state.pii, &model, viewer.account_id, fields, now).await?;
    audit::record(
        &txn,
        Some(viewer.account_id),
        "child.created",
        "child",
        &id.to_string(),
        Some(json!({"householdId": household_id})),
        now,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, "child added");
    Ok(model)
}

/// Replaces a child's record with `data`, as a new version naming the changed fields.
pub async fn update_child(state: &AppState, viewer: &Viewer, id: Uuid, data: ChildData) -> AppResult<child::Model> {
    let (data, idn) = validate(state, data)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let old = guardian_child(&txn, viewer, id).await?;
    let household_id = old.household_id.ok_or(AppError::NotFound)?;
    let consents = families::consents(&txn, household_id).await?;
    if !covers(&consents, Some(id), Purpose::BasicServices) {
        return Err(withdrawn());
    }
    check_sensitive(&consents, Some(id), &data.details.facts)?;
    let mut new = build(&state.pii, id, Some(household_id), &data, idn.as_ref(), now)?;
    new.created_at = old.created_at;
    new.last_verified_at = old.last_verified_at;
    new.due_notified_at = old.due_notified_at;
    new.source = old.source.clone();
    new.processable = old.processable;
    new.version = old.version + 1;
    let (before, after) = (comparable(&state.pii, &old)?, comparable(&state.pii, &new)?);
    let changed: Vec<String> = after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
    if changed.is_empty() {
        return Ok(old);
    }
    ensure_unique(&txn, new.id_number_hash.as_deref(), id).await?;
    let res = child::Entity::update_many()
        .set(child::ActiveModel::from(new.clone()).reset_all())
        .filter(child::Column::Id.eq(id))
        .filter(child::Column::Version.eq(old.version))
        .exec(&txn)
        .await;
    match res {
        Err(e) if is_unique_violation(&e) => return Err(duplicate()),
        Err(e) => return Err(e.into()),
        Ok(r) if r.rows_affected != 1 => {
            return Err(AppError::conflict("记录已被他人修改，请刷新后重试", "the record was changed meanwhile: reload and retry"));
        }
        Ok(_) => {}
    }
    record_version(&txn, &state.pii, &new, viewer.account_id, changed.clone(), now).await?;
    let detail = json!({"version": new.version, "fields": changed});
    audit::record(&txn, Some(viewer.account_id), "child.updated", "child", &id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    Ok(new)
}

/// A child of the viewer's household; anything else (other households, erased, malformed) is
/// `NOT_FOUND`, indistinguishable from a missing id.
pub async fn guardian_child(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<child::Model> {
    use sea_orm::sea_query::Query;
    // One statement: the child, if it is in the household the guardian belongs to (one at most).
    let household = Query::select()
        .column(entities::household_member::Column::HouseholdId)
        .from(entities::household_member::Entity)
        .and_where(entities::household_member::Column::AccountId.eq(viewer.account_id))
        .to_owned();
    child::Entity::find_by_id(id)
        .filter(child::Column::HouseholdId.in_subquery(household))
        .filter(child::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The children of a household (not erased), oldest first.
pub async fn household_children(conn: &impl ConnectionTrait, household_id: Uuid) -> AppResult<Vec<child::Model>> {
    Ok(child::Entity::find()
        .filter(child::Column::HouseholdId.eq(household_id))
        .filter(child::Column::DeletedAt.is_null())
        .order_by_asc(child::Column::Id)
        .all(conn)
        .await?)
}

/// Versions of a record, oldest first.
pub async fn versions(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Vec<child_version::Model>> {
    Ok(child_version::Entity::find()
        .filter(child_version::Column::ChildId.eq(child_id))
        .order_by_asc(child_version::Column::Version)
        .all(conn)
        .await?)
}

/// The facts the eligibility engine may use for the viewer's child.
pub async fn entitlement_facts(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<Facts> {
    let c = guardian_child(&state.db, viewer, id).await?;
    let consents = families::consents(&state.db, c.household_id.ok_or(AppError::NotFound)?).await?;
    if !covers(&consents, Some(id), Purpose::BasicServices) {
        return Err(withdrawn());
    }
    Ok(processable_details(&c, &consents).facts)
}
