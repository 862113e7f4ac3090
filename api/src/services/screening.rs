//! The migrant-children register of measure (一): children found in grassroots screening (摸排)
//! by child directors and supervisors, the six-monthly verification of every record (半年比对核实)
//! with its due list and daily reminder, and the mark on open requests of a child who turned 16.
//!
//! Why a screened child has no household: the family may not use the app yet. The guardian's
//! consent was given on paper and is recorded with who recorded it; the household takes the record
//! over later only with the claim code staff issue for the form (`claims`).

use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    monitoring::{leaves_scope_on, sixteen_cutoff, verification_cutoff},
    regions::Level,
};
use entities::{account, child, child_verification, consent, request, screening};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    audit,
    child_access::in_area,
    child_validation::{check_sensitive, validate},
    children::{ChildData, build, comparable, details_of, duplicate, ensure_unique, record_version},
    families,
};
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult, is_unique_violation},
    mail::{outbox, templates},
    state::AppState,
};

/// Consent given on paper during screening.
#[derive(Clone, Debug)]
pub struct PaperConsent {
    /// The guardian who signed.
    pub signed_by: String,
    /// Date on the form.
    pub signed_on: NaiveDate,
    /// Version of the consent text on the form.
    pub text_version: String,
}

/// Roles that keep the register: civil affairs, child supervisors (township) and child directors.
pub fn require_monitor(viewer: &Viewer) -> AppResult<()> {
    match viewer.role {
        Role::CivilAffairs | Role::ChildSupervisor | Role::ChildDirector => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Checks a region argument of a monitoring query: it must exist, and lie in the viewer's area
/// (anything else is `NOT_FOUND`, as if there were nothing there).
pub fn area(state: &AppState, viewer: &Viewer, region_code: &str) -> AppResult<String> {
    let code = region_code.trim();
    if state.reference.divisions().get(code).is_none() {
        return Err(AppError::validation("regionCode", "行政区划代码不存在", "unknown region code"));
    }
    if !viewer.region_contains(code) {
        return Err(AppError::NotFound);
    }
    Ok(code.to_owned())
}

/// Children (not erased, processable) living in `region` — county or township codes below it.
pub(crate) fn living_in(region: &str) -> Condition {
    let prefix = crate::auth::viewer::region_prefix(region).to_owned();
    Condition::all().add(child::Column::Processable.eq(true)).add(child::Column::DeletedAt.is_null()).add(
        Condition::any()
            .add(child::Column::ResidenceRegionCode.starts_with(prefix.as_str()))
            .add(child::Column::ResidenceTownshipCode.starts_with(prefix.as_str())),
    )
}

/// Midnight starting `day` in China, in UTC.
pub(crate) fn china_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8)
}

/// Registers a child found in screening, with the guardian's paper consent.
pub async fn register_screened(state: &AppState, viewer: &Viewer, data: ChildData, consent: PaperConsent) -> AppResult<child::Model> {
    if !matches!(viewer.role, Role::ChildDirector | Role::ChildSupervisor) {
        return Err(AppError::Forbidden);
    }
    let (data, idn) = validate(state, data)?;
    let Some(township) = data.residence_township_code.clone() else {
        return Err(AppError::validation(
            "residenceTownshipCode",
            "请填写儿童所在乡镇（街道）",
            "the township where the child lives is required",
        ));
    };
    if !viewer.region_contains(&township) {
        return Err(AppError::Forbidden);
    }
    let consent = check_consent(state, consent)?;
    check_sensitive(&[], None, &data.details.facts)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let id = Uuid::now_v7();
    let mut model = build(&state.pii, id, None, &data, idn.as_ref(), now)?;
    model.source = "screening".into();
    ensure_unique(&txn, model.id_number_hash.as_deref(), id).await?;
    if let Err(e) = child::Entity::insert(child::ActiveModel::from(model.clone())).exec_without_returning(&txn).await {
        return Err(if is_unique_violation(&e) { duplicate() } else { e.into() });
    }
    screening::Entity::insert(screening::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        recorded_by: Set(viewer.account_id),
        township_code: Set(township.clone()),
        consent_signed_by: Set(consent.signed_by),
        consent_signed_on: Set(consent.signed_on),
        consent_text_version: Set(consent.text_version),
        created_at: Set(now),
        linked_at: Set(None),
        claim_code_hash: Set(None),
        claim_code_expires_at: Set(None),
        claim_code_attempts: Set(0),
    })
    .exec_without_returning(&txn)
    .await?;
    let fields: Vec<String> = comparable(&state.pii, &model)?.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k).collect();
    record_version(&txn, &state.pii, &model, viewer.account_id, fields, now).await?;
    audit::record(&txn, Some(viewer.account_id), "child.screened", "child", &id.to_string(), Some(json!({"township": township})), now)
        .await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, "child registered in screening");
    Ok(model)
}

