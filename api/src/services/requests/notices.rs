//! What a request's changes tell people: the family on its channels (`notify`), the staff of a
//! queue by e-mail. Always inside the transaction that makes the change (the outbox).

use chrono::{DateTime, Utc};
use domain::lifecycle::request::RequestStatus;
use entities::{account, request};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Role,
    error::{AppResult, Msg},
    mail::{outbox, templates},
    notify,
};

/// The wording families see for a status (DOMAIN.md §4).
pub fn public_status(s: RequestStatus) -> Msg {
    match s {
        RequestStatus::Routed => Msg::new("已受理", "Accepted"),
        RequestStatus::Claimed => Msg::new("办理中（已分派经办人）", "Assigned to a caseworker"),
        RequestStatus::InProgress => Msg::new("办理中", "In progress"),
        RequestStatus::NeedsInfo => Msg::new("待补充材料", "Waiting for your information"),
        RequestStatus::Granted => Msg::new("已办结（同意）", "Granted"),
        RequestStatus::Rejected => Msg::new("已办结（不予办理）", "Rejected"),
        RequestStatus::Withdrawn => Msg::new("已撤回", "Withdrawn"),
    }
}

/// Tells the family about its request on the family's channels (`notify`); `status` is the new
/// status, `None` for a caseworker's message.
pub(crate) async fn tell_guardian(
    conn: &impl ConnectionTrait,
    r: &request::Model,
    status: Option<RequestStatus>,
    (zh, en): (String, String),
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mail = templates::notice("您的申请有新进展", "Your request was updated", zh, en);
    notify::enqueue(conn, r.guardian_id, Some(r.child_id), notify::events::request_update(status, now, mail), now).await?;
    Ok(())
}

/// Tells the family the request's new status, with the caseworker's note if any.
pub(crate) async fn tell_status(
    conn: &impl ConnectionTrait,
    r: &request::Model,
    to: RequestStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let s = public_status(to);
    let n_zh = note.map(|n| format!("\n说明：{n}")).unwrap_or_default();
    let n_en = note.map(|n| format!("\nNote: {n}")).unwrap_or_default();
    tell_guardian(
        conn,
        r,
        Some(to),
        (format!("申请（{}）状态：{}{n_zh}", r.entitlement_code, s.zh), format!("Request ({}) status: {}{n_en}", r.entitlement_code, s.en)),
        now,
    )
    .await
}

/// Staff accounts whose scope covers a queue: department staff of the department (civil-affairs
/// roles for civil affairs) whose region contains the queue's region.
async fn queue_staff(conn: &impl ConnectionTrait, department: &str, region: &str) -> AppResult<Vec<account::Model>> {
    let rows = account::Entity::find()
        .filter(account::Column::DepartmentCode.eq(department))
        .filter(account::Column::Role.is_in([Role::DepartmentStaff.as_str(), Role::CivilAffairs.as_str()]))
        .filter(account::Column::DisabledAt.is_null())
        .all(conn)
        .await?;
    Ok(rows.into_iter().filter(|a| a.region_code.as_deref().is_some_and(|s| crate::auth::viewer::region_contains(s, region))).collect())
}

/// Tells the staff of a queue about work on `child`.
pub(crate) async fn tell_queue(
    conn: &impl ConnectionTrait,
    (department, region): (&str, &str),
    child: Uuid,
    zh: String,
    en: String,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for email in queue_staff(conn, department, region).await?.into_iter().filter_map(|a| a.email) {
        let mail = templates::notice("工作队列提醒", "Work queue notice", zh.clone(), en.clone());
        outbox::enqueue_about(conn, &email, mail, Some(child), now).await?;
    }
    Ok(())
}

/// E-mails one staff account (an assignee, an assigner) about work on `child`, if it has an
/// address.
pub(crate) async fn tell_account(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    (subject_zh, subject_en): (&str, &str),
    (zh, en): (String, String),
    child: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(email) = account::Entity::find_by_id(account_id).one(conn).await?.and_then(|a| a.email) {
        let mail = templates::notice(subject_zh, subject_en, zh, en);
        outbox::enqueue_about(conn, &email, mail, Some(child), now).await?;
    }
    Ok(())
}
