//! Risk as stored on a ledger entry: the level codes, the reasons, and whether a child is at high
//! risk (which requests read at submission).

use domain::{monitoring::KeyCareReason, rubric::RiskLevel};
use entities::key_care_entry;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppResult;

/// Storage code of a risk level.
pub fn level_code(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    }
}

/// Whether the child's latest assessment in the ledger is high risk.
pub async fn is_high_risk(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<bool> {
    Ok(key_care_entry::Entity::find()
        .filter(key_care_entry::Column::ChildId.eq(child_id))
        .filter(key_care_entry::Column::RiskLevel.eq("high"))
        .one(conn)
        .await?
        .is_some())
}

/// Reasons stored on an entry.
pub fn reasons_of(e: &key_care_entry::Model) -> Vec<KeyCareReason> {
    e.reasons.as_array().map(|a| a.iter().filter_map(|v| v.as_str().and_then(KeyCareReason::parse)).collect()).unwrap_or_default()
}