fn check_consent(state: &AppState, mut c: PaperConsent) -> AppResult<PaperConsent> {
    c.signed_by = super::text::line(&c.signed_by, "consent.signedBy", 64)?;
    c.text_version = c.text_version.trim().to_owned();
    if !domain::date_windows::is_plausible_signature(c.signed_on, state.clock.today()) {
        return Err(AppError::validation(
            "consent.signedOn",
            "签字日期不能晚于今天，也不能早于两年前",
            "the consent cannot be signed in the future or more than two years ago",
        ));
    }
    if c.text_version.is_empty() || c.text_version.len() > 32 {
        return Err(AppError::validation("consent.textVersion", "请填写同意书版本", "the version of the consent text is required"));
    }
    Ok(c)
}

/// The screening record of a child, if it was registered in screening.
pub async fn screening_of(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Option<screening::Model>> {
    Ok(screening::Entity::find().filter(screening::Column::ChildId.eq(child_id)).one(conn).await?)
}

/// Facts a verification may correct: where the child lives now and since when.
#[derive(Clone, Debug, Default)]
pub struct Corrections {
    /// New county of residence.
    pub residence_region_code: Option<String>,
    /// New township of residence.
    pub residence_township_code: Option<String>,
    /// New start of residence.
    pub residence_since: Option<NaiveDate>,
    /// School or kindergarten now attended.
    pub school_name: Option<String>,
    /// Free note.
    pub note: Option<String>,
}

/// A child the viewer may verify: staff of the area (record processable), or the child's guardian.
async fn verifiable(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<child::Model> {
    if viewer.role == Role::Guardian {
        let c = super::children::guardian_child(conn, viewer, id).await?;
        if !c.processable {
            return Err(super::children::withdrawn());
        }
        return Ok(c);
    }
    require_monitor(viewer)?;
    child::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|c| c.deleted_at.is_none() && c.processable && in_area(viewer, c))
        .ok_or(AppError::NotFound)
}

/// Confirms a record (and corrects its residence when it changed); resets its six-month clock.
pub async fn verify(state: &AppState, viewer: &Viewer, id: Uuid, fix: Corrections) -> AppResult<child::Model> {
    let now = state.clock.now();
    let today = state.clock.today();
    let divisions = &state.reference.divisions();
    let note = super::text::optional_paragraph(fix.note.as_deref(), "note", 1000)?;
    let txn = db::begin_write(&state.db).await?;
    let old = verifiable(&txn, viewer, id).await?;
    let mut new = old.clone();
    let mut details = details_of(&old);
    let mut changes = serde_json::Map::new();
    if let Some(county) = fix.residence_region_code.as_deref().map(str::trim).filter(|c| *c != old.residence_region_code) {
        if !divisions.is_county(county) || !divisions.in_guizhou(county) {
            return Err(AppError::validation(
                "residenceRegionCode",
                "现居住地须为贵州省内的县级行政区划代码",
                "the residence must be a county-level division code in Guizhou",
            ));
        }
        changes.insert("residenceRegionCode".into(), json!([old.residence_region_code, county]));
        new.residence_region_code = county.to_owned();
        details.facts.residence_region_code = Some(county.to_owned());
        if fix.residence_township_code.is_none() {
            new.residence_township_code = None;
        }
    }
    if let Some(t) = fix.residence_township_code.as_deref().map(str::trim) {
        let ok = divisions.get(t).is_some_and(|d| d.level == Level::Township)
            && divisions.county_of(t).is_some_and(|c| c.code == new.residence_region_code);
        if !ok {
            return Err(AppError::validation(
                "residenceTownshipCode",
                "乡镇（街道）代码不存在或不属于所填居住县",
                "the township code does not exist or is not in the county of residence",
            ));
        }
        if old.residence_township_code.as_deref() != Some(t) {
            changes.insert("residenceTownshipCode".into(), json!([old.residence_township_code, t]));
            new.residence_township_code = Some(t.to_owned());
        }
    }
    if let Some(since) = fix.residence_since.filter(|s| Some(*s) != details.facts.residence_since) {
        if since > today || old.birth_date.is_some_and(|b| since < b) {
            return Err(AppError::validation(
                "residenceSince",
                "居住起始日期不能晚于今天，也不能早于出生日期",
                "the residence cannot start in the future or before birth",
            ));
        }
        changes.insert("residenceSince".into(), json!([details.facts.residence_since, since]));
        details.facts.residence_since = Some(since);
    }
    if let Some(school) = fix.school_name.as_deref().map(str::trim).filter(|s| details.school_name.as_deref() != Some(*s)) {
        super::text::optional_line(Some(school), "schoolName", 200)?;
        changes.insert("schoolName".into(), json!([details.school_name, school]));
        details.school_name = Some(school.to_owned()).filter(|s| !s.is_empty());
    }
    new.last_verified_at = Some(now);
    new.due_notified_at = None;
    new.updated_at = now;
    if !changes.is_empty() {
        new.version = old.version + 1;
        new.details = Some(serde_json::to_value(&details).map_err(AppError::internal)?);
    }
    let res = child::Entity::update_many()
        .set(child::ActiveModel::from(new.clone()).reset_all())
        .filter(child::Column::Id.eq(id))
        .filter(child::Column::Version.eq(old.version))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::conflict("记录已被他人修改，请刷新后重试", "the record was changed meanwhile: reload and retry"));
    }
    let changed: Vec<String> = changes.keys().cloned().collect();
    if !changed.is_empty() {
        record_version(&txn, &state.pii, &new, viewer.account_id, changed.clone(), now).await?;
    }
    child_verification::Entity::insert(child_verification::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        actor_id: Set(viewer.account_id),
        actor_role: Set(viewer.role.as_str().into()),
        changes: Set((!changes.is_empty()).then_some(Value::Object(changes))),
        note: Set(note),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(&txn, Some(viewer.account_id), "child.verified", "child", &id.to_string(), Some(json!({"fields": changed})), now).await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, role = viewer.role.as_str(), "child record verified");
    Ok(new)
}

