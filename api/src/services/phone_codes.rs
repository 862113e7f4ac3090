//! Six-digit codes sent by SMS to prove a family holds a phone number. Stored only as a keyed
//! hash bound to their row; a code lives five minutes, works once and dies after five wrong tries.
//! Each number gets at most one code a minute and ten a day — counted in the database, so every
//! server process sees the same count — and each client address a configured number per hour.
//!
//! Why the answer never depends on the number: a code is sent to any valid mainland number with
//! the same work whether or not an account holds it, so the mutation cannot be used to learn who
//! uses Tongxin.

use chrono::{DateTime, Duration, Utc};
use entities::phone_code;
use rand::Rng;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use crate::{
    db,
    error::{AppError, AppResult},
    sms::{SmsError, Template},
    state::AppState,
};

/// How long a code works.
pub const LIFETIME: Duration = Duration::minutes(5);
/// Wrong tries that kill a code.
pub const MAX_TRIES: i32 = 5;
/// Least time between two codes to one number.
pub const RESEND_AFTER: Duration = Duration::seconds(60);
/// Codes one number may receive in 24 hours.
pub const PER_NUMBER_PER_DAY: u64 = 10;

/// What a code is for; a code of one purpose does not work for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Signing in (or creating the account).
    Login,
    /// Adding the number to the signed-in account.
    Bind,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Bind => "bind",
        }
    }

    fn template(self) -> Template {
        match self {
            Purpose::Login => Template::LoginCode,
            Purpose::Bind => Template::BindCode,
        }
    }
}

/// A typed number as E.164, or `VALIDATION` on `phone`.
pub fn parse_phone(raw: &str) -> AppResult<String> {
    domain::phone::parse_mainland(raw)
        .map_err(|_| AppError::validation("phone", "请输入中国大陆11位手机号", "enter a mainland China mobile number (11 digits)"))
}

/// The keyed hash that finds a number's rows without storing it.
pub fn phone_hash(state: &AppState, e164: &str) -> String {
    state.pii.keyed_hash(&format!("phone:{e164}"))
}

fn code_hash(state: &AppState, row: Uuid, code: &str) -> String {
    state.pii.keyed_hash(&format!("phone-code:{row}:{code}"))
}

/// Sends a new code for `purpose` to the E.164 number `e164`.
pub async fn send(state: &AppState, e164: &str, purpose: Purpose, address: Option<std::net::IpAddr>) -> AppResult<()> {
    state.limits.phone_code(address)?;
    let hash = phone_hash(state, e164);
    let now = state.clock.now();
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let id = Uuid::now_v7();
    let txn = db::begin_write(&state.db).await?;
    throttle(&txn, &hash, now).await?;
    phone_code::Entity::insert(phone_code::ActiveModel {
        id: Set(id),
        phone_hash: Set(hash),
        purpose: Set(purpose.as_str().into()),
        code_hash: Set(code_hash(state, id, &code)),
        attempts: Set(0),
        expires_at: Set(now + LIFETIME),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    let minutes = LIFETIME.num_minutes().to_string();
    if let Err(e) = state.sms.send(e164, purpose.template(), &[code, minutes], None).await {
        // An unsent code must not count against the number's quota.
        phone_code::Entity::delete_by_id(id).exec(&state.db).await?;
        return Err(match e {
            SmsError::BadNumber(_) => AppError::validation("phone", "短信无法发送到此号码", "an SMS cannot be sent to this number"),
            SmsError::Temporary(_) => {
                tracing::warn!(provider = state.sms.kind(), error = %e, "sign-in code not sent");
                AppError::Unavailable { retry_after_secs: 30 }
            }
            SmsError::Permanent(_) => {
                tracing::error!(provider = state.sms.kind(), error = %e, "sign-in code refused by the SMS provider: check its settings");
                AppError::Unavailable { retry_after_secs: 300 }
            }
        });
    }
    Ok(())
}

/// `RATE_LIMITED` while the number's last code is younger than a minute or it had ten today.
async fn throttle(conn: &impl sea_orm::ConnectionTrait, hash: &str, now: DateTime<Utc>) -> AppResult<()> {
    let recent = phone_code::Entity::find()
        .filter(phone_code::Column::PhoneHash.eq(hash))
        .filter(phone_code::Column::CreatedAt.gt(now - Duration::days(1)))
        .order_by_desc(phone_code::Column::CreatedAt);
    if let Some(last) = recent.clone().one(conn).await?
        && last.created_at + RESEND_AFTER > now
    {
        let wait = (last.created_at + RESEND_AFTER - now).num_seconds().max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs: wait });
    }
    if recent.count(conn).await? >= PER_NUMBER_PER_DAY {
        let first = phone_code::Entity::find()
            .filter(phone_code::Column::PhoneHash.eq(hash))
            .filter(phone_code::Column::CreatedAt.gt(now - Duration::days(1)))
            .order_by_asc(phone_code::Column::CreatedAt)
            .one(conn)
            .await?;
        let wait = first.map_or(3600, |f| (f.created_at + Duration::days(1) - now).num_seconds().max(1) as u64);
        return Err(AppError::RateLimited { retry_after_secs: wait });
    }
    Ok(())
}

/// Uses the number's latest code for `purpose`. Wrong, expired, used, dead and missing codes all
/// give the same `VALIDATION` error on `code`; a wrong try counts against the code.
pub async fn consume(state: &AppState, e164: &str, purpose: Purpose, typed: &str) -> AppResult<()> {
    let invalid = || AppError::validation("code", "验证码错误或已失效", "the code is wrong or no longer valid");
    let typed = typed.trim();
    let now = state.clock.now();
    let Some(row) = phone_code::Entity::find()
        .filter(phone_code::Column::PhoneHash.eq(phone_hash(state, e164)))
        .filter(phone_code::Column::Purpose.eq(purpose.as_str()))
        .order_by_desc(phone_code::Column::CreatedAt)
        .one(&state.db)
        .await?
    else {
        return Err(invalid());
    };
    if row.used_at.is_some() || row.expires_at <= now || row.attempts >= MAX_TRIES {
        return Err(invalid());
    }
    let live = || {
        phone_code::Entity::update_many()
            .filter(phone_code::Column::Id.eq(row.id))
            .filter(phone_code::Column::UsedAt.is_null())
            .filter(phone_code::Column::Attempts.lt(MAX_TRIES))
    };
    let right = typed.len() == 6 && typed.bytes().all(|b| b.is_ascii_digit()) && code_hash(state, row.id, typed) == row.code_hash;
    if !right {
        live()
            .col_expr(phone_code::Column::Attempts, sea_orm::sea_query::ExprTrait::add(Expr::col(phone_code::Column::Attempts), 1))
            .exec(&state.db)
            .await?;
        return Err(invalid());
    }
    let used = live().col_expr(phone_code::Column::UsedAt, Expr::value(Some(now))).exec(&state.db).await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(())
}
