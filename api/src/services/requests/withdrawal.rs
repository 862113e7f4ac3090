//! Withdrawing: the family withdraws a request before it is resolved, and the request closes with
//! its linked coordination tasks. The withdrawal itself (which rows, how they move) is
//! `request_records::withdraw_open`, shared with the withdrawal of consent.

use domain::lifecycle::request::{RequestAction, RequestStatus};
use entities::request;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{
    access::guardian_request,
    history::view,
    notices::tell_status,
    summary::RequestView,
    transition::{Transition, check},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    services::request_records::withdraw_open,
    state::AppState,
};

/// The family withdraws a request before it is resolved; linked coordination tasks close too,
/// and the family is told the new status of each lead withdrawn.
pub async fn withdraw(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RequestView> {
    let t = Transition::begin(state).await?;
    let r = guardian_request(t.txn(), viewer, id).await?;
    check(&r, RequestAction::Withdraw, AppError::conflict("已办结的申请不能撤回", "a resolved request cannot be withdrawn"))?;
    let rows = withdraw_open(t.txn(), r.id, Some(viewer.account_id), "家庭撤回 / withdrawn by the family", t.now).await?;
    for row in rows.iter().filter(|row| row.kind == "lead") {
        tell_status(t.txn(), row, RequestStatus::Withdrawn, None, t.now).await?;
    }
    t.finish().await?;
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, false).await
}
