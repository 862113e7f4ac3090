//! What the lower use cases need to do to requests, without depending on the request workflow:
//! the open states, a history step, withdrawing open requests (when consent goes, and for the
//! workflow's withdrawal), and the mark of a child who turned 16. A leaf: `families` and
//! `register` call it, and `requests` may.
//!
//! Why a leaf: the workflow (`requests`) reads children, households and consents, so families and
//! the register calling back into it would make a cycle.

use chrono::{DateTime, NaiveDate, Utc};
use domain::lifecycle::request::{RequestAction, RequestStatus as S};
use entities::{request, request_event, status::RequestStatus as Stored};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Every state in which a request is still open, as stored (for filters).
pub fn open() -> [Stored; 4] {
    S::OPEN.map(Stored::from)
}

/// One history entry to record.
pub(crate) struct Step<'a> {
    pub kind: &'a str,
    pub from: Option<S>,
    pub to: Option<S>,
    pub note: Option<String>,
    pub public: bool,
}

/// Records a step in a request's history and returns it (a submission answers with the steps it
/// wrote instead of reading them back).
pub(crate) async fn event(
    conn: &impl ConnectionTrait,
    request_id: Uuid,
    actor: Option<Uuid>,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> AppResult<request_event::Model> {
    let Step { kind, from, to, note, public } = step;
    let row = request_event::Model {
        id: Uuid::now_v7(),
        request_id,
        actor_id: actor,
        kind: kind.to_owned(),
        from_status: from.map(Stored::from),
        to_status: to.map(Stored::from),
        note,
        public,
        created_at: now,
    };
    request_event::Entity::insert(request_event::ActiveModel::from(row.clone())).exec_without_returning(conn).await?;
    Ok(row)
}

/// Withdraws the open request `id` and its open coordination tasks, each moved as
/// `domain::lifecycle` allows and only if still in the state read, with a public history step
/// naming only where it went; the open key is freed so the family may ask again. The one
/// withdrawal, by the family (`requests::withdrawal`, which then tells the family) or on consent
/// withdrawal. Returns the rows as read, before the move.
pub(crate) async fn withdraw_open(
    conn: &impl ConnectionTrait,
    id: Uuid,
    actor: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<request::Model>> {
    let refused = || AppError::conflict("已办结的申请不能撤回", "a resolved request cannot be withdrawn");
    let rows = request::Entity::find()
        .filter(Condition::any().add(request::Column::Id.eq(id)).add(request::Column::ParentId.eq(id)))
        .filter(request::Column::Status.is_in(open()))
        .all(conn)
        .await?;
    for row in &rows {
        let from = S::from(row.status);
        let to = from.next(RequestAction::Withdraw).map_err(|_| refused())?;
        let moved = request::Entity::update_many()
            .col_expr(request::Column::Status, Expr::value(Stored::from(to)))
            .col_expr(request::Column::OpenKey, Expr::value(Option::<String>::None))
            .col_expr(request::Column::UpdatedAt, Expr::value(now))
            .filter(request::Column::Id.eq(row.id))
            .filter(request::Column::Status.eq(Stored::from(from)))
            .exec(conn)
            .await?;
        if moved.rows_affected != 1 {
            return Err(refused());
        }
        let step = Step { kind: "withdrawn", from: None, to: Some(to), note: Some(reason.to_owned()), public: true };
        event(conn, row.id, actor, step, now).await?;
    }
    Ok(rows)
}

/// Consent withdrawn: every open request of the child (a lead and its open parts) is withdrawn
/// with that reason; decided ones stay as the law on records requires. Runs in the caller's
/// transaction and tells nobody. Returns the number of leads withdrawn.
pub async fn withdraw_for_consent(conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<usize> {
    let leads = request::Entity::find()
        .filter(request::Column::ChildId.eq(child_id))
        .filter(request::Column::Kind.eq("lead"))
        .filter(request::Column::Status.is_in(open()))
        .all(conn)
        .await?;
    for r in &leads {
        withdraw_open(conn, r.id, None, "监护人撤回同意 / consent withdrawn by the guardian", now).await?;
    }
    Ok(leads.len())
}

/// Writes the history step of a request whose child turned 16 on `day` (the request continues).
pub(crate) async fn record_aged_out(conn: &impl ConnectionTrait, id: Uuid, day: NaiveDate, now: DateTime<Utc>) -> AppResult<()> {
    let note = format!("孩子已于 {day} 年满十六周岁，本申请继续办理 / the child turned 16 on {day}; this request continues");
    event(conn, id, None, Step { kind: "aged_out", from: None, to: None, note: Some(note), public: true }, now).await?;
    Ok(())
}
