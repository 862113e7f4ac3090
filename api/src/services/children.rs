//! Children's records: validation, versioned changes, the staff views with their access log, and
//! the guardian's rights (export, erasure).
//!
//! Why the checks happen before anything is written: an ID number is encrypted at rest, so a typo
//! stored today can never be spotted by a person later. Why versions: a staff decision must be
//! traceable to the record as it was when the decision was made. Identity numbers never appear in
//! versions, logs or audit details — only masked, or as the keyed hash.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{
    eligibility::Facts,
    identity::{IdNumber, IdNumberError, mask},
    regions::Level,
};
use entities::{account, child, child_access_log, child_version, consent};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult, Msg, is_unique_violation},
    services::{
        audit,
        families::{self, Purpose, covers},
        pii::Pii,
    },
    state::AppState,
};

const ID_COLUMN: &str = "id_number";
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

/// What staff see through `childRecord`, after the read was logged.
pub struct StaffRecord {
    /// The row.
    pub child: child::Model,
    /// Facts the staff may process (sensitive ones only under consent).
    pub details: ChildDetails,
    /// Unmasked numbers.
    pub secrets: Secrets,
}

fn invalid(field: &str, zh: &'static str, en: &'static str) -> AppError {
    AppError::validation(field, zh, en)
}

fn duplicate() -> AppError {
    // Deliberately says nothing about where the record is held.
    AppError::conflict(
        "该身份证号的孩子已经登记。如有疑问，请联系居住地民政部门。",
        "a child with this ID number is already registered; contact the civil-affairs office of the residence if this is unexpected",
    )
}

fn withdrawn() -> AppError {
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

fn first_sensitive(f: &Facts) -> Option<&'static str> {
    let present = [
        f.has_disability_certificate.is_some(),
        f.disability_grade.is_some(),
        f.serious_illness.is_some(),
        f.diagnosed_mental_disorder.is_some(),
    ];
    SENSITIVE_FACTS.iter().zip(present).find(|(_, p)| *p).map(|(n, _)| *n)
}

fn strip_sensitive(f: &mut Facts) {
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

/// Details with every sensitive fact removed (staff lists, which are not access-logged).
pub fn without_sensitive(m: &child::Model) -> ChildDetails {
    let mut d = details_of(m);
    strip_sensitive(&mut d.facts);
    d
}

/// Checks a record against the ID check character, the calendar and the region codes.
fn validate(state: &AppState, mut data: ChildData) -> AppResult<(ChildData, Option<IdNumber>)> {
    let divisions = &state.reference.divisions;
    let today = state.clock.today();
    data.name = data.name.trim().to_owned();
    let n = data.name.chars().count();
    if n == 0 || n > 100 || data.name.chars().any(char::is_control) {
        return Err(invalid("name", "姓名须为 1–100 个字符", "name must have 1 to 100 characters"));
    }
    let res = data.residence_region_code.trim().to_owned();
    if !divisions.is_county(&res) || !divisions.in_guizhou(&res) {
        return Err(invalid(
            "residenceRegionCode",
            "现居住地须为贵州省内的县级行政区划代码",
            "the residence must be a county-level division code in Guizhou",
        ));
    }
    if let Some(t) = data.residence_township_code.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let ok = divisions.get(t).is_some_and(|d| d.level == Level::Township) && divisions.county_of(t).is_some_and(|c| c.code == res);
        if !ok {
            return Err(invalid(
                "residenceTownshipCode",
                "乡镇（街道）代码不存在或不属于所填居住县",
                "the township code does not exist or is not in the county of residence",
            ));
        }
        data.residence_township_code = Some(t.to_owned());
    } else {
        data.residence_township_code = None;
    }
    data.residence_region_code = res.clone();
    let f = &mut data.details.facts;
    f.birth_date = Some(data.birth_date);
    f.residence_region_code = Some(res);
    domain::eligibility::validate(f, divisions, today)
        .map_err(|e| AppError::Validation { field: e.field, msg: Msg::owned(e.message_zh, e.message_en) })?;
    if f.residence_since.is_some_and(|s| s > today) {
        return Err(invalid("residenceSince", "开始居住日期不能晚于今天", "the residence start cannot be in the future"));
    }
    if let Some(e) = data.details.residence_permit_endorsed_on
        && (e > today || f.residence_permit_since.is_some_and(|p| e < p))
    {
        return Err(invalid(
            "residencePermitEndorsedOn",
            "签注日期须在居住证办理日期之后且不晚于今天",
            "the endorsement date must be after the permit's issue date and not in the future",
        ));
    }
    match data.details.moved_with.as_deref() {
        None => {}
        Some("no_guardian") if f.moved_with_guardian == Some(true) => {
            return Err(invalid("movedWith", "随迁情况与“随监护人迁移”矛盾", "movedWith contradicts movedWithGuardian"));
        }
        Some("no_guardian") => f.moved_with_guardian = Some(false),
        Some(_) if f.moved_with_guardian == Some(false) => {
            return Err(invalid("movedWith", "随迁情况与“随监护人迁移”矛盾", "movedWith contradicts movedWithGuardian"));
        }
        Some(_) => f.moved_with_guardian = Some(true),
    }
    data.residence_permit_number = data.residence_permit_number.map(|p| p.trim().to_uppercase()).filter(|p| !p.is_empty());
    if let Some(p) = &data.residence_permit_number {
        if p.len() > 40 || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(invalid("residencePermitNumber", "居住证号格式不正确", "malformed residence permit number"));
        }
        if f.has_residence_permit == Some(false) {
            return Err(invalid("residencePermitNumber", "未持有居住证却填写了居住证号", "a permit number is given but no permit is held"));
        }
        f.has_residence_permit = Some(true);
    }
    data.details.school_name = data.details.school_name.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if data.details.school_name.as_ref().is_some_and(|s| s.chars().count() > 100 || s.chars().any(char::is_control)) {
        return Err(invalid("schoolName", "学校名称须为 1–100 个字符", "school name must have 1 to 100 characters"));
    }
    let id = match data.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => {
            let id = IdNumber::parse(raw).map_err(|e| match e {
                IdNumberError::Format => {
                    invalid("idNumber", "身份证号应为 17 位数字加 1 位校验码", "an ID number has 17 digits and a check character")
                }
                IdNumberError::CheckCharacter => {
                    invalid("idNumber", "身份证号校验码不正确，请核对", "the ID number's check character is wrong: please check it")
                }
                IdNumberError::BirthDate => {
                    invalid("idNumber", "身份证号中的出生日期无效", "the ID number contains an impossible birth date")
                }
            })?;
            if id.birth_date() != Some(data.birth_date) {
                return Err(invalid(
                    "idNumber",
                    "身份证号中的出生日期与所填出生日期不一致",
                    "the birth date in the ID number does not match the birth date given",
                ));
            }
            Some(id)
        }
    };
    data.id_number = None;
    Ok((data, id))
}

