//! Withdrawing: the family withdraws a request before it is resolved, or withdraws consent, and
//! the request closes with its linked coordination tasks.

use chrono::{DateTime, Utc};
use domain::lifecycle::request::RequestAction;
use entities::request;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{
    access::guardian_request,
    history::view,
    status,
    summary::RequestView,
    transition::{Entry, Move, Tell, Transition, apply_in, check},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    state::AppState,
};

/// The family withdraws a request before it is resolved; linked coordination tasks close too.
pub async fn withdraw(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<RequestView> {
    let t = Transition::begin(state).await?;
    let r = guardian_request(t.txn(), viewer, id).await?;
    check(&r, RequestAction::Withdraw, AppError::conflict("已办结的申请不能撤回", "a resolved request cannot be withdrawn"))?;
    close_withdrawn(t.txn(), &r, Some(viewer.account_id), "家庭撤回 / withdrawn by the family", true, t.now).await?;
    t.finish().await?;
    let r = request::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    view(&state.db, r, false).await
}

/// Withdraws the open request `r` and its open coordination tasks (or the open lead of a task),
/// each by one transition; `tell` tells the family.
async fn close_withdrawn(
    conn: &impl ConnectionTrait,
    r: &request::Model,
    actor: Option<Uuid>,
    reason: &str,
    tell: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let rows = request::Entity::find()
        .filter(Condition::any().add(request::Column::Id.eq(r.id)).add(request::Column::ParentId.eq(r.id)))
        .filter(request::Column::Status.is_in(status::OPEN))
        .all(conn)
        .await?;
    for row in &rows {
        let checked =
            check(row, RequestAction::Withdraw, AppError::conflict("已办结的申请不能撤回", "a resolved request cannot be withdrawn"))?;
        let m = Move {
            actor,
            entries: vec![Entry { kind: "withdrawn", note: Some(reason.to_owned()), public: true }],
            record_from: false,
            tell: if tell { Tell::Family(None) } else { Tell::Nobody },
        };
        apply_in(conn, row, checked, m, |u| u.col_expr(request::Column::OpenKey, Expr::value(Option::<String>::None)), now).await?;
    }
    Ok(())
}

/// Consent withdrawn: every open request of the child is withdrawn with that reason; decided
/// ones stay as the law on records requires. Runs in the caller's transaction, which tells
/// nobody.
pub async fn withdraw_for_consent(conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let open = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::Kind.eq("lead"))
        .filter(request::Column::Status.is_in(status::OPEN))
        .all(conn)
        .await?;
    for r in &open {
        close_withdrawn(conn, r, None, "监护人撤回同意 / consent withdrawn by the guardian", false, now).await?;
    }
    Ok(open.len())
}
