//! One-time links sent by e-mail (address verification, password reset, staff invitation): only
//! the hash of a token is stored, and a token works once, before it expires.

use chrono::{DateTime, Duration, Utc};
use entities::email_token;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::tokens,
    error::{AppError, AppResult},
};

/// How long an address-verification link works.
pub(crate) const VERIFY_TTL: Duration = Duration::hours(24);
/// How long a password-reset link works.
pub(crate) const RESET_TTL: Duration = Duration::hours(1);
/// How long a new staff member's link to set the password works.
pub(crate) const STAFF_INVITE_TTL: Duration = Duration::hours(72);
/// Purpose of an address-verification token.
pub(crate) const PURPOSE_VERIFY: &str = "verify_email";
/// Purpose of a password-reset (and staff-invitation) token.
pub(crate) const PURPOSE_RESET: &str = "reset_password";

/// Stores a new token of `purpose` for the account and returns it (to be sent, never stored).
pub(crate) async fn issue_email_token(
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
pub(crate) async fn consume_email_token(conn: &impl ConnectionTrait, token: &str, purpose: &str, now: DateTime<Utc>) -> AppResult<Uuid> {
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
