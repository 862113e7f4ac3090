//! The mark on open requests of a child who turned 16: the child leaves scope that day, the request
//! stays open and carries the day (and an event in its history).

use chrono::NaiveDate;
use domain::monitoring::{leaves_scope_on, sixteen_cutoff};
use entities::{child, request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::{
    db,
    error::AppResult,
    services::request_records::{open, record_aged_out},
    state::AppState,
};

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
        .filter(request::Column::Status.is_in(open()))
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
            record_aged_out(&txn, rid, day, now).await?;
            marked += 1;
        }
        txn.commit().await?;
    }
    if marked > 0 {
        tracing::info!(requests = marked, "open requests of children who turned 16 marked");
    }
    Ok(marked)
}
