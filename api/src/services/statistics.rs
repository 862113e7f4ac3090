//! Statistics and the register export of measures (一)(二) for civil affairs, by region.
//!
//! Why computed here rather than in SQL: "in scope" is the eligibility engine's decision on each
//! record's facts on the day asked, which the database cannot evaluate; the region filter keeps
//! the rows to one county or prefecture. Counselling bookings appear only inside counts.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use domain::{
    identity::mask,
    monitoring::{KeyCareReason, age_band, sixteen_cutoff, verification_due},
};
use entities::{booking, child, child_access_log, key_care_entry, location, request, service, session, status::RequestStatus};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    audit,
    child_record::{ID_COLUMN, UNREADABLE, in_scope_on, number_or_unreadable, without_sensitive},
    key_care::reasons_of,
    register::due::china_midnight,
    request_records::open,
    scope::{area, living_in, within},
};
use crate::{
    auth::{Role, Viewer, viewer::region_contains},
    db,
    error::{AppError, AppResult},
    spreadsheet::Sheet,
    state::AppState,
};

/// Resolution deadlines met by one department.
#[derive(Debug, Clone, Default)]
pub struct Compliance {
    /// Department code.
    pub department_code: String,
    /// Requests decided in the period.
    pub resolved: i64,
    /// Of those, decided by the deadline.
    pub on_time: i64,
    /// Open requests past their deadline now.
    pub overdue_open: i64,
}

/// Counts of bookings of sessions held in the period.
#[derive(Debug, Clone, Default)]
pub struct BookingCounts {
    /// Sessions starting in the period.
    pub sessions: i64,
    /// Seats offered.
    pub seats: i64,
    /// By booking status.
    pub by_status: BTreeMap<String, i64>,
}

/// Everything `statistics` returns.
#[derive(Debug, Clone, Default)]
pub struct Statistics {
    /// Region asked for.
    pub region_code: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (scope is decided on this day).
    pub to: NaiveDate,
    /// Register records under 16 on `to`.
    pub records: i64,
    /// Migrant children in scope on `to`.
    pub in_scope: i64,
    /// In scope, by county of residence.
    pub by_county: BTreeMap<String, i64>,
    /// In scope, by age band.
    pub by_age_band: BTreeMap<String, i64>,
    /// Ledger entries by reason (an entry counts once per reason).
    pub by_key_care_reason: BTreeMap<String, i64>,
    /// Ledger entries by risk level (`unassessed` before the first assessment).
    pub by_risk_level: BTreeMap<String, i64>,
    /// Requests filed in the period, by (entitlement, status).
    pub requests: BTreeMap<(String, String), i64>,
    /// Deadline compliance by department.
    pub compliance: Vec<Compliance>,
    /// Bookings and attendance.
    pub bookings: BookingCounts,
    /// Records verified within the last six months (of `records`).
    pub verified: i64,
}

