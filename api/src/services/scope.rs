//! Who may see which region: the one home of the region-scope checks of staff (the register, the
//! staff views of children's records, key care, statistics). A leaf.
//!
//! GB/T 2260 codes are hierarchical, so "inside a region" is a prefix test (`auth::viewer`); a
//! child lives in a region when the county or the township of the residence lies inside it.

use entities::child;
use sea_orm::{ColumnTrait, Condition, sea_query::SimpleExpr};

use crate::{
    auth::{Role, Viewer, viewer::region_prefix},
    error::{AppError, AppResult},
    state::AppState,
};

/// Roles that keep the register: civil affairs, child supervisors (township) and child directors.
pub fn require_monitor(viewer: &Viewer) -> AppResult<()> {
    match viewer.role {
        Role::CivilAffairs | Role::ChildSupervisor | Role::ChildDirector => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether an existing region `code` lies in the viewer's scope; an unknown code is `VALIDATION`
/// on `regionCode`.
pub fn region_in_scope(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<bool> {
    if state.reference.divisions().get(code).is_none() {
        return Err(AppError::validation("regionCode", "行政区划代码不存在", "unknown region code"));
    }
    Ok(viewer.region_contains(code))
}

/// Checks a region argument of a monitoring query: it must exist, and lie in the viewer's area
/// (anything else is `NOT_FOUND`, as if there were nothing there).
pub fn area(state: &AppState, viewer: &Viewer, region_code: &str) -> AppResult<String> {
    let code = region_code.trim();
    if !region_in_scope(state, viewer, code)? {
        return Err(AppError::NotFound);
    }
    Ok(code.to_owned())
}

/// Whether the child lives in the staff viewer's area (county, or township for township staff).
pub fn in_area(viewer: &Viewer, c: &child::Model) -> bool {
    viewer.region_contains(&c.residence_region_code) || c.residence_township_code.as_deref().is_some_and(|t| viewer.region_contains(t))
}

/// Children (not erased, processable) living in `region` — county or township codes below it.
pub fn living_in(region: &str) -> Condition {
    Condition::all().add(child::Column::Processable.eq(true)).add(child::Column::DeletedAt.is_null()).add(
        Condition::any().add(within(child::Column::ResidenceRegionCode, region)).add(within(child::Column::ResidenceTownshipCode, region)),
    )
}

/// Rows whose region `column` (a county or township code) lies inside `region`.
pub fn within<C: ColumnTrait>(column: C, region: &str) -> SimpleExpr {
    column.starts_with(region_prefix(region))
}
