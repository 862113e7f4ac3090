//! The ways a family signs in besides e-mail and password: a WeChat identity (mini-program app id
//! and openid) and a mobile number proven by an SMS code. An account holds at most one of each;
//! an identity belongs to one account (a second claim is `CONFLICT`); the last way to sign in
//! cannot be removed. Only guardians use these ways: staff and admins keep e-mail and password,
//! so a phone or an openid can never open a staff account.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use entities::{account, account_phone, account_wechat};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    constraints, db,
    error::{AppError, AppResult},
    services::{
        accounts::{self, SessionTokens},
        audit,
        phone_codes::{self, Purpose},
    },
    state::AppState,
    wechat::{WeChat, WeChatError, token},
};

/// The display name of an account created by WeChat or phone sign-in, until the family sets one.
const NEW_FAMILY_NAME: &str = "家长";
const PHONE_COLUMN: &str = "account_phones.phone_sealed";

/// A sign-in identity of an account, masked for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// E-mail address (with a password).
    Email(String),
    /// Mobile number.
    Phone(String),
    /// WeChat openid of the mini-program.
    WeChat(String),
}

fn wechat(state: &AppState) -> AppResult<&WeChat> {
    state
        .wechat
        .as_deref()
        .ok_or_else(|| AppError::validation("code", "本服务未开通微信登录", "WeChat sign-in is not configured on this server"))
}

/// WeChat's documented error codes as the client should see them.
fn from_wechat(e: WeChatError) -> AppError {
    match e {
        WeChatError::Code { errcode: 40029 | 40163 } => AppError::validation(
            "code",
            "微信登录凭证无效或已使用，请重新获取",
            "the WeChat code is invalid or was already used; get a new one",
        ),
        WeChatError::Code { errcode: 45011 } => AppError::RateLimited { retry_after_secs: 60 },
        WeChatError::Code { errcode: 40226 } => {
            AppError::validation("code", "微信判定此账号存在风险，暂不能登录", "WeChat marks this user as high-risk; sign-in is refused")
        }
        WeChatError::Code { errcode: -1 } => AppError::Unavailable { retry_after_secs: 3 },
        other => {
            tracing::warn!(error = %other, "WeChat call failed");
            AppError::Unavailable { retry_after_secs: 10 }
        }
    }
}

/// The guardian account bound to an identity, refusing any other role or a disabled account.
async fn guardian(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<account::Model> {
    let a = account::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::Unauthenticated)?;
    if a.disabled_at.is_some() || a.role != Role::Guardian.as_str() {
        tracing::info!(account_id = %a.id, "sign-in refused: not an active guardian");
        return Err(AppError::Unauthenticated);
    }
    Ok(a)
}

