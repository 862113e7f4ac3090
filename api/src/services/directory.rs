//! Social organizations and the services directory: registration with a validated credit code,
//! verification by civil affairs of the organization's county (or above), locations, services and
//! sessions. Nothing of an unverified organization is ever public.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entities::{location, organization, service, session};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer, password},
    db,
    error::{AppError, AppResult, is_unique_violation},
    mail::{outbox, templates},
    services::{
        accounts::{self, NewLogin},
        audit, text,
    },
    state::AppState,
};

/// Organization registration input.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    /// Registered name.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Contact e-mail, also the first staff login.
    pub email: String,
    /// Password of that login.
    pub password: String,
    /// Address.
    pub address: String,
    /// County of registration (Guizhou).
    pub county_code: String,
}

/// A Guizhou county code known to the divisions table, or `VALIDATION` on `field`.
pub fn guizhou_county(state: &AppState, code: &str, field: &str) -> AppResult<String> {
    let d = &state.reference.divisions();
    if d.is_county(code) && d.in_guizhou(code) {
        Ok(code.to_owned())
    } else {
        Err(AppError::validation(field, "须为贵州省的县级行政区划代码", "must be a county-level code in Guizhou"))
    }
}

/// Registers an organization (pending verification) and its first staff login; the login must
/// verify its e-mail address before signing in. Counts as a self-registration of the caller's
/// client address `from` (None: demo data).
pub async fn register_organization(state: &AppState, input: NewOrganization, from: Option<IpAddr>) -> AppResult<organization::Model> {
    let name = text::line(&input.name, "name", 200)?;
    let credit_code = domain::credit_code::parse(&input.credit_code).map_err(|_| {
        AppError::validation(
            "creditCode",
            "统一社会信用代码无效（18 位，校验位不符）",
            "invalid unified social credit code (18 characters with a check character)",
        )
    })?;
    let contact_name = accounts::parse_name(&input.contact_name, "contactName")?;
    let phone = input.contact_phone.trim().replace([' ', '-'], "");
    if !(7..=20).contains(&phone.len()) || !phone.trim_start_matches('+').chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::validation("contactPhone", "联系电话格式不正确", "malformed phone number"));
    }
    let email = accounts::parse_email(&input.email)?;
    password::check_strength(&input.password, &email)?;
    let address = text::line(&input.address, "address", 300)?;
    let county_code = guizhou_county(state, input.county_code.trim(), "countyCode")?;
    state.limits.registration(&email, from)?;
    let hash = password::hash(input.password.clone()).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let model = organization::Model {
        id: Uuid::now_v7(),
        name,
        credit_code,
        contact_name: contact_name.clone(),
        contact_phone: phone,
        contact_email: email.clone(),
        address,
        county_code,
        status: "pending".into(),
        rejection_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_at: now,
    };
    if let Err(e) = organization::Entity::insert(organization::ActiveModel::from(model.clone())).exec_without_returning(&txn).await {
        return Err(if is_unique_violation(&e) {
            AppError::conflict("该统一社会信用代码已登记", "an organization with this credit code is already registered")
        } else {
            e.into()
        });
    }
    let new = NewLogin { email, password_hash: hash, display_name: contact_name, role: Role::OrgStaff, organization_id: Some(model.id) };
    let account_id = accounts::insert_unverified(state, &txn, new, now).await?;
    audit::record(&txn, Some(account_id), "organization.registered", "organization", &model.id.to_string(), None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    tracing::info!(organization_id = %model.id, "organization registered");
    Ok(model)
}

