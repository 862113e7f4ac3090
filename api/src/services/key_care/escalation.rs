//! The escalation job of care measures: an open measure past its due time moves one level up
//! (township → county → prefecture → province) with a new due time, as requests do.

use entities::{care_follow_up, care_measure, status::CareStatus};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    db,
    error::AppResult,
    services::requests::{
        deadlines::end_of_day,
        notices::{tell_account, tell_queue},
        transition::commit_and_wake,
    },
    state::AppState,
};

/// Working days a measure gets again at each escalation.
const ESCALATED_WORKING_DAYS: u32 = 5;

/// The escalation job: an open measure past its due time moves one level up (township → county
/// → prefecture → province) with a new due time, once however many processes run; the
/// department's staff at the new level and the assigner are e-mailed.
pub async fn escalate_overdue(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let overdue = care_measure::Entity::find()
        .filter(care_measure::Column::Status.eq(CareStatus::Open))
        .filter(care_measure::Column::DueAt.lt(now))
        .limit(500)
        .all(&state.db)
        .await?;
    let mut moved = 0;
    for m in overdue {
        let Some(up) = domain::routing::escalate(&state.reference.divisions(), &m.region_code) else { continue };
        let due = end_of_day(state.reference.calendar().add_working_days(state.clock.today(), ESCALATED_WORKING_DAYS));
        let txn = db::begin_write(&state.db).await?;
        let res = care_measure::Entity::update_many()
            .col_expr(care_measure::Column::RegionCode, Expr::value(up.clone()))
            .col_expr(care_measure::Column::EscalationLevel, Expr::col(care_measure::Column::EscalationLevel).add(1))
            .col_expr(care_measure::Column::DueAt, Expr::value(due))
            .filter(care_measure::Column::Id.eq(m.id))
            .filter(care_measure::Column::RegionCode.eq(m.region_code.as_str()))
            .filter(care_measure::Column::DueAt.eq(m.due_at))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            continue;
        }
        care_follow_up::Entity::insert(care_follow_up::ActiveModel {
            id: Set(Uuid::now_v7()),
            measure_id: Set(m.id),
            actor_id: Set(None),
            kind: Set("escalated".into()),
            note: Set(format!("{} → {up}: 逾期未落实 / overdue", m.region_code)),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        let (zh, en) = (
            format!("重点关爱措施 {} 逾期未落实，已升级至本级督办。", m.id),
            format!("Key-care measure {} is overdue and was escalated to your level.", m.id),
        );
        tell_queue(&txn, (&m.department_code, &up), m.child_id, zh.clone(), en.clone(), now).await?;
        tell_account(&txn, m.created_by, ("关爱措施逾期", "Care measure overdue"), (zh, en), m.child_id, now).await?;
        commit_and_wake(state, txn).await?;
        moved += 1;
    }
    if moved > 0 {
        tracing::info!(measures = moved, "overdue care measures escalated");
    }
    Ok(moved)
}
