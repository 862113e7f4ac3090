//! Accounts and sessions: registration, e-mail verification, login, rotating refresh tokens with
//! reuse detection, logout, password reset, staff accounts and disabling.

use std::{net::IpAddr, str::FromStr};

use chrono::{DateTime, Duration, Utc};
use entities::{account, email_token, login_session, refresh_token};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::{
        Role, Viewer, password,
        sessions::{Revoked, SessionCache},
        tokens,
        viewer::Auth,
    },
    db,
    error::{AppError, AppResult, is_unique_violation},
    mail::{outbox, templates},
    services::{audit, reference, text},
    state::AppState,
};

const VERIFY_TTL: Duration = Duration::hours(24);
const RESET_TTL: Duration = Duration::hours(1);
const STAFF_INVITE_TTL: Duration = Duration::hours(72);
const PURPOSE_VERIFY: &str = "verify_email";
const PURPOSE_RESET: &str = "reset_password";

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

/// A normalised, syntactically valid e-mail address, or `VALIDATION` on `email`.
pub fn parse_email(raw: &str) -> AppResult<String> {
    let trimmed = raw.trim().to_lowercase();
    if trimmed.len() > 254 || lettre::Address::from_str(&trimmed).is_err() {
        return Err(AppError::validation("email", "邮箱格式不正确", "malformed e-mail address"));
    }
    Ok(trimmed)
}

/// A person's name as typed: one line of 1 to 100 characters, no control characters.
pub fn parse_name(raw: &str, field: &str) -> AppResult<String> {
    text::line(raw, field, 100)
}

