//! Grants of subscribe-message templates. The mini-program asks the family with
//! `wx.requestSubscribeMessage` and reports each template's result; an `accept` of a one-time
//! template lets Tongxin send one message with it (accepts add up, as they do at WeChat), `ban`
//! (the template was banned) ends every grant of it, `reject` leaves earlier grants alone.
//! A message takes its grant with a conditional update (`remaining > 0`), so two workers can
//! never both use the last one.

use chrono::{DateTime, Utc};
use entities::{account_wechat, subscribe_grant as grant};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    services::audit,
    state::AppState,
};

/// Messages one template may still carry at most; WeChat itself keeps far fewer pending.
const MAX_REMAINING: i32 = 50;
/// Results one report may carry (`wx.requestSubscribeMessage` takes at most 3 templates at once;
/// room for a few calls in one report).
const MAX_REPORT: usize = 20;

/// What the family chose for a template in `wx.requestSubscribeMessage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantResult {
    /// `accept`: one more message allowed.
    Accept,
    /// `reject`: this time no; earlier grants stay.
    Reject,
    /// `ban`: WeChat banned the template; no message with it.
    Ban,
}

impl GrantResult {
    fn as_str(self) -> &'static str {
        match self {
            GrantResult::Accept => "accept",
            GrantResult::Reject => "reject",
            GrantResult::Ban => "ban",
        }
    }
}

/// Records the results of `wx.requestSubscribeMessage`. Only a guardian with a WeChat identity
/// may report; a template id that is not one of the configured templates is a validation error
/// and nothing is recorded.
pub async fn report(state: &AppState, viewer: &Viewer, results: &[(String, GrantResult)]) -> AppResult<()> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    if results.is_empty() || results.len() > MAX_REPORT {
        return Err(AppError::validation("grants", "请报告 1–20 个模板的订阅结果", "report the results of 1 to 20 templates"));
    }
    let known: Vec<String> = state.config.notify.wechat_templates().into_iter().map(|(_, t)| t.id).collect();
    if results.iter().any(|(id, _)| !known.contains(id)) {
        return Err(AppError::validation(
            "grants",
            "包含本服务未使用的订阅消息模板",
            "a template id is not one of this service's subscribe-message templates",
        ));
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    if account_wechat::Entity::find_by_id(viewer.account_id).one(&txn).await?.is_none() {
        return Err(AppError::conflict(
            "账户未绑定微信，不能订阅微信消息",
            "the account has no WeChat identity to receive subscribe messages",
        ));
    }
    for (template_id, result) in results {
        record(&txn, viewer.account_id, template_id, *result, now).await?;
    }
    let detail = serde_json::json!({ "templates": results.len() });
    audit::record(&txn, Some(viewer.account_id), "notify.grants_reported", "account", &viewer.account_id.to_string(), Some(detail), now)
        .await?;
    txn.commit().await?;
    // A notice waiting for a channel may now go by WeChat.
    state.mail_wake.notify_one();
    Ok(())
}

async fn record(conn: &impl ConnectionTrait, account: Uuid, template_id: &str, result: GrantResult, now: DateTime<Utc>) -> AppResult<()> {
    grant::Entity::insert(grant::ActiveModel {
        account_id: Set(account),
        template_id: Set(template_id.to_owned()),
        remaining: Set(0),
        last_result: Set(result.as_str().into()),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::columns([grant::Column::AccountId, grant::Column::TemplateId]).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    let this =
        || grant::Entity::update_many().filter(grant::Column::AccountId.eq(account)).filter(grant::Column::TemplateId.eq(template_id));
    match result {
        GrantResult::Accept => {
            this()
                .col_expr(grant::Column::Remaining, Expr::col(grant::Column::Remaining).add(1))
                .filter(grant::Column::Remaining.lt(MAX_REMAINING))
                .exec(conn)
                .await?;
        }
        GrantResult::Ban => {
            this().col_expr(grant::Column::Remaining, Expr::value(0)).exec(conn).await?;
        }
        GrantResult::Reject => {}
    }
    this()
        .col_expr(grant::Column::LastResult, Expr::value(result.as_str()))
        .col_expr(grant::Column::UpdatedAt, Expr::value(now))
        .exec(conn)
        .await?;
    Ok(())
}

/// Takes one message's grant of `template_id` for `account` and marks the notice `outbox_id` as
/// holding it, in one transaction: either both happen or neither. False when no grant is left.
pub async fn take(state: &AppState, account: Uuid, template_id: &str, outbox_id: Uuid) -> AppResult<bool> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let taken = grant::Entity::update_many()
        .col_expr(grant::Column::Remaining, Expr::col(grant::Column::Remaining).sub(1))
        .col_expr(grant::Column::UpdatedAt, Expr::value(now))
        .filter(grant::Column::AccountId.eq(account))
        .filter(grant::Column::TemplateId.eq(template_id))
        .filter(grant::Column::Remaining.gt(0))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !taken {
        return Ok(false);
    }
    entities::outbox::Entity::update_many()
        .col_expr(entities::outbox::Column::Channel, Expr::value(super::kinds::Channel::WeChat.as_str()))
        .filter(entities::outbox::Column::Id.eq(outbox_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// WeChat said the family holds no grant of `template_id` (43101): forget any we counted.
pub async fn clear(state: &AppState, account: Uuid, template_id: &str) -> AppResult<()> {
    grant::Entity::update_many()
        .col_expr(grant::Column::Remaining, Expr::value(0))
        .filter(grant::Column::AccountId.eq(account))
        .filter(grant::Column::TemplateId.eq(template_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Messages still allowed per configured template, for the account's owner.
pub async fn remaining(state: &AppState, account: Uuid) -> AppResult<Vec<(String, i32)>> {
    let rows = grant::Entity::find().filter(grant::Column::AccountId.eq(account)).all(&state.db).await?;
    Ok(rows.into_iter().map(|g| (g.template_id, g.remaining)).collect())
}
