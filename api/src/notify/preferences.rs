//! The order in which a family wants to hear from Tongxin. Without a choice: WeChat, SMS, e-mail.
//! Channels left out of a chosen order are not used; a channel the account loses later (an
//! unbound number) is skipped when a notice is delivered.

use entities::{account, account_phone, account_wechat, notification_preference as pref};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use super::kinds::Channel;
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    services::audit,
    state::AppState,
};

/// The account's channel order (the default when it never chose one).
pub async fn order(conn: &impl ConnectionTrait, account: Uuid) -> AppResult<Vec<Channel>> {
    Ok(match pref::Entity::find_by_id(account).one(conn).await? {
        Some(p) => Channel::list(Some(&p.channel_order)),
        None => Channel::DEFAULT_ORDER.to_vec(),
    })
}

/// The channels the account has now: a WeChat identity, a bound number, an e-mail address.
pub async fn available(conn: &impl ConnectionTrait, account: &account::Model) -> AppResult<Vec<Channel>> {
    let mut out = Vec::new();
    if account_wechat::Entity::find_by_id(account.id).one(conn).await?.is_some() {
        out.push(Channel::WeChat);
    }
    if account_phone::Entity::find_by_id(account.id).one(conn).await?.is_some() {
        out.push(Channel::Sms);
    }
    if account.email.is_some() {
        out.push(Channel::Email);
    }
    Ok(out)
}

/// Sets the caller's order. Refused: an empty list, a channel twice, a channel the account does
/// not have; only guardians (staff hear by e-mail).
pub async fn set(state: &AppState, viewer: &Viewer, order: &[Channel]) -> AppResult<Vec<Channel>> {
    if viewer.role != Role::Guardian {
        return Err(AppError::Forbidden);
    }
    if order.is_empty() {
        return Err(AppError::validation("order", "请至少选择一种接收方式", "choose at least one channel"));
    }
    if order.iter().enumerate().any(|(i, c)| order[..i].contains(c)) {
        return Err(AppError::validation("order", "接收方式不能重复", "a channel appears twice"));
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let me = account::Entity::find_by_id(viewer.account_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let have = available(&txn, &me).await?;
    if order.iter().any(|c| !have.contains(c)) {
        return Err(AppError::validation(
            "order",
            "账户尚未绑定所选的接收方式（微信、手机号或邮箱）",
            "the account does not have one of these channels (WeChat, phone number or e-mail)",
        ));
    }
    let joined = Channel::join(order);
    pref::Entity::insert(pref::ActiveModel { account_id: Set(me.id), channel_order: Set(joined.clone()), updated_at: Set(now) })
        .on_conflict(
            OnConflict::column(pref::Column::AccountId).update_columns([pref::Column::ChannelOrder, pref::Column::UpdatedAt]).to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let detail = serde_json::json!({ "order": joined });
    audit::record(&txn, Some(me.id), "notify.preferences_set", "account", &me.id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    Ok(order.to_vec())
}