/// Self-registration of a guardian. Always answers the same way whether or not the address is
/// taken (an existing owner gets a notice instead), so the API does not reveal who has an account;
/// the throttles (per client `address` and per recipient) count both cases alike, before the
/// lookup and before the costly password hash.
pub async fn register(state: &AppState, email: &str, password_raw: &str, display_name: &str, address: Option<IpAddr>) -> AppResult<()> {
    let email = parse_email(email)?;
    let display_name = parse_name(display_name, "displayName")?;
    password::check_strength(password_raw, &email)?;
    state.limits.registration(&email, address)?;
    let hash = password::hash(password_raw.to_owned()).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    if account::Entity::find().filter(account::Column::Email.eq(&email)).one(&txn).await?.is_some() {
        let mail = templates::notice(
            "您已注册过童心账户",
            "You already have a Tongxin account",
            "有人尝试用此邮箱重新注册。如忘记密码，请使用“找回密码”。".into(),
            "Someone tried to register again with this address. If you forgot your password, use password reset.".into(),
        );
        outbox::enqueue(&txn, &email, mail, now).await?;
        txn.commit().await?;
        state.mail_wake.notify_one();
        return Ok(());
    }
    let new = NewLogin { email: email.clone(), password_hash: hash, display_name, role: Role::Guardian, organization_id: None };
    let id = match insert_unverified(state, &txn, new, now).await {
        Err(AppError::Conflict(_)) => return Ok(()),
        other => other?,
    };
    audit::record(&txn, Some(id), "account.registered", "account", &id.to_string(), None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    tracing::info!(account_id = %id, "guardian registered");
    Ok(())
}

/// A self-registered login before its address is verified.
pub(crate) struct NewLogin {
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
}

/// Inserts an account whose address is not yet verified and enqueues the verification e-mail, in
/// the caller's transaction (guardians register themselves; organizations register their first
/// staff member this way). A taken address is `CONFLICT`.
pub(crate) async fn insert_unverified(state: &AppState, conn: &impl ConnectionTrait, new: NewLogin, now: DateTime<Utc>) -> AppResult<Uuid> {
    let NewLogin { email, password_hash, display_name, role, organization_id } = new;
    let email = email.as_str();
    let id = Uuid::now_v7();
    let insert = account::Entity::insert(account::ActiveModel {
        id: Set(id),
        email: Set(Some(email.to_owned())),
        password_hash: Set(Some(password_hash)),
        display_name: Set(display_name),
        role: Set(role.as_str().into()),
        department_code: Set(None),
        region_code: Set(None),
        organization_id: Set(organization_id),
        email_verified_at: Set(None),
        disabled_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await;
    if let Err(e) = insert {
        return Err(if is_unique_violation(&e) {
            AppError::conflict("该邮箱已有账户", "an account with this e-mail already exists")
        } else {
            e.into()
        });
    }
    let token = issue_email_token(conn, id, PURPOSE_VERIFY, now + VERIFY_TTL, now).await?;
    outbox::enqueue(conn, email, templates::verify_email(&state.config.public_url, &token), now).await?;
    Ok(id)
}

async fn issue_email_token(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    purpose: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = tokens::generate();
    email_token::Entity::insert(email_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        purpose: Set(purpose.into()),
        token_hash: Set(tokens::hash(&token)),
        expires_at: Set(expires_at),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(token)
}

/// Consumes a one-time e-mail token of `purpose`; returns its account. Invalid, expired and used
/// tokens all give the same `VALIDATION` error on `token`.
async fn consume_email_token(conn: &impl ConnectionTrait, token: &str, purpose: &str, now: DateTime<Utc>) -> AppResult<Uuid> {
    let invalid = || AppError::validation("token", "链接无效或已过期", "the link is invalid or has expired");
    let row = email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(tokens::hash(token.trim())))
        .filter(email_token::Column::Purpose.eq(purpose))
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    if row.expires_at <= now || row.used_at.is_some() {
        return Err(invalid());
    }
    let res = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(email_token::Column::Id.eq(row.id))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(row.account_id)
}

/// Confirms an e-mail address with the token from the verification e-mail.
pub async fn verify_email(state: &AppState, token: &str) -> AppResult<()> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let account_id = consume_email_token(&txn, token, PURPOSE_VERIFY, now).await?;
    account::Entity::update_many()
        .col_expr(account::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .filter(account::Column::Id.eq(account_id))
        .filter(account::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(&txn, Some(account_id), "account.email_verified", "account", &account_id.to_string(), None, now).await?;
    txn.commit().await?;
    Ok(())
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
async fn revoke_sessions(conn: &impl ConnectionTrait, which: Revoked, reason: &str, now: DateTime<Utc>) -> AppResult<()> {
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

/// Sends a reset link if the address belongs to an active account; answers the same either way.
pub async fn request_password_reset(state: &AppState, email: &str, address: Option<IpAddr>) -> AppResult<()> {
    let email = parse_email(email)?;
    state.limits.message(&email, address)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    if let Some(a) = account::Entity::find().filter(account::Column::Email.eq(&email)).one(&txn).await?
        && a.disabled_at.is_none()
    {
        let token = issue_email_token(&txn, a.id, PURPOSE_RESET, now + RESET_TTL, now).await?;
        outbox::enqueue(&txn, &email, templates::reset_password(&state.config.public_url, &token), now).await?;
        audit::record(&txn, Some(a.id), "account.password_reset_requested", "account", &a.id.to_string(), None, now).await?;
    }
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Sets a new password with a reset (or staff-invitation) token; ends every session of the
/// account, since whoever knew the old password may still be signed in.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> AppResult<()> {
    if new_password.chars().count() < 10 {
        password::check_strength(new_password, "")?;
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let account_id = consume_email_token(&txn, token, PURPOSE_RESET, now).await?;
    let account = account::Entity::find_by_id(account_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    password::check_strength(new_password, account.email.as_deref().unwrap_or_default())?;
    let hash = password::hash(new_password.to_owned()).await?;
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(Some(hash)))
        .col_expr(account::Column::EmailVerifiedAt, Expr::value(Some(account.email_verified_at.unwrap_or(now))))
        .filter(account::Column::Id.eq(account_id))
        .exec(&txn)
        .await?;
    revoke_sessions(&txn, Revoked::Account(account_id), "password_reset", now).await?;
    audit::record(&txn, Some(account_id), "account.password_reset", "account", &account_id.to_string(), None, now).await?;
    txn.commit().await?;
    state.sessions.forget(Revoked::Account(account_id));
    Ok(())
}

/// Input of `create_staff_account`.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Login e-mail.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// A staff role (not guardian).
    pub role: Role,
    /// Department (department staff; civil-affairs roles get `civil_affairs`).
    pub department_code: Option<String>,
    /// Region scope.
    pub region_code: Option<String>,
    /// Organization (organization staff).
    pub organization_id: Option<Uuid>,
}

/// Creates a staff account (admin only) and e-mails a link to set the password, with no client
/// address (CLI, demo data): only the per-recipient e-mail quota applies.
pub async fn create_staff_account(state: &AppState, actor: &Viewer, input: NewStaff) -> AppResult<account::Model> {
    create_staff_account_from(state, actor, input, None).await
}

/// Creates a staff account for an admin calling from `address`; the invitation e-mail counts
/// against that address's and the recipient's e-mail quotas.
pub async fn create_staff_account_from(
    state: &AppState,
    actor: &Viewer,
    input: NewStaff,
    address: Option<IpAddr>,
) -> AppResult<account::Model> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let email = parse_email(&input.email)?;
    let display_name = parse_name(&input.display_name, "displayName")?;
    let department = match input.role {
        Role::Guardian => {
            return Err(AppError::validation("role", "工作人员账户不能是监护人角色", "a staff account cannot have the guardian role"));
        }
        Role::CivilAffairs | Role::ChildDirector | Role::ChildSupervisor => Some("civil_affairs".to_owned()),
        Role::DepartmentStaff => Some(
            input
                .department_code
                .clone()
                .ok_or_else(|| AppError::validation("departmentCode", "部门工作人员必须指定部门", "department staff need a department"))?,
        ),
        Role::OrgStaff | Role::Admin => None,
    };
    if let Some(d) = &department {
        reference::department_exists(&state.db, d, "departmentCode").await?;
    }
    let region = match (input.role, &input.region_code) {
        (Role::OrgStaff | Role::Admin, None) => None,
        (_, None) => return Err(AppError::validation("regionCode", "工作人员必须指定辖区", "staff need a region scope")),
        (_, Some(code)) => {
            let r = reference::region_exists(&state.db, code, "regionCode").await?;
            let fits = match input.role {
                Role::ChildDirector | Role::ChildSupervisor => matches!(r.level.as_str(), "township" | "county"),
                _ => r.level != "township",
            };
            if !fits || !r.code.starts_with("52") {
                return Err(AppError::validation(
                    "regionCode",
                    "辖区级别与角色不符或不在贵州省",
                    "region level does not fit the role or is outside Guizhou",
                ));
            }
            Some(r.code)
        }
    };
    if input.role == Role::OrgStaff && input.organization_id.is_none() {
        return Err(AppError::validation("organizationId", "社会组织工作人员必须指定所属组织", "organization staff need an organization"));
    }
    state.limits.message(&email, address)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let id = Uuid::now_v7();
    let model = account::Model {
        id,
        email: Some(email.clone()),
        password_hash: None,
        display_name,
        role: input.role.as_str().into(),
        department_code: department,
        region_code: region,
        organization_id: input.organization_id,
        email_verified_at: None,
        disabled_at: None,
        created_at: now,
    };
    let am: account::ActiveModel = model.clone().into();
    if let Err(e) = account::Entity::insert(am).exec_without_returning(&txn).await {
        return Err(if is_unique_violation(&e) {
            AppError::conflict("该邮箱已有账户", "an account with this e-mail already exists")
        } else {
            e.into()
        });
    }
    let token = issue_email_token(&txn, id, PURPOSE_RESET, now + STAFF_INVITE_TTL, now).await?;
    outbox::enqueue(&txn, &email, templates::staff_invitation(&state.config.public_url, &token, input.role.as_str()), now).await?;
    audit::record(
        &txn,
        Some(actor.account_id),
        "account.staff_created",
        "account",
        &id.to_string(),
        Some(serde_json::json!({"role": input.role.as_str()})),
        now,
    )
    .await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(model)
}

/// Disables an account and ends all its sessions at once (admin only; not oneself).
pub async fn disable_account(state: &AppState, actor: &Viewer, id: Uuid) -> AppResult<account::Model> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if actor.account_id == id {
        return Err(AppError::validation("id", "不能停用自己的账户", "you cannot disable your own account"));
    }
    let now = state.clock.now();
    let actor_id = actor.account_id;
    let disabled = state
        .db
        .transaction::<_, account::Model, AppError>(move |txn| {
            Box::pin(async move {
                let a = account::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound)?;
                account::Entity::update_many()
                    .col_expr(account::Column::DisabledAt, Expr::value(Some(a.disabled_at.unwrap_or(now))))
                    .filter(account::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
                revoke_sessions(txn, Revoked::Account(id), "account_disabled", now).await?;
                audit::record(txn, Some(actor_id), "account.disabled", "account", &id.to_string(), None, now).await?;
                Ok(account::Model { disabled_at: Some(a.disabled_at.unwrap_or(now)), ..a })
            })
        })
        .await?;
    state.sessions.forget(Revoked::Account(id));
    Ok(disabled)
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

/// Creates (or promotes) an admin with a password — the CLI bootstrap for the first admin.
pub async fn create_admin(state: &AppState, email: &str, password_raw: &str) -> AppResult<Uuid> {
    let email = parse_email(email)?;
    password::check_strength(password_raw, &email)?;
    let hash = password::hash(password_raw.to_owned()).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let existing = account::Entity::find().filter(account::Column::Email.eq(&email)).one(&txn).await?;
    let promoted = existing.is_some();
    let id = match existing {
        Some(a) => {
            account::Entity::update_many()
                .col_expr(account::Column::Role, Expr::value(Role::Admin.as_str()))
                .col_expr(account::Column::PasswordHash, Expr::value(Some(hash)))
                .col_expr(account::Column::EmailVerifiedAt, Expr::value(Some(now)))
                .col_expr(account::Column::DisabledAt, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(account::Column::Id.eq(a.id))
                .exec(&txn)
                .await?;
            // The role changes under live sessions.
            SessionCache::announce(&txn, Revoked::Account(a.id)).await?;
            a.id
        }
        None => {
            let id = Uuid::now_v7();
            account::Entity::insert(account::ActiveModel {
                id: Set(id),
                email: Set(Some(email.clone())),
                password_hash: Set(Some(hash)),
                display_name: Set("Administrator".into()),
                role: Set(Role::Admin.as_str().into()),
                department_code: Set(None),
                region_code: Set(None),
                organization_id: Set(None),
                email_verified_at: Set(Some(now)),
                disabled_at: Set(None),
                created_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            id
        }
    };
    audit::record(&txn, None, "account.admin_created", "account", &id.to_string(), None, now).await?;
    txn.commit().await?;
    if promoted {
        state.sessions.forget(Revoked::Account(id));
    }
    Ok(id)
}

/// Sets a password and verifies an account directly (demo data and tests of staff flows).
pub async fn set_password_verified(state: &AppState, id: Uuid, password_raw: &str) -> AppResult<()> {
    let hash = password::hash(password_raw.to_owned()).await?;
    let now = state.clock.now();
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(Some(hash)))
        .col_expr(account::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .filter(account::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// A page of accounts (admin only), optionally of one role, in creation order after `after`.
pub async fn list(
    state: &AppState,
    actor: &Viewer,
    role: Option<Role>,
    after: Option<Uuid>,
    limit: usize,
) -> AppResult<Vec<account::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut q = account::Entity::find().order_by_asc(account::Column::Id).limit(limit as u64);
    if let Some(r) = role {
        q = q.filter(account::Column::Role.eq(r.as_str()));
    }
    if let Some(a) = after {
        q = q.filter(account::Column::Id.gt(a));
    }
    Ok(q.all(&state.db).await?)
}