/// An organization the civil-affairs viewer may review (its county inside the viewer's region).
async fn reviewable(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<organization::Model> {
    let org = organization::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::CivilAffairs || !viewer.region_contains(&org.county_code) {
        return Err(AppError::NotFound);
    }
    Ok(org)
}

/// Civil affairs verifies (or, with a reason, rejects) a pending organization; the contact is told.
pub async fn review_organization(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    approve: bool,
    reason: Option<String>,
) -> AppResult<organization::Model> {
    if viewer.role != Role::CivilAffairs {
        return Err(AppError::Forbidden);
    }
    let reason = if approve { None } else { Some(text::paragraph(reason.as_deref().unwrap_or_default(), "reason", 500)?) };
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let org = reviewable(&txn, viewer, id).await?;
    if org.status != "pending" {
        return Err(AppError::conflict("该组织已审核", "the organization was already reviewed"));
    }
    let status = if approve { "verified" } else { "rejected" };
    organization::Entity::update_many()
        .col_expr(organization::Column::Status, Expr::value(status))
        .col_expr(organization::Column::RejectionReason, Expr::value(reason.clone()))
        .col_expr(organization::Column::ReviewedBy, Expr::value(Some(viewer.account_id)))
        .col_expr(organization::Column::ReviewedAt, Expr::value(Some(now)))
        .filter(organization::Column::Id.eq(id))
        .filter(organization::Column::Status.eq("pending"))
        .exec(&txn)
        .await?;
    let mail = if approve {
        templates::notice(
            "组织审核已通过",
            "Organization verified",
            format!("“{}”已通过民政部门审核，服务现已公开。", org.name),
            format!("\"{}\" was verified by civil affairs; its services are now public.", org.name),
        )
    } else {
        let r = reason.clone().unwrap_or_default();
        templates::notice(
            "组织审核未通过",
            "Organization not verified",
            format!("“{}”未通过审核。原因：{r}", org.name),
            format!("\"{}\" was not verified. Reason: {r}", org.name),
        )
    };
    outbox::enqueue(&txn, &org.contact_email, mail, now).await?;
    audit::record(&txn, Some(viewer.account_id), &format!("organization.{status}"), "organization", &id.to_string(), None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(organization::Model {
        status: status.into(),
        rejection_reason: reason,
        reviewed_by: Some(viewer.account_id),
        reviewed_at: Some(now),
        ..org
    })
}

/// Organizations waiting for review in the civil-affairs viewer's region.
pub async fn pending_organizations(state: &AppState, viewer: &Viewer) -> AppResult<Vec<organization::Model>> {
    if viewer.role != Role::CivilAffairs {
        return Err(AppError::Forbidden);
    }
    let rows = organization::Entity::find()
        .filter(organization::Column::Status.eq("pending"))
        .order_by_asc(organization::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().filter(|o| viewer.region_contains(&o.county_code)).collect())
}

/// The organization of an organization-staff viewer.
pub async fn own_organization(conn: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<organization::Model> {
    let id = match (viewer.role, viewer.organization_id) {
        (Role::OrgStaff, Some(id)) => id,
        _ => return Err(AppError::Forbidden),
    };
    organization::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)
}

/// Kinds of places where services happen (DOMAIN.md §5).
pub const LOCATION_KINDS: [&str; 6] = ["tongxin_harbor", "children_home", "activity_center", "parent_school", "school", "other"];

/// Location input.
#[derive(Debug, Clone)]
pub struct NewLocation {
    /// Name.
    pub name: String,
    /// One of `LOCATION_KINDS`.
    pub kind: String,
    /// Address.
    pub address: String,
    /// County (Guizhou).
    pub county_code: String,
    /// Township inside that county.
    pub township_code: Option<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
}

/// Adds a location of the viewer's organization.
pub async fn create_location(state: &AppState, viewer: &Viewer, input: NewLocation) -> AppResult<location::Model> {
    let org = own_organization(&state.db, viewer).await?;
    let name = text::line(&input.name, "name", 200)?;
    let address = text::line(&input.address, "address", 300)?;
    let county_code = guizhou_county(state, input.county_code.trim(), "countyCode")?;
    if let Some(t) = &input.township_code {
        let d = &state.reference.divisions();
        if !(t.len() == 9 && d.get(t).is_some() && d.contains(&county_code, t)) {
            return Err(AppError::validation("townshipCode", "乡镇（街道）代码不属于该县", "the township is not in that county"));
        }
    }
    match (input.latitude, input.longitude) {
        (None, None) => {}
        (Some(la), Some(lo)) if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo) => {}
        _ => {
            return Err(AppError::validation(
                "latitude",
                "坐标须同时给出纬度和经度且在有效范围内",
                "give both latitude and longitude within range",
            ));
        }
    }
    let model = location::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        name,
        kind: input.kind,
        address,
        county_code,
        township_code: input.township_code,
        latitude: input.latitude,
        longitude: input.longitude,
        created_at: state.clock.now(),
    };
    location::Entity::insert(location::ActiveModel::from(model.clone())).exec_without_returning(&state.db).await?;
    Ok(model)
}

/// Service categories.
pub const CATEGORIES: [&str; 7] =
    ["counselling", "reading", "arts", "companionship", "city_integration", "parent_education", "safety_education"];

