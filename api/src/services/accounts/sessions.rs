//! Sessions: password login, rotating refresh tokens with reuse detection, logout, and turning a
//! bearer token into the request's viewer.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entities::{account, login_session, refresh_token};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::{
        Role, Viewer, password,
        sessions::{Revoked, SessionCache},
        tokens,
        viewer::Auth,
    },
    db,
    error::{AppError, AppResult},
    services::audit,
    state::AppState,
};

/// Tokens handed to a client after login or refresh.
#[derive(Debug, Clone)]
pub struct SessionTokens {
    /// Short-lived JWT.
    pub access_token: String,
    /// Opaque, single-use refresh token.
    pub refresh_token: String,
    /// Expiry of the access token.
    pub expires_at: DateTime<Utc>,
}

/// Password login. Throttled per account and address before the password is checked.
pub async fn login(state: &AppState, email: &str, password_raw: &str, address: Option<IpAddr>) -> AppResult<SessionTokens> {
    let email = email.trim().to_lowercase();
    state.limits.login(&email, address)?;
    let found = account::Entity::find().filter(account::Column::Email.eq(&email)).one(&state.db).await?;
    let stored = found.as_ref().and_then(|a| a.password_hash.clone());
    let ok = match stored {
        Some(h) => password::verify(password_raw.to_owned(), h).await?,
        None => {
            // Same cost as a real check, so timing does not reveal which addresses exist.
            let _ = password::verify(password_raw.to_owned(), password::dummy_hash().await.to_owned()).await?;
            false
        }
    };
    let account = match (found, ok) {
        (Some(a), true) if a.disabled_at.is_none() => a,
        _ => {
            tracing::info!("login refused");
            return Err(AppError::Unauthenticated);
        }
    };
    if account.email_verified_at.is_none() {
        return Err(AppError::validation(
            "email",
            "请先打开验证邮件中的链接完成邮箱验证",
            "verify your e-mail address first (see the verification e-mail)",
        ));
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let tokens = start_session(state, &txn, account.id, now).await?;
    txn.commit().await?;
    tracing::info!(account_id = %account.id, "login");
    Ok(tokens)
}

/// Opens a login session for `account_id` in the caller's transaction and issues its token pair:
/// every way of signing in (password, WeChat, phone code) ends here.
pub(crate) async fn start_session(
    state: &AppState,
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<SessionTokens> {
    let session_id = Uuid::now_v7();
    login_session::Entity::insert(login_session::ActiveModel {
        id: Set(session_id),
        account_id: Set(account_id),
        created_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    tracing::debug!(account_id = %account_id, session_id = %session_id, "session started");
    issue_tokens(state, conn, account_id, session_id, now).await
}

async fn issue_tokens(
    state: &AppState,
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<SessionTokens> {
    let refresh = tokens::generate();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(tokens::hash(&refresh)),
        expires_at: Set(now + Duration::seconds(state.config.jwt_refresh_ttl_secs as i64)),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    let (access_token, expires_at) = state.jwt.issue(account_id, session_id, now).map_err(AppError::internal)?;
    Ok(SessionTokens { access_token, refresh_token: refresh, expires_at })
}

/// Rotates a refresh token. A token presented a second time means it was copied: the whole login
/// (every refresh and access token of that session) is revoked.
pub async fn refresh(state: &AppState, token: &str) -> AppResult<SessionTokens> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let Some(row) = refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(tokens::hash(token.trim()))).one(&txn).await?
    else {
        return Err(AppError::Unauthenticated);
    };
    let session = login_session::Entity::find_by_id(row.session_id).one(&txn).await?.ok_or(AppError::Unauthenticated)?;
    if session.revoked_at.is_some() || row.expires_at <= now {
        return Err(AppError::Unauthenticated);
    }
    let marked = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        revoke_sessions(&txn, Revoked::Session(session.id), "refresh_reuse", now).await?;
        audit::record(&txn, Some(session.account_id), "session.refresh_reuse", "session", &session.id.to_string(), None, now).await?;
        txn.commit().await?;
        state.sessions.forget(Revoked::Session(session.id));
        tracing::warn!(session_id = %session.id, "refresh token reused: session revoked");
        return Err(AppError::Unauthenticated);
    }
    let account = account::Entity::find_by_id(session.account_id).one(&txn).await?.ok_or(AppError::Unauthenticated)?;
    if account.disabled_at.is_some() {
        return Err(AppError::Unauthenticated);
    }
    let tokens = issue_tokens(state, &txn, account.id, session.id, now).await?;
    txn.commit().await?;
    Ok(tokens)
}

/// Revokes `which` in the caller's transaction and tells the other server processes at commit;
/// the caller then calls `state.sessions.forget(which)` once committed.
pub(crate) async fn revoke_sessions(conn: &impl ConnectionTrait, which: Revoked, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
    let rows = match which {
        Revoked::Session(id) => login_session::Column::Id.eq(id),
        Revoked::Account(id) => login_session::Column::AccountId.eq(id),
    };
    login_session::Entity::update_many()
        .col_expr(login_session::Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(login_session::Column::RevokedReason, Expr::value(Some(reason.to_owned())))
        .filter(rows)
        .filter(login_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    SessionCache::announce(conn, which).await
}

/// Ends the caller's login: its access and refresh tokens stop working at once.
pub async fn logout(state: &AppState, viewer: &Viewer) -> AppResult<()> {
    let which = Revoked::Session(viewer.session_id);
    let txn = db::begin_write(&state.db).await?;
    revoke_sessions(&txn, which, "logout", state.clock.now()).await?;
    txn.commit().await?;
    state.sessions.forget(which);
    Ok(())
}

/// Turns a bearer token into the request's `Auth`: the JWT must verify, its session must be live
/// and its account enabled — so logout and disabling take effect on the next request.
pub async fn authenticate(state: &AppState, bearer: &str) -> AppResult<Auth> {
    let Some(claims) = state.jwt.verify(bearer, state.clock.now()) else { return Ok(Auth::Invalid) };
    if let Some(v) = state.sessions.get(claims.sid, claims.sub) {
        return Ok(Auth::Signed(v));
    }
    let epoch = state.sessions.begin_fill();
    let (account, session) = tokio::try_join!(
        account::Entity::find_by_id(claims.sub).one(&state.db),
        login_session::Entity::find_by_id(claims.sid).one(&state.db),
    )?;
    let (Some(account), Some(session)) = (account, session) else { return Ok(Auth::Invalid) };
    if account.disabled_at.is_some() || session.revoked_at.is_some() || session.account_id != account.id {
        return Ok(Auth::Invalid);
    }
    let Some(role) = Role::parse(&account.role) else { return Ok(Auth::Invalid) };
    let viewer = Viewer {
        account_id: account.id,
        session_id: session.id,
        role,
        department_code: account.department_code,
        region_code: account.region_code,
        organization_id: account.organization_id,
    };
    if let Some(e) = epoch {
        state.sessions.fill(e, viewer.clone());
    }
    Ok(Auth::Signed(viewer))
}

/// The caller's own account row.
pub async fn me(state: &AppState, viewer: &Viewer) -> AppResult<account::Model> {
    account::Entity::find_by_id(viewer.account_id).one(&state.db).await?.ok_or(AppError::NotFound)
}