fn check_sensitive(consents: &[consent::Model], child: Option<Uuid>, f: &Facts) -> AppResult<()> {
    if let Some(field) = first_sensitive(f)
        && !covers(consents, child, Purpose::SensitiveData)
    {
        return Err(AppError::validation(
            field,
            "残疾、健康、心理健康等敏感信息须另行同意后才能填写",
            "sensitive facts (disability, health, mental health) need a separate consent (SENSITIVE_DATA)",
        ));
    }
    Ok(())
}

fn build(pii: &Pii, id: Uuid, household_id: Uuid, data: &ChildData, idn: Option<&IdNumber>, now: DateTime<Utc>) -> AppResult<child::Model> {
    let id_sealed = idn.map(|n| pii.seal(ID_COLUMN, id, n.expose())).transpose()?;
    let permit_sealed = data.residence_permit_number.as_deref().map(|p| pii.seal(PERMIT_COLUMN, id, p)).transpose()?;
    Ok(child::Model {
        id,
        household_id: Some(household_id),
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

/// The numbers of a row, masked for display.
pub fn masked(pii: &Pii, m: &child::Model) -> AppResult<Secrets> {
    let s = secrets(pii, m)?;
    Ok(Secrets { id_number: s.id_number.as_deref().map(mask), permit_number: s.permit_number.as_deref().map(mask) })
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
    let s = masked(pii, m)?;
    Ok(json!(flat(m, (s.id_number, s.permit_number))))
}

fn comparable(pii: &Pii, m: &child::Model) -> AppResult<BTreeMap<String, Value>> {
    let s = secrets(pii, m)?;
    Ok(flat(m, (m.id_number_hash.clone(), s.permit_number.as_deref().map(|p| pii.keyed_hash(p)))))
}

async fn ensure_unique(conn: &impl ConnectionTrait, hash: Option<&str>, except: Uuid) -> AppResult<()> {
    if let Some(h) = hash
        && child::Entity::find().filter(child::Column::IdNumberHash.eq(h)).filter(child::Column::Id.ne(except)).one(conn).await?.is_some()
    {
        return Err(duplicate());
    }
    Ok(())
}

async fn record_version(
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
/// household (no consent → no record) and, for sensitive facts, a sensitive-data consent.
pub async fn add_child(state: &AppState, viewer: &Viewer, data: ChildData) -> AppResult<child::Model> {
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
    let id = Uuid::now_v7();
    let model = build(&state.pii, id, household_id, &data, idn.as_ref(), now)?;
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
    let mut new = build(&state.pii, id, household_id, &data, idn.as_ref(), now)?;
    new.created_at = old.created_at;
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
    let household_id = families::household_of(conn, viewer.account_id).await?.ok_or(AppError::NotFound)?;
    child::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| c.household_id == Some(household_id) && c.deleted_at.is_none())
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

/// The prefix of codes inside a region scope (GB/T 2260 codes are hierarchical).
fn scope_prefix(scope: &str) -> &str {
    if scope.len() == 6 && scope.ends_with("0000") {
        &scope[..2]
    } else if scope.len() == 6 && scope.ends_with("00") {
        &scope[..4]
    } else {
        scope
    }
}

fn in_scope(viewer: &Viewer, c: &child::Model) -> bool {
    viewer.region_contains(&c.residence_region_code) || c.residence_township_code.as_deref().is_some_and(|t| viewer.region_contains(t))
}

/// A page of processable children living in `region_code`, which must lie in the viewer's scope.
pub async fn registered_children(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    first: usize,
    after: Option<Uuid>,
) -> AppResult<(Vec<child::Model>, bool)> {
    if state.reference.divisions.get(region_code).is_none() {
        return Err(invalid("regionCode", "行政区划代码不存在", "unknown region code"));
    }
    if !viewer.region_contains(region_code) {
        return Err(AppError::Forbidden);
    }
    let prefix = scope_prefix(region_code);
    let mut q = child::Entity::find().filter(child::Column::Processable.eq(true)).filter(child::Column::DeletedAt.is_null()).filter(
        Condition::any()
            .add(child::Column::ResidenceRegionCode.starts_with(prefix))
            .add(child::Column::ResidenceTownshipCode.starts_with(prefix)),
    );
    if let Some(a) = after {
        q = q.filter(child::Column::Id.gt(a));
    }
    let mut rows = q.order_by_asc(child::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

/// The full record for staff in scope, unmasked, for a stated purpose; the read is written to the
/// child's access log before the data leaves the server.
pub async fn staff_record(state: &AppState, viewer: &Viewer, id: Uuid, purpose: &str) -> AppResult<StaffRecord> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = child::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|c| c.deleted_at.is_none() && in_scope(viewer, c))
        .ok_or(AppError::NotFound)?;
    let consents = families::consents(&txn, c.household_id.ok_or(AppError::NotFound)?).await?;
    if !covers(&consents, Some(id), Purpose::BasicServices) {
        return Err(AppError::NotFound);
    }
    let secrets = secrets(&state.pii, &c)?;
    let details = processable_details(&c, &consents);
    let mut fields: Vec<&str> = Vec::new();
    if secrets.id_number.is_some() {
        fields.push("idNumber");
    }
    if secrets.permit_number.is_some() {
        fields.push("residencePermitNumber");
    }
    let shown = serde_json::to_value(&details.facts).unwrap_or_default();
    fields.extend(SENSITIVE_FACTS.iter().filter(|f| !shown[**f].is_null()));
    child_access_log::Entity::insert(child_access_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        actor_id: Set(viewer.account_id),
        actor_role: Set(viewer.role.as_str().into()),
        fields: Set(json!(fields)),
        purpose: Set(purpose.into()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, actor = %viewer.account_id, purpose, "staff read a child's record");
    Ok(StaffRecord { child: c, details, secrets })
}

/// A page of the child's access log, newest first, with the staff accounts that read it.
pub async fn access_log(
    state: &AppState,
    viewer: &Viewer,
    child_id: Uuid,
    first: usize,
    before_id: Option<Uuid>,
) -> AppResult<(Vec<(child_access_log::Model, Option<account::Model>)>, bool)> {
    guardian_child(&state.db, viewer, child_id).await?;
    let mut q = child_access_log::Entity::find().filter(child_access_log::Column::ChildId.eq(child_id));
    if let Some(b) = before_id {
        q = q.filter(child_access_log::Column::Id.lt(b));
    }
    let mut rows = q.order_by_desc(child_access_log::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.actor_id).collect();
    let actors = account::Entity::find().filter(account::Column::Id.is_in(ids)).all(&state.db).await?;
    let out = rows
        .into_iter()
        .map(|r| {
            let a = actors.iter().find(|a| a.id == r.actor_id).cloned();
            (r, a)
        })
        .collect();
    Ok((out, more))
}

/// Everything held about the viewer's child, as JSON (PIPL right of access and copy).
pub async fn export(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<Value> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = guardian_child(&txn, viewer, id).await?;
    let consents: Vec<consent::Model> = families::consents(&txn, c.household_id.ok_or(AppError::NotFound)?)
        .await?
        .into_iter()
        .filter(|k| k.child_id.is_none() || k.child_id == Some(id))
        .collect();
    let versions = versions(&txn, id).await?;
    let log = child_access_log::Entity::find()
        .filter(child_access_log::Column::ChildId.eq(id))
        .order_by_asc(child_access_log::Column::Id)
        .all(&txn)
        .await?;
    let s = secrets(&state.pii, &c)?;
    let out = json!({
        "exportedAt": now,
        "child": {
            "id": c.id,
            "name": c.name,
            "sex": c.sex,
            "birthDate": c.birth_date,
            "idNumber": s.id_number,
            "residenceRegionCode": c.residence_region_code,
            "residenceTownshipCode": c.residence_township_code,
            "residencePermitNumber": s.permit_number,
            "details": details_of(&c),
            "version": c.version,
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
        },
        "versions": versions.iter().map(|v| json!({
            "version": v.version, "changedBy": v.changed_by, "changedAt": v.changed_at,
            "changedFields": v.changed_fields, "snapshot": v.snapshot,
        })).collect::<Vec<_>>(),
        "consents": consents.iter().map(|k| json!({
            "id": k.id, "purpose": k.purpose, "childId": k.child_id, "textVersion": k.text_version,
            "givenBy": k.given_by, "givenAt": k.given_at, "withdrawnAt": k.withdrawn_at,
        })).collect::<Vec<_>>(),
        "accessLog": log.iter().map(|l| json!({
            "at": l.created_at, "actorId": l.actor_id, "actorRole": l.actor_role, "fields": l.fields, "purpose": l.purpose,
        })).collect::<Vec<_>>(),
    });
    audit::record(&txn, Some(viewer.account_id), "child.exported", "child", &id.to_string(), None, now).await?;
    txn.commit().await?;
    Ok(out)
}

/// Erases the child's personal data at the guardian's request. What remains is a de-identified
/// tombstone (residence county, birth year) so statistics and the access log stay consistent, the
/// version rows without their snapshots, the consent records (proof of the lawful basis), and the
/// audit entry of the erasure.
pub async fn erase(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = guardian_child(&txn, viewer, id).await?;
    let none_s = Option::<String>::None;
    child::Entity::update_many()
        .col_expr(child::Column::HouseholdId, Expr::value(Option::<Uuid>::None))
        .col_expr(child::Column::Name, Expr::value(none_s.clone()))
        .col_expr(child::Column::Sex, Expr::value(none_s.clone()))
        .col_expr(child::Column::BirthDate, Expr::value(Option::<NaiveDate>::None))
        .col_expr(child::Column::ResidenceTownshipCode, Expr::value(none_s.clone()))
        .col_expr(child::Column::IdNumberCt, Expr::value(none_s.clone()))
        .col_expr(child::Column::IdNumberKid, Expr::value(none_s.clone()))
        .col_expr(child::Column::IdNumberHash, Expr::value(none_s.clone()))
        .col_expr(child::Column::PermitNumberCt, Expr::value(none_s.clone()))
        .col_expr(child::Column::PermitNumberKid, Expr::value(none_s))
        .col_expr(child::Column::Details, Expr::value(Option::<Value>::None))
        .col_expr(child::Column::Processable, Expr::value(false))
        .col_expr(child::Column::DeletedAt, Expr::value(Some(now)))
        .col_expr(child::Column::UpdatedAt, Expr::value(now))
        .filter(child::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    child_version::Entity::update_many()
        .col_expr(child_version::Column::Snapshot, Expr::value(Option::<Value>::None))
        .filter(child_version::Column::ChildId.eq(id))
        .exec(&txn)
        .await?;
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(consent::Column::WithdrawnBy, Expr::value(Some(viewer.account_id)))
        .filter(consent::Column::ChildId.eq(id))
        .filter(consent::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    let detail = json!({"residenceRegionCode": c.residence_region_code, "birthYear": c.birth_year});
    audit::record(&txn, Some(viewer.account_id), "child.erased", "child", &id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, "child record erased at the guardian's request");
    Ok(())
}
