//! The access token of the WeChat server API, shared by every server process through the
//! database. WeChat allows a limited number of token fetches a day and a new `cgi-bin/token`
//! invalidates the previous one, so processes must not each fetch their own: a row per app holds
//! the token (sealed) and its expiry, and a conditional update of `refreshing_until` is a lease
//! that lets exactly one process fetch while the others wait for its result.

use chrono::Duration;
use entities::wechat_access_token as row;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::WeChat;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

/// A token this close to its expiry is replaced rather than used.
const MARGIN: Duration = Duration::minutes(5);
/// How long one process may hold the right to fetch.
const LEASE: Duration = Duration::seconds(15);
/// How long a process waits for another's fetch before giving up.
const WAIT_ROUNDS: u32 = 100;
const COLUMN: &str = "wechat_access_tokens.token_sealed";

fn unavailable() -> AppError {
    AppError::Unavailable { retry_after_secs: 5 }
}

/// A live access token. `rejected` is a token WeChat just called invalid or expired: it is not
/// returned again, and the fetch forces WeChat to issue a new one.
pub async fn access_token(state: &AppState, wx: &WeChat, rejected: Option<&str>) -> AppResult<String> {
    let app_id = wx.app_id().to_owned();
    for _ in 0..WAIT_ROUNDS {
        let now = state.clock.now();
        let current = row::Entity::find_by_id(app_id.clone()).one(&state.db).await?;
        if let Some(r) = &current
            && r.expires_at - MARGIN > now
            && let (Some(kid), Some(sealed)) = (&r.token_kid, &r.token_sealed)
            && let Ok(token) = state.pii.open(COLUMN, Uuid::nil(), kid, sealed)
            && Some(token.as_str()) != rejected
        {
            return Ok(token);
        }
        let lease = now + LEASE;
        let taken = match current {
            None => {
                row::Entity::insert(row::ActiveModel {
                    app_id: Set(app_id.clone()),
                    token_kid: Set(None),
                    token_sealed: Set(None),
                    expires_at: Set(now),
                    refreshing_until: Set(Some(lease)),
                })
                .on_conflict(OnConflict::column(row::Column::AppId).do_nothing().to_owned())
                .exec_without_returning(&state.db)
                .await?
                    == 1
            }
            Some(_) => {
                row::Entity::update_many()
                    .col_expr(row::Column::RefreshingUntil, Expr::value(Some(lease)))
                    .filter(row::Column::AppId.eq(&app_id))
                    .filter(Condition::any().add(row::Column::RefreshingUntil.is_null()).add(row::Column::RefreshingUntil.lt(now)))
                    .exec(&state.db)
                    .await?
                    .rows_affected
                    == 1
            }
        };
        if taken {
            return refresh(state, wx, rejected.is_some()).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tracing::warn!("no WeChat access token: another process held the refresh lease too long");
    Err(unavailable())
}

/// Fetches a token under the lease and stores it for every process; the lease ends either way.
async fn refresh(state: &AppState, wx: &WeChat, force: bool) -> AppResult<String> {
    let app_id = wx.app_id().to_owned();
    let fetched = wx.fetch_token(force).await;
    let now = state.clock.now();
    let mut update =
        row::Entity::update_many().col_expr(row::Column::RefreshingUntil, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None));
    let result = match fetched {
        Ok(fresh) => {
            let sealed = state.pii.seal(COLUMN, Uuid::nil(), fresh.token.expose_secret())?;
            update = update
                .col_expr(row::Column::TokenKid, Expr::value(Some(sealed.kid)))
                .col_expr(row::Column::TokenSealed, Expr::value(Some(sealed.ciphertext)))
                .col_expr(row::Column::ExpiresAt, Expr::value(now + Duration::seconds(fresh.expires_in)));
            tracing::info!(expires_in = fresh.expires_in, forced = force, "WeChat access token fetched");
            Ok(fresh.token.expose_secret().to_owned())
        }
        Err(e) => {
            tracing::warn!(error = %e, "WeChat access token fetch failed");
            Err(unavailable())
        }
    };
    update.filter(row::Column::AppId.eq(&app_id)).exec(&state.db).await?;
    result
}
