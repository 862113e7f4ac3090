//! Regions and departments as stored in the database.

use entities::{department, region};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{AppError, AppResult};

/// Children of a region, or the provinces when `parent` is none.
pub async fn regions(conn: &impl ConnectionTrait, parent: Option<&str>) -> AppResult<Vec<region::Model>> {
    let q = region::Entity::find();
    let q = match parent {
        Some(p) => q.filter(region::Column::ParentCode.eq(p)),
        None => q.filter(region::Column::ParentCode.is_null()),
    };
    Ok(q.order_by_asc(region::Column::Code).all(conn).await?)
}

/// One region by code.
pub async fn region(conn: &impl ConnectionTrait, code: &str) -> AppResult<Option<region::Model>> {
    Ok(region::Entity::find_by_id(code.to_owned()).one(conn).await?)
}

/// The 23 departments in the order of the policy.
pub async fn departments(conn: &impl ConnectionTrait) -> AppResult<Vec<department::Model>> {
    Ok(department::Entity::find().order_by_asc(department::Column::SortOrder).all(conn).await?)
}

/// A department by code, or `VALIDATION` on `field`.
pub async fn department_exists(conn: &impl ConnectionTrait, code: &str, field: &str) -> AppResult<()> {
    match department::Entity::find_by_id(code.to_owned()).one(conn).await? {
        Some(_) => Ok(()),
        None => Err(AppError::validation(field, "未知的部门代码", "unknown department code")),
    }
}

/// A region code that exists, or `VALIDATION` on `field`.
pub async fn region_exists(conn: &impl ConnectionTrait, code: &str, field: &str) -> AppResult<region::Model> {
    region(conn, code).await?.ok_or_else(|| AppError::validation(field, "未知的行政区划代码", "unknown region code"))
}
