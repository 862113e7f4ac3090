//! Per-queue statistics (`queueStats`): counts by status, overdue, and median response times.

use chrono::Duration;
use domain::lifecycle::request::RequestStatus;
use entities::request;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::queue::scope_codes;
use crate::{
    auth::{Role, Viewer},
    error::{AppError, AppResult},
    state::AppState,
};

/// Counts of one queue for `queueStats`.
#[derive(Debug, Clone, Default)]
pub struct QueueStats {
    /// Department.
    pub department_code: String,
    /// Queue region.
    pub region_code: String,
    /// (status, count).
    pub by_status: Vec<(String, i64)>,
    /// Open and past the deadline.
    pub overdue: i64,
    /// Median hours to the first response.
    pub median_first_response_hours: Option<f64>,
    /// Median hours to resolution.
    pub median_resolution_hours: Option<f64>,
}

/// Per-queue statistics within the staff viewer's scope (optionally narrowed to `region`).
pub async fn stats(state: &AppState, viewer: &Viewer, region: Option<&str>) -> AppResult<Vec<QueueStats>> {
    let (Some(dept), Some(scope)) = (viewer.department_code.as_deref(), viewer.region_code.as_deref()) else {
        return Err(AppError::Forbidden);
    };
    if !matches!(viewer.role, Role::DepartmentStaff | Role::CivilAffairs) {
        return Err(AppError::Forbidden);
    }
    let region = match region {
        Some(r) if crate::auth::viewer::region_contains(scope, r) => r,
        Some(_) => return Err(AppError::NotFound),
        None => scope,
    };
    let now = state.clock.now();
    let rows = request::Entity::find()
        .filter(request::Column::DepartmentCode.eq(dept))
        .filter(request::Column::RegionCode.is_in(scope_codes(&state.reference.divisions(), region)))
        .all(&state.db)
        .await?;
    let mut queues: std::collections::BTreeMap<String, Vec<request::Model>> = Default::default();
    for r in rows {
        queues.entry(r.region_code.clone()).or_default().push(r);
    }
    Ok(queues
        .into_iter()
        .map(|(region_code, list)| {
            let mut by: std::collections::BTreeMap<String, i64> = Default::default();
            for r in &list {
                *by.entry(r.status.to_string()).or_default() += 1;
            }
            let overdue =
                list.iter().filter(|r| RequestStatus::from(r.status).is_open() && r.paused_at.is_none() && r.due_at < now).count() as i64;
            let hours = |d: Duration| d.num_seconds() as f64 / 3600.0;
            let first: Vec<f64> = list.iter().filter_map(|r| r.first_response_at.map(|t| hours(t - r.created_at))).collect();
            let resolved: Vec<f64> = list.iter().filter_map(|r| r.resolved_at.map(|t| hours(t - r.created_at))).collect();
            QueueStats {
                department_code: dept.to_owned(),
                region_code,
                by_status: by.into_iter().collect(),
                overdue,
                median_first_response_hours: median(first),
                median_resolution_hours: median(resolved),
            }
        })
        .collect())
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}