/// Service input.
#[derive(Debug, Clone)]
pub struct NewService {
    /// Where.
    pub location_id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// One of `CATEGORIES`.
    pub category: String,
    /// A bookable entitlement of the policy.
    pub entitlement_code: String,
    /// Youngest age admitted.
    pub min_age: i32,
    /// Oldest age admitted.
    pub max_age: i32,
    /// Language tags.
    pub languages: Vec<String>,
    /// Cost in fen (0 = free).
    pub cost_cents: i32,
    /// Hours before a session after which families can no longer cancel.
    pub cancel_cutoff_hours: i32,
}

/// Adds a service of the viewer's organization. Counselling and mental-health services are
/// confidential by rule, not by choice.
pub async fn create_service(state: &AppState, viewer: &Viewer, input: NewService) -> AppResult<service::Model> {
    let org = own_organization(&state.db, viewer).await?;
    let loc = location::Entity::find_by_id(input.location_id)
        .one(&state.db)
        .await?
        .filter(|l| l.organization_id == org.id)
        .ok_or(AppError::NotFound)?;
    let name = text::line(&input.name, "name", 200)?;
    let description = text::paragraph(&input.description, "description", 4000)?;
    let policy = state.reference.policy.latest();
    if !policy.entitlements.iter().any(|e| e.code == input.entitlement_code && e.bookable) {
        return Err(AppError::validation(
            "entitlementCode",
            "须为政策中可预约的服务项目代码",
            "must be a bookable entitlement of the policy",
        ));
    }
    if !(0..=17).contains(&input.min_age) || !(0..=17).contains(&input.max_age) || input.min_age > input.max_age {
        return Err(AppError::validation("minAge", "年龄范围须在 0–17 岁之间且下限不大于上限", "ages must be within 0–17 and min ≤ max"));
    }
    let languages: Vec<String> = input.languages.iter().map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty()).collect();
    if languages.is_empty() || languages.iter().any(|l| l.len() > 12 || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
        return Err(AppError::validation("languages", "请至少给出一种语言代码（如 zh）", "give at least one language tag such as zh"));
    }
    if input.cost_cents < 0 {
        return Err(AppError::validation("costCents", "费用不能为负数", "cost cannot be negative"));
    }
    if !(0..=168).contains(&input.cancel_cutoff_hours) {
        return Err(AppError::validation(
            "cancelCutoffHours",
            "取消截止时间须在 0–168 小时之间",
            "cancellation cutoff must be 0 to 168 hours",
        ));
    }
    let confidential = input.category == "counselling" || input.entitlement_code == "mental_health";
    let model = service::Model {
        id: Uuid::now_v7(),
        organization_id: org.id,
        location_id: loc.id,
        name,
        description,
        category: input.category,
        entitlement_code: input.entitlement_code,
        min_age: input.min_age,
        max_age: input.max_age,
        languages: languages.join(","),
        cost_cents: input.cost_cents,
        confidential,
        cancel_cutoff_hours: input.cancel_cutoff_hours,
        created_at: state.clock.now(),
    };
    service::Entity::insert(service::ActiveModel::from(model.clone())).exec_without_returning(&state.db).await?;
    Ok(model)
}

/// Adds a session of one of the viewer's organization's services.
pub async fn create_session(
    state: &AppState,
    viewer: &Viewer,
    service_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i32,
) -> AppResult<session::Model> {
    let org = own_organization(&state.db, viewer).await?;
    service::Entity::find_by_id(service_id).one(&state.db).await?.filter(|s| s.organization_id == org.id).ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    if starts_at <= now || starts_at.date_naive() > domain::date_windows::latest_planned(state.clock.today()) {
        return Err(AppError::validation(
            "startsAt",
            "开始时间须在将来两年之内",
            "the session must start in the future, at most two years ahead",
        ));
    }
    if ends_at <= starts_at || ends_at - starts_at > Duration::hours(24) {
        return Err(AppError::validation("endsAt", "结束时间须晚于开始时间且不超过 24 小时", "end must be after start, within 24 hours"));
    }
    if !(1..=10_000).contains(&capacity) {
        return Err(AppError::validation("capacity", "名额须在 1–10000 之间", "capacity must be 1 to 10000"));
    }
    let model = session::Model {
        id: Uuid::now_v7(),
        service_id,
        starts_at,
        ends_at,
        capacity,
        booked: 0,
        cancelled_at: None,
        reminder_sent_at: None,
        created_at: now,
        waitlist_last: 0,
    };
    session::Entity::insert(session::ActiveModel::from(model.clone())).exec_without_returning(&state.db).await?;
    Ok(model)
}