async fn new_guardian(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(None),
        password_hash: Set(None),
        display_name: Set(NEW_FAMILY_NAME.into()),
        role: Set(Role::Guardian.as_str().into()),
        department_code: Set(None),
        region_code: Set(None),
        organization_id: Set(None),
        email_verified_at: Set(None),
        disabled_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

fn taken() -> AppError {
    AppError::conflict("该身份已绑定其他账户", "this identity already belongs to another account")
}

/// Signs in with a `wx.login` code, creating the guardian account on the first visit.
pub async fn login_with_wechat(state: &AppState, code: &str, address: Option<IpAddr>) -> AppResult<SessionTokens> {
    let wx = wechat(state)?;
    let code = code.trim();
    if code.is_empty() || code.len() > 128 {
        return Err(AppError::validation("code", "缺少微信登录凭证", "the WeChat code is missing or malformed"));
    }
    state.limits.sign_in_attempt(address)?;
    let user = wx.code_to_session(code).await.map_err(from_wechat)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let bound = account_wechat::Entity::find()
        .filter(account_wechat::Column::AppId.eq(wx.app_id()))
        .filter(account_wechat::Column::Openid.eq(&user.openid))
        .one(&txn)
        .await?;
    let account_id = match bound {
        Some(b) => guardian(&txn, b.account_id).await?.id,
        None => {
            let id = new_guardian(&txn, now).await?;
            insert_wechat(&txn, id, wx.app_id(), &user.openid, user.unionid.clone(), now).await?;
            audit::record(&txn, Some(id), "account.registered_wechat", "account", &id.to_string(), None, now).await?;
            id
        }
    };
    let tokens = accounts::start_session(state, &txn, account_id, now).await?;
    txn.commit().await?;
    tracing::info!(account_id = %account_id, "login with WeChat");
    Ok(tokens)
}

async fn insert_wechat(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    app_id: &str,
    openid: &str,
    unionid: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = account_wechat::ActiveModel {
        account_id: Set(account_id),
        app_id: Set(app_id.into()),
        openid: Set(openid.into()),
        unionid: Set(unionid),
        created_at: Set(now),
    };
    account_wechat::Entity::insert(row)
        .exec_without_returning(conn)
        .await
        .map_err(|e| if constraints::ACCOUNT_WECHAT.broken_by(&e) { taken() } else { e.into() })?;
    Ok(())
}

/// Sends a sign-in (`Login`) or add-a-number (`Bind`) code to a mainland number.
pub async fn request_phone_code(state: &AppState, phone: &str, purpose: Purpose, address: Option<IpAddr>) -> AppResult<()> {
    let e164 = phone_codes::parse_phone(phone)?;
    phone_codes::send(state, &e164, purpose, address).await
}

/// Signs in with a number and its code, creating the guardian account on the first visit.
pub async fn login_with_phone(state: &AppState, phone: &str, code: &str, address: Option<IpAddr>) -> AppResult<SessionTokens> {
    let e164 = phone_codes::parse_phone(phone)?;
    state.limits.login(&e164, address)?;
    phone_codes::consume(state, &e164, Purpose::Login, code).await?;
    let now = state.clock.now();
    let hash = phone_codes::phone_hash(state, &e164);
    let txn = db::begin_write(&state.db).await?;
    let bound = account_phone::Entity::find().filter(account_phone::Column::PhoneHash.eq(&hash)).one(&txn).await?;
    let account_id = match bound {
        Some(b) => guardian(&txn, b.account_id).await?.id,
        None => {
            let id = new_guardian(&txn, now).await?;
            insert_phone(state, &txn, id, &e164, now).await?;
            audit::record(&txn, Some(id), "account.registered_phone", "account", &id.to_string(), None, now).await?;
            id
        }
    };
    let tokens = accounts::start_session(state, &txn, account_id, now).await?;
    txn.commit().await?;
    tracing::info!(account_id = %account_id, "login with phone");
    Ok(tokens)
}

async fn insert_phone(state: &AppState, conn: &impl ConnectionTrait, account_id: Uuid, e164: &str, now: DateTime<Utc>) -> AppResult<()> {
    let sealed = state.pii.seal(PHONE_COLUMN, account_id, e164)?;
    let row = account_phone::ActiveModel {
        account_id: Set(account_id),
        phone_hash: Set(phone_codes::phone_hash(state, e164)),
        phone_kid: Set(sealed.kid),
        phone_sealed: Set(sealed.ciphertext),
        created_at: Set(now),
    };
    account_phone::Entity::insert(row)
        .exec_without_returning(conn)
        .await
        .map_err(|e| if constraints::ACCOUNT_PHONE.broken_by(&e) { taken() } else { e.into() })?;
    Ok(())
}

fn require_guardian(viewer: &Viewer) -> AppResult<()> {
    if viewer.role == Role::Guardian { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Puts a proven number on the caller's account (replacing its previous number).
async fn attach_phone(state: &AppState, viewer: &Viewer, e164: &str, how: &str) -> AppResult<()> {
    let now = state.clock.now();
    let hash = phone_codes::phone_hash(state, e164);
    let txn = db::begin_write(&state.db).await?;
    if let Some(holder) = account_phone::Entity::find().filter(account_phone::Column::PhoneHash.eq(&hash)).one(&txn).await? {
        if holder.account_id == viewer.account_id {
            return Ok(());
        }
        return Err(taken());
    }
    account_phone::Entity::delete_by_id(viewer.account_id).exec(&txn).await?;
    insert_phone(state, &txn, viewer.account_id, e164, now).await?;
    let detail = serde_json::json!({ "how": how });
    audit::record(&txn, Some(viewer.account_id), "account.phone_bound", "account", &viewer.account_id.to_string(), Some(detail), now)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds a number proven by a `Bind` code to the caller's (guardian) account.
pub async fn bind_phone(state: &AppState, viewer: &Viewer, phone: &str, code: &str, address: Option<IpAddr>) -> AppResult<()> {
    require_guardian(viewer)?;
    let e164 = phone_codes::parse_phone(phone)?;
    state.limits.login(&e164, address)?;
    phone_codes::consume(state, &e164, Purpose::Bind, code).await?;
    attach_phone(state, viewer, &e164, "sms").await
}

/// Adds the number WeChat gives for the mini-program's phone button (`getPhoneNumber` code).
pub async fn bind_phone_from_wechat(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<()> {
    require_guardian(viewer)?;
    let wx = wechat(state)?;
    let code = code.trim();
    if code.is_empty() || code.len() > 128 {
        return Err(AppError::validation("code", "缺少手机号凭证", "the phone-number code is missing or malformed"));
    }
    let access = token::access_token(state, wx, None).await?;
    let answer = match wx.phone_number(&access, code).await {
        Err(e) if e.is_token_rejected() => {
            let fresh = token::access_token(state, wx, Some(&access)).await?;
            wx.phone_number(&fresh, code).await
        }
        other => other,
    };
    let (country, national) = answer.map_err(from_wechat)?;
    if country != "86" {
        return Err(AppError::validation("code", "仅支持中国大陆手机号", "only mainland China numbers are supported"));
    }
    let e164 = phone_codes::parse_phone(&national)?;
    attach_phone(state, viewer, &e164, "wechat").await
}

/// Adds the caller's WeChat identity (a `wx.login` code) to their guardian account.
pub async fn bind_wechat(state: &AppState, viewer: &Viewer, code: &str) -> AppResult<()> {
    require_guardian(viewer)?;
    let wx = wechat(state)?;
    let code = code.trim();
    if code.is_empty() || code.len() > 128 {
        return Err(AppError::validation("code", "缺少微信登录凭证", "the WeChat code is missing or malformed"));
    }
    let user = wx.code_to_session(code).await.map_err(from_wechat)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    if let Some(holder) = account_wechat::Entity::find()
        .filter(account_wechat::Column::AppId.eq(wx.app_id()))
        .filter(account_wechat::Column::Openid.eq(&user.openid))
        .one(&txn)
        .await?
    {
        return if holder.account_id == viewer.account_id { Ok(()) } else { Err(taken()) };
    }
    if account_wechat::Entity::find_by_id(viewer.account_id).one(&txn).await?.is_some() {
        return Err(AppError::conflict("账户已绑定另一个微信", "the account already has another WeChat identity; remove it first"));
    }
    insert_wechat(&txn, viewer.account_id, wx.app_id(), &user.openid, user.unionid, now).await?;
    audit::record(&txn, Some(viewer.account_id), "account.wechat_bound", "account", &viewer.account_id.to_string(), None, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Which identity `unbind` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removable {
    /// The mobile number.
    Phone,
    /// The WeChat identity.
    WeChat,
}

/// Removes a sign-in identity from the caller's account, unless it is the last way in.
pub async fn unbind(state: &AppState, viewer: &Viewer, which: Removable) -> AppResult<()> {
    require_guardian(viewer)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let me = account::Entity::find_by_id(viewer.account_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let has_phone = account_phone::Entity::find_by_id(me.id).one(&txn).await?.is_some();
    let has_wechat = account_wechat::Entity::find_by_id(me.id).one(&txn).await?.is_some();
    let has_password = me.email.is_some() && me.password_hash.is_some();
    let (present, others) = match which {
        Removable::Phone => (has_phone, has_wechat || has_password),
        Removable::WeChat => (has_wechat, has_phone || has_password),
    };
    if !present {
        return Err(AppError::NotFound);
    }
    if !others {
        return Err(AppError::conflict(
            "这是您唯一的登录方式，不能解除",
            "this is your only way to sign in; add another before removing it",
        ));
    }
    let action = match which {
        Removable::Phone => {
            account_phone::Entity::delete_by_id(me.id).exec(&txn).await?;
            "account.phone_unbound"
        }
        Removable::WeChat => {
            account_wechat::Entity::delete_by_id(me.id).exec(&txn).await?;
            "account.wechat_unbound"
        }
    };
    audit::record(&txn, Some(me.id), action, "account", &me.id.to_string(), None, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The account's sign-in identities, masked.
pub async fn list(state: &AppState, account: &account::Model) -> AppResult<Vec<Identity>> {
    let mut out = Vec::new();
    if let Some(email) = &account.email
        && account.password_hash.is_some()
    {
        out.push(Identity::Email(mask_email(email)));
    }
    if let Some(p) = account_phone::Entity::find_by_id(account.id).one(&state.db).await? {
        let shown = match state.pii.open(PHONE_COLUMN, account.id, &p.phone_kid, &p.phone_sealed) {
            Ok(e164) => domain::phone::mask(&e164),
            Err(_) => {
                state.pii.note_unreadable(&p.phone_kid);
                "****".into()
            }
        };
        out.push(Identity::Phone(shown));
    }
    if let Some(w) = account_wechat::Entity::find_by_id(account.id).one(&state.db).await? {
        let tail: String = w.openid.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        out.push(Identity::WeChat(format!("****{tail}")));
    }
    Ok(out)
}

/// `ab***@example.org`: enough for the owner to recognise the address.
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().take(2).collect::<String>()),
        None => "***".into(),
    }
}