/// Verifications of a record, newest first.
pub async fn verifications(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Vec<child_verification::Model>> {
    Ok(child_verification::Entity::find()
        .filter(child_verification::Column::ChildId.eq(child_id))
        .order_by_desc(child_verification::Column::Id)
        .all(conn)
        .await?)
}

/// Records of children under 16 not verified for six months (exactly six months is due) in
/// `region`, oldest verification first; keyset after (last verified, id).
pub async fn due(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    first: usize,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> AppResult<(Vec<child::Model>, bool)> {
    require_monitor(viewer)?;
    let region = area(state, viewer, region_code)?;
    let today = state.clock.today();
    let mut q = child::Entity::find().filter(living_in(&region)).filter(due_on(today));
    if let Some((at, id)) = after {
        q = q.filter(
            Condition::any()
                .add(child::Column::LastVerifiedAt.gt(at))
                .add(Condition::all().add(child::Column::LastVerifiedAt.eq(at)).add(child::Column::Id.gt(id))),
        );
    }
    let mut rows =
        q.order_by_asc(child::Column::LastVerifiedAt).order_by_asc(child::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

/// Records due on `today`: under 16 and last verified on or before the six-month cutoff day.
fn due_on(today: NaiveDate) -> Condition {
    let before = china_midnight(verification_cutoff(today) + chrono::Duration::days(1));
    Condition::all().add(child::Column::LastVerifiedAt.lt(before)).add(child::Column::BirthDate.gt(sixteen_cutoff(today)))
}

/// The daily job: tells each responsible child director (else the county's civil-affairs staff)
/// how many records in their area became due, once per record and due period however many server
/// processes run (each record is claimed with a conditional update). No child is named in the
/// e-mail; the director opens the due list in the app.
pub async fn notify_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let today = state.clock.today();
    let candidates: Vec<(Uuid, String, Option<String>, Option<Uuid>)> = child::Entity::find()
        .select_only()
        .columns([child::Column::Id, child::Column::ResidenceRegionCode, child::Column::ResidenceTownshipCode, child::Column::HouseholdId])
        .filter(child::Column::Processable.eq(true))
        .filter(child::Column::DeletedAt.is_null())
        .filter(child::Column::DueNotifiedAt.is_null())
        .filter(due_on(today))
        .limit(5000)
        .into_tuple()
        .all(&state.db)
        .await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let txn = db::begin_write(&state.db).await?;
    let mut per_place: std::collections::BTreeMap<(String, Option<String>), usize> = Default::default();
    let mut families = Vec::new();
    for (id, county, township, household) in candidates {
        let claimed = child::Entity::update_many()
            .col_expr(child::Column::DueNotifiedAt, Expr::value(now))
            .filter(child::Column::Id.eq(id))
            .filter(child::Column::DueNotifiedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            *per_place.entry((county, township)).or_default() += 1;
            families.extend(household.map(|h| (id, h)));
        }
    }
    let staff = account::Entity::find()
        .filter(account::Column::Role.is_in([Role::ChildDirector.as_str(), Role::CivilAffairs.as_str()]))
        .filter(account::Column::DisabledAt.is_null())
        .all(&txn)
        .await?;
    let mut told: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total = 0;
    for ((county, township), n) in per_place {
        total += n;
        let place = township.as_deref().unwrap_or(&county);
        let directors: Vec<&account::Model> = staff
            .iter()
            .filter(|a| {
                a.role == Role::ChildDirector.as_str()
                    && a.region_code.as_deref().is_some_and(|r| crate::auth::viewer::region_contains(r, place))
            })
            .collect();
        let responsible: Vec<&account::Model> = if directors.is_empty() {
            staff.iter().filter(|a| a.role == Role::CivilAffairs.as_str() && a.region_code.as_deref() == Some(county.as_str())).collect()
        } else {
            directors
        };
        for email in responsible.into_iter().filter_map(|a| a.email.clone()) {
            *told.entry(email).or_default() += n;
        }
    }
    for (email, n) in &told {
        let mail = templates::notice(
            "儿童信息到期核实提醒",
            "Child records due for verification",
            format!("您负责的区域有 {n} 名流动儿童的信息已满半年未核实。请登录童心平台，在“待核实”列表中逐一比对核实。"),
            format!(
                "{n} migrant-child records in your area have not been verified for six months. Open the due list in Tongxin to verify them."
            ),
        );
        outbox::enqueue(&txn, email, mail, now).await?;
    }
    for (child_id, household) in families {
        tell_guardians(&txn, child_id, household, now).await?;
    }
    txn.commit().await?;
    state.mail_wake.notify_one();
    if total > 0 {
        tracing::info!(records = total, recipients = told.len(), "verification reminders queued");
    }
    Ok(total)
}

/// Tells each guardian of the household, on the family's channels, that the child's record is due
/// and can be confirmed in the app (a child found in screening without a household has nobody
/// to tell: staff verify it). The notice names no child: the family opens the app to see which.
async fn tell_guardians(txn: &impl ConnectionTrait, child_id: Uuid, household: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let guardians: Vec<Uuid> = entities::household_member::Entity::find()
        .select_only()
        .column(entities::household_member::Column::AccountId)
        .filter(entities::household_member::Column::HouseholdId.eq(household))
        .into_tuple()
        .all(txn)
        .await?;
    for guardian in guardians {
        let mail = templates::notice(
            "孩子信息待核实",
            "Your child's record needs confirming",
            "您孩子在童心登记的信息已满半年未核实。请登录童心，在孩子的信息页核对并确认，信息有变化请一并更新。".into(),
            "Your child's record in Tongxin has not been confirmed for six months. Please sign in, check it on the child's page and confirm it (or correct what changed).".into(),
        );
        crate::notify::enqueue(txn, guardian, Some(child_id), crate::notify::events::verification_due(now, mail), now).await?;
    }
    Ok(())
}

/// Marks the open requests of children who turned 16: the child leaves scope that day, the
/// request stays open and carries the day (and an event in its history).
pub async fn mark_aged_out(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let today = state.clock.today();
    // Only requests of children already 16: the job runs at every pass, so it must not read every
    // open request of the province each time.
    let cutoff = sixteen_cutoff(today);
    let aged = sea_orm::sea_query::Query::select()
        .column(child::Column::Id)
        .from(child::Entity)
        .and_where(child::Column::BirthDate.lte(cutoff))
        .to_owned();
    let open: Vec<(Uuid, Uuid)> = request::Entity::find()
        .select_only()
        .columns([request::Column::Id, request::Column::ChildId])
        .filter(request::Column::ChildAgedOutOn.is_null())
        .filter(request::Column::Status.is_in(super::requests::status::OPEN))
        .filter(request::Column::ChildId.in_subquery(aged))
        .into_tuple()
        .all(&state.db)
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = open.iter().map(|(_, c)| *c).collect();
    let births: std::collections::HashMap<Uuid, NaiveDate> = child::Entity::find()
        .select_only()
        .columns([child::Column::Id, child::Column::BirthDate])
        .filter(child::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, Option<NaiveDate>)>()
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|(id, b)| b.map(|b| (id, b)))
        .collect();
    let mut marked = 0;
    for (rid, cid) in open {
        let Some(day) = births.get(&cid).and_then(|b| leaves_scope_on(*b)) else { continue };
        let txn = db::begin_write(&state.db).await?;
        let res = request::Entity::update_many()
            .col_expr(request::Column::ChildAgedOutOn, Expr::value(day))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.eq(rid))
            .filter(request::Column::ChildAgedOutOn.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 1 {
            super::requests::record_aged_out(&txn, rid, day, now).await?;
            marked += 1;
        }
        txn.commit().await?;
    }
    if marked > 0 {
        tracing::info!(requests = marked, "open requests of children who turned 16 marked");
    }
    Ok(marked)
}

/// Whether a screened child's paper consent still governs processing (no household yet).
pub fn paper_consent_in_force(c: &child::Model) -> bool {
    c.household_id.is_none() && c.deleted_at.is_none() && c.source == "screening"
}

/// Consents governing a child: the household's, or none for a screened child on paper consent.
pub async fn governing_consents(conn: &impl ConnectionTrait, c: &child::Model) -> AppResult<Option<Vec<consent::Model>>> {
    match c.household_id {
        Some(h) => Ok(Some(families::consents(conn, h).await?)),
        None if paper_consent_in_force(c) => Ok(None),
        None => Err(AppError::NotFound),
    }
}