/// Public directory filter.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// Location in this region (county, prefecture or province code).
    pub region_code: Option<String>,
    /// Delivers this entitlement.
    pub entitlement_code: Option<String>,
    /// Of this category.
    pub category: Option<String>,
    /// Admits a child of this age.
    pub age: Option<i32>,
    /// Has a session starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Has a session starting before.
    pub to: Option<DateTime<Utc>>,
    /// Has an upcoming session with a free seat.
    pub seats_available: bool,
}

/// A directory entry with everything a listing shows.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The service.
    pub service: service::Model,
    /// Its organization (always verified).
    pub organization: organization::Model,
    /// Its location.
    pub location: location::Model,
    /// Upcoming, not cancelled sessions in start order.
    pub sessions: Vec<session::Model>,
}

/// A page of verified organizations' services after `after` (service id order), with their
/// organization, location and upcoming sessions loaded in three batched queries.
pub async fn search(state: &AppState, filter: &ServiceFilter, after: Option<Uuid>, limit: usize) -> AppResult<Vec<Listing>> {
    let now = state.clock.now();
    let mut q = service::Entity::find()
        .filter(
            service::Column::OrganizationId.in_subquery(
                Query::select()
                    .column(organization::Column::Id)
                    .from(organization::Entity)
                    .and_where(organization::Column::Status.eq("verified"))
                    .to_owned(),
            ),
        )
        .order_by_asc(service::Column::Id)
        .limit(limit as u64);
    if let Some(a) = after {
        q = q.filter(service::Column::Id.gt(a));
    }
    if let Some(e) = &filter.entitlement_code {
        q = q.filter(service::Column::EntitlementCode.eq(e.as_str()));
    }
    if let Some(c) = &filter.category {
        q = q.filter(service::Column::Category.eq(c.as_str()));
    }
    if let Some(age) = filter.age {
        q = q.filter(service::Column::MinAge.lte(age)).filter(service::Column::MaxAge.gte(age));
    }
    if let Some(r) = &filter.region_code {
        let prefix = crate::auth::viewer::region_prefix(r);
        q = q.filter(
            service::Column::LocationId.in_subquery(
                Query::select()
                    .column(location::Column::Id)
                    .from(location::Entity)
                    .and_where(location::Column::CountyCode.like(format!("{prefix}%")))
                    .to_owned(),
            ),
        );
    }
    if filter.from.is_some() || filter.to.is_some() || filter.seats_available {
        let mut cond = Condition::all().add(session::Column::CancelledAt.is_null()).add(session::Column::StartsAt.gt(now));
        if let Some(f) = filter.from {
            cond = cond.add(session::Column::StartsAt.gte(f));
        }
        if let Some(t) = filter.to {
            cond = cond.add(session::Column::StartsAt.lt(t));
        }
        if filter.seats_available {
            cond = cond.add(Expr::col(session::Column::Booked).lt(Expr::col(session::Column::Capacity)));
        }
        q = q.filter(
            service::Column::Id
                .in_subquery(Query::select().column(session::Column::ServiceId).from(session::Entity).cond_where(cond).to_owned()),
        );
    }
    let services = q.all(&state.db).await?;
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let org_ids: Vec<Uuid> = services.iter().map(|s| s.organization_id).collect();
    let loc_ids: Vec<Uuid> = services.iter().map(|s| s.location_id).collect();
    let svc_ids: Vec<Uuid> = services.iter().map(|s| s.id).collect();
    let (orgs, locs, sessions) = tokio::try_join!(
        organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(&state.db),
        location::Entity::find().filter(location::Column::Id.is_in(loc_ids)).all(&state.db),
        session::Entity::find()
            .filter(session::Column::ServiceId.is_in(svc_ids))
            .filter(session::Column::CancelledAt.is_null())
            .filter(session::Column::StartsAt.gt(now))
            .order_by_asc(session::Column::StartsAt)
            .all(&state.db),
    )?;
    Ok(services
        .into_iter()
        .filter_map(|s| {
            let organization = orgs.iter().find(|o| o.id == s.organization_id)?.clone();
            let location = locs.iter().find(|l| l.id == s.location_id)?.clone();
            let sessions = sessions.iter().filter(|x| x.service_id == s.id).cloned().collect();
            Some(Listing { service: s, organization, location, sessions })
        })
        .collect())
}
