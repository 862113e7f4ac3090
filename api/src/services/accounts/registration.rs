//! Self-registration with an e-mail address and a password, and the address's verification.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use domain::{input::Email, text::Line};
use entities::account;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::email_tokens::{PURPOSE_VERIFY, VERIFY_TTL, consume_email_token, issue_email_token};
use crate::{
    auth::{Role, password},
    constraints, db,
    error::{AppError, AppResult, OnField},
    mail::{outbox, templates},
    services::audit,
    state::AppState,
};

/// A person's name as typed: one line of 1 to 100 characters, no control characters.
pub type Name = Line<100>;

/// An e-mail address typed outside GraphQL (the CLI, tests, demo data), or `VALIDATION` on
/// `email`; GraphQL inputs are parsed where they are read.
pub fn parse_email(raw: &str) -> AppResult<Email> {
    Email::parse(raw).on("email")
}

/// A name typed outside GraphQL, or `VALIDATION` on `field`.
pub fn parse_name(raw: &str, field: &str) -> AppResult<Name> {
    Name::parse(raw).on(field)
}

/// Self-registration of a guardian. Always answers the same way whether or not the address is
/// taken (an existing owner gets a notice instead), so the API does not reveal who has an account;
/// the throttles (per client `address` and per recipient) count both cases alike, before the
/// lookup and before the costly password hash.
pub async fn register(state: &AppState, email: &Email, password_raw: &str, display_name: Name, address: Option<IpAddr>) -> AppResult<()> {
    let (email, display_name) = (email.as_str().to_owned(), display_name.into_string());
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
        return Err(if constraints::ACCOUNT_EMAIL.broken_by(&e) {
            AppError::conflict("该邮箱已有账户", "an account with this e-mail already exists")
        } else {
            e.into()
        });
    }
    let token = issue_email_token(conn, id, PURPOSE_VERIFY, now + VERIFY_TTL, now).await?;
    outbox::enqueue(conn, email, templates::verify_email(&state.config.public_url, &token), now).await?;
    Ok(id)
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