/// Roles that may read statistics and exports of a region.
fn require_statistics(viewer: &Viewer) -> AppResult<()> {
    match viewer.role {
        Role::CivilAffairs | Role::ChildSupervisor | Role::DepartmentStaff => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Register records of `region`: processable, not erased, under 16 on `on`.
async fn register(state: &AppState, region: &str, on: NaiveDate) -> AppResult<Vec<child::Model>> {
    Ok(child::Entity::find()
        .filter(living_in(region))
        .filter(child::Column::BirthDate.gt(sixteen_cutoff(on)))
        .filter(child::Column::CreatedAt.lt(china_midnight(on + Duration::days(1))))
        .order_by_asc(child::Column::Id)
        .all(&state.db)
        .await?)
}

/// Statistics of `region_code` for the period (default: the year up to today).
pub async fn statistics(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Statistics> {
    require_statistics(viewer)?;
    let region = area(state, viewer, region_code)?;
    let today = state.clock.today();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(365));
    if from > to {
        return Err(AppError::validation("from", "起始日期不能晚于截止日期", "from must not be after to"));
    }
    let (start, end) = (china_midnight(from), china_midnight(to + Duration::days(1)));
    let mut s = Statistics { region_code: region.clone(), from, to, ..Default::default() };

    let children = register(state, &region, to).await?;
    s.records = children.len() as i64;
    for c in &children {
        if c.last_verified_at.is_some_and(|v| !verification_due((v + Duration::hours(8)).date_naive(), to)) {
            s.verified += 1;
        }
        if !in_scope_on(state, c, to) {
            continue;
        }
        s.in_scope += 1;
        *s.by_county.entry(c.residence_region_code.clone()).or_default() += 1;
        if let Some(band) = c.birth_date.and_then(|b| age_band(domain::calendar::age_on(b, to))) {
            *s.by_age_band.entry(band.to_owned()).or_default() += 1;
        }
    }
    let entries = key_care_entry::Entity::find()
        .filter(within(key_care_entry::Column::CountyCode, &region))
        .filter(key_care_entry::Column::CreatedAt.lt(end))
        .all(&state.db)
        .await?;
    let live: std::collections::HashSet<Uuid> = children.iter().map(|c| c.id).collect();
    for e in entries.iter().filter(|e| live.contains(&e.child_id) && e.township_code.as_deref().is_none_or(|t| region_contains(&region, t)))
    {
        for r in reasons_of(e) {
            *s.by_key_care_reason.entry(r.code().to_owned()).or_default() += 1;
        }
        *s.by_risk_level.entry(e.risk_level.clone().unwrap_or_else(|| "unassessed".into())).or_default() += 1;
    }

    let reqs = request::Entity::find()
        .filter(request::Column::Kind.eq("lead"))
        .filter(within(request::Column::RegionCode, &region))
        .filter(request::Column::CreatedAt.gte(start))
        .filter(request::Column::CreatedAt.lt(end))
        .all(&state.db)
        .await?;
    for r in &reqs {
        *s.requests.entry((r.entitlement_code.clone(), r.status.to_string())).or_default() += 1;
    }
    let decided = request::Entity::find()
        .filter(within(request::Column::RegionCode, &region))
        .filter(request::Column::Status.is_in([RequestStatus::Granted, RequestStatus::Rejected]))
        .filter(request::Column::ResolvedAt.gte(start))
        .filter(request::Column::ResolvedAt.lt(end))
        .all(&state.db)
        .await?;
    let open_overdue = request::Entity::find()
        .filter(within(request::Column::RegionCode, &region))
        .filter(request::Column::Status.is_in(open()))
        .filter(request::Column::PausedAt.is_null())
        .filter(request::Column::DueAt.lt(state.clock.now()))
        .all(&state.db)
        .await?;
    let mut by_dept: BTreeMap<String, Compliance> = BTreeMap::new();
    for r in &decided {
        let c = by_dept.entry(r.department_code.clone()).or_default();
        c.resolved += 1;
        if r.resolved_at.is_some_and(|t| t <= r.due_at) {
            c.on_time += 1;
        }
    }
    for r in &open_overdue {
        by_dept.entry(r.department_code.clone()).or_default().overdue_open += 1;
    }
    s.compliance = by_dept.into_iter().map(|(d, c)| Compliance { department_code: d, ..c }).collect();

    let locations: Vec<Uuid> = location::Entity::find()
        .filter(within(location::Column::CountyCode, &region))
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|l| l.township_code.as_deref().is_none_or(|t| region_contains(&region, t)))
        .map(|l| l.id)
        .collect();
    let services: Vec<Uuid> = service::Entity::find()
        .filter(service::Column::LocationId.is_in(locations))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|x| x.id)
        .collect();
    let sessions = session::Entity::find()
        .filter(session::Column::ServiceId.is_in(services))
        .filter(session::Column::StartsAt.gte(start))
        .filter(session::Column::StartsAt.lt(end))
        .all(&state.db)
        .await?;
    s.bookings.sessions = sessions.len() as i64;
    s.bookings.seats = sessions.iter().map(|x| i64::from(x.capacity)).sum();
    let ids: Vec<Uuid> = sessions.iter().map(|x| x.id).collect();
    for b in booking::Entity::find().filter(booking::Column::SessionId.is_in(ids)).all(&state.db).await? {
        *s.bookings.by_status.entry(b.status.to_string()).or_default() += 1;
    }
    Ok(s)
}

