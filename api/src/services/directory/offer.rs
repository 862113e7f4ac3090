//! What a verified organization offers: its locations, services and sessions.

use chrono::{DateTime, Duration, Utc};
use entities::{location, service, session};
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::organizations::{guizhou_county, own_organization};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    services::text,
    state::AppState,
};

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
    let county_code = guizhou_county(state, &input.county_code, "countyCode")?.into_string();
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
