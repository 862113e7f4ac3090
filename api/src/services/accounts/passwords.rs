//! Password reset by e-mail link, and setting a password directly (demo data, tests).

use std::net::IpAddr;

use domain::input::Email;
use entities::account;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::{
    email_tokens::{PURPOSE_RESET, RESET_TTL, consume_email_token, issue_email_token},
    sessions::revoke_sessions,
};
use crate::{
    auth::{password, sessions::Revoked},
    db,
    error::{AppError, AppResult},
    mail::{outbox, templates},
    services::audit,
    state::AppState,
};

/// Sends a reset link if the address belongs to an active account; answers the same either way.
pub async fn request_password_reset(state: &AppState, email: &Email, address: Option<IpAddr>) -> AppResult<()> {
    let email = email.as_str().to_owned();
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