/// The columns of the export, in order (documented in the README).
pub const EXPORT_COLUMNS: [&str; 18] = [
    "record_id",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "hukou_region_code",
    "hukou_region_name",
    "residence_region_code",
    "residence_region_name",
    "residence_township_code",
    "residence_since",
    "moved_with",
    "in_scope",
    "key_care",
    "key_care_reasons",
    "risk_level",
    "last_verified_on",
    "source",
];

/// A finished export.
pub struct Export {
    /// The CSV text (UTF-8 with a BOM, header row first, formula-like cells neutralised).
    pub csv: String,
    /// Data rows.
    pub rows: usize,
    /// Whether ID numbers are masked.
    pub masked: bool,
}

/// The register of `region_code` as CSV for the national child-welfare information system.
/// Civil-affairs staff, who report to that system, get ID numbers in full (each such read goes
/// into the child's access log); others get them masked. Every export is audited.
pub async fn export_children(state: &AppState, viewer: &Viewer, region_code: &str) -> AppResult<Export> {
    if !matches!(viewer.role, Role::CivilAffairs | Role::ChildSupervisor | Role::ChildDirector) {
        return Err(AppError::Forbidden);
    }
    let region = area(state, viewer, region_code)?;
    let now = state.clock.now();
    let today = state.clock.today();
    let masked = viewer.role != Role::CivilAffairs;
    let children = register(state, &region, today).await?;
    let ids: Vec<Uuid> = children.iter().map(|c| c.id).collect();
    let entries: BTreeMap<Uuid, key_care_entry::Model> = key_care_entry::Entity::find()
        .filter(key_care_entry::Column::ChildId.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|e| (e.child_id, e))
        .collect();
    let divisions = &state.reference.divisions();
    let mut sheet = Sheet::new(&EXPORT_COLUMNS)?;
    let mut read_numbers = Vec::new();
    for c in &children {
        let d = without_sensitive(c);
        let number = number_or_unreadable(&state.pii, c, ID_COLUMN);
        let readable = number.as_deref().filter(|n| *n != UNREADABLE);
        if readable.is_some() && !masked {
            read_numbers.push(c.id);
        }
        let number = if masked && readable.is_some() { readable.map(mask) } else { number };
        let entry = entries.get(&c.id);
        let reasons: Vec<&str> = entry.map(|e| reasons_of(e).into_iter().map(KeyCareReason::label_zh).collect()).unwrap_or_default();
        let hukou = d.facts.hukou_region_code.clone().unwrap_or_default();
        let row = [
            c.id.to_string(),
            c.name.clone().unwrap_or_default(),
            c.sex.clone().unwrap_or_default(),
            c.birth_date.map(|b| b.to_string()).unwrap_or_default(),
            number.unwrap_or_default(),
            hukou.clone(),
            if hukou.is_empty() { String::new() } else { divisions.display_name(&hukou) },
            c.residence_region_code.clone(),
            divisions.display_name(&c.residence_region_code),
            c.residence_township_code.clone().unwrap_or_default(),
            d.facts.residence_since.map(|x| x.to_string()).unwrap_or_default(),
            d.moved_with.clone().unwrap_or_default(),
            yes_no(in_scope_on(state, c, today)),
            yes_no(entry.is_some()),
            reasons.join(";"),
            entry.and_then(|e| e.risk_level.clone()).unwrap_or_default(),
            c.last_verified_at.map(|v| (v + Duration::hours(8)).date_naive().to_string()).unwrap_or_default(),
            c.source.clone(),
        ];
        sheet.row(&row)?;
    }
    let csv = sheet.finish()?;
    let txn = db::begin_write(&state.db).await?;
    for id in &read_numbers {
        child_access_log::Entity::insert(child_access_log::ActiveModel {
            id: Set(Uuid::now_v7()),
            child_id: Set(*id),
            actor_id: Set(viewer.account_id),
            actor_role: Set(viewer.role.as_str().into()),
            fields: Set(json!(["idNumber"])),
            purpose: Set("export".into()),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    let detail = json!({"region": region, "rows": children.len(), "masked": masked});
    audit::record(&txn, Some(viewer.account_id), "children.exported", "region", &region, Some(detail), now).await?;
    txn.commit().await?;
    tracing::info!(region = %region, rows = children.len(), masked, "register exported");
    Ok(Export { csv, rows: children.len(), masked })
}

fn yes_no(b: bool) -> String {
    if b { "Y" } else { "N" }.into()
}
