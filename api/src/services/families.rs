//! Households, their guardians and invitations, and giving and withdrawing consent (PIPL: a
//! guardian consents for a child under 14; sensitive data needs a separate consent). The rules a
//! consent carries — what it covers, whether a child may be processed at all — live in `consent`,
//! so every capability that touches children asks the same question.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use domain::input::Email;
use entities::{account, child, consent, household, household_invitation, household_member};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

pub use super::consent::{CONSENT_TEXT_VERSION, Purpose, child_processable, consents, covers, processable};
use super::{audit, request_records};
use crate::{
    auth::{Viewer, tokens},
    constraints, db,
    error::{AppError, AppResult},
    mail::{outbox, templates},
    state::AppState,
};

const INVITATION_TTL: Duration = Duration::days(7);

/// The household of a guardian account, if it belongs to one.
pub async fn household_of(conn: &impl ConnectionTrait, account_id: Uuid) -> AppResult<Option<Uuid>> {
    Ok(household_member::Entity::find().filter(household_member::Column::AccountId.eq(account_id)).one(conn).await?.map(|m| m.household_id))
}

/// The viewer's household, or `VALIDATION` on `household` telling them to create one first.
pub async fn require_household(conn: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<Uuid> {
    household_of(conn, viewer.account_id)
        .await?
        .ok_or_else(|| AppError::validation("household", "请先创建家庭或接受家庭邀请", "create a household or accept an invitation first"))
}

/// Creates a household with the viewer as its first guardian.
pub async fn create_household(state: &AppState, viewer: &Viewer) -> AppResult<Uuid> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    if household_of(&txn, viewer.account_id).await?.is_some() {
        return Err(already_member());
    }
    let id = Uuid::now_v7();
    household::Entity::insert(household::ActiveModel { id: Set(id), created_by: Set(viewer.account_id), created_at: Set(now) })
        .exec_without_returning(&txn)
        .await?;
    join(&txn, id, viewer.account_id, now).await?;
    audit::record(&txn, Some(viewer.account_id), "household.created", "household", &id.to_string(), None, now).await?;
    txn.commit().await?;
    Ok(id)
}

fn already_member() -> AppError {
    AppError::conflict("您已属于一个家庭", "you already belong to a household")
}

async fn join(conn: &impl ConnectionTrait, household_id: Uuid, account_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let res = household_member::Entity::insert(household_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        household_id: Set(household_id),
        account_id: Set(account_id),
        joined_at: Set(now),
    })
    .exec_without_returning(conn)
    .await;
    match res {
        Err(e) if constraints::HOUSEHOLD_MEMBER.broken_by(&e) => Err(already_member()),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// The guardians of a household, in joining order.
pub async fn guardians(conn: &impl ConnectionTrait, household_id: Uuid) -> AppResult<Vec<account::Model>> {
    let members = household_member::Entity::find()
        .filter(household_member::Column::HouseholdId.eq(household_id))
        .order_by_asc(household_member::Column::JoinedAt)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.account_id).collect();
    let mut accounts = account::Entity::find().filter(account::Column::Id.is_in(ids.clone())).all(conn).await?;
    accounts.sort_by_key(|a| ids.iter().position(|i| *i == a.id));
    Ok(accounts)
}

/// E-mails an invitation to join the viewer's household. The address need not have an account
/// yet; only the account with that address can accept. The e-mail counts against the quotas of
/// the caller's client `address` and of the recipient.
pub async fn invite_guardian(state: &AppState, viewer: &Viewer, email: &Email, address: Option<IpAddr>) -> AppResult<()> {
    let email = email.as_str().to_owned();
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let household_id = require_household(&txn, viewer).await?;
    state.limits.message(&email, address)?;
    let token = tokens::generate();
    let id = Uuid::now_v7();
    household_invitation::Entity::insert(household_invitation::ActiveModel {
        id: Set(id),
        household_id: Set(household_id),
        email: Set(email.clone()),
        token_hash: Set(tokens::hash(&token)),
        invited_by: Set(viewer.account_id),
        expires_at: Set(now + INVITATION_TTL),
        accepted_at: Set(None),
        accepted_by: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    outbox::enqueue(&txn, &email, templates::household_invitation(&state.config.public_url, &token), now).await?;
    audit::record(&txn, Some(viewer.account_id), "household.invitation_sent", "household", &household_id.to_string(), None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// Accepts an invitation: the viewer joins the household and sees its children. Unknown, expired,
/// used and other people's tokens all give the same `VALIDATION` error on `token`.
pub async fn accept_invitation(state: &AppState, viewer: &Viewer, token: &str) -> AppResult<Uuid> {
    let invalid = || AppError::validation("token", "邀请链接无效或已过期", "the invitation is invalid or has expired");
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let me = account::Entity::find_by_id(viewer.account_id).one(&txn).await?.ok_or(AppError::Unauthenticated)?;
    let inv = household_invitation::Entity::find()
        .filter(household_invitation::Column::TokenHash.eq(tokens::hash(token.trim())))
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    if inv.expires_at <= now || inv.accepted_at.is_some() || me.email.as_deref() != Some(inv.email.as_str()) {
        return Err(invalid());
    }
    if household_of(&txn, viewer.account_id).await?.is_some() {
        return Err(already_member());
    }
    let res = household_invitation::Entity::update_many()
        .col_expr(household_invitation::Column::AcceptedAt, Expr::value(Some(now)))
        .col_expr(household_invitation::Column::AcceptedBy, Expr::value(Some(viewer.account_id)))
        .filter(household_invitation::Column::Id.eq(inv.id))
        .filter(household_invitation::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(invalid());
    }
    join(&txn, inv.household_id, viewer.account_id, now).await?;
    audit::record(&txn, Some(viewer.account_id), "household.joined", "household", &inv.household_id.to_string(), None, now).await?;
    txn.commit().await?;
    Ok(inv.household_id)
}

/// Recomputes the `processable` flag of every child of the household after a consent changed, so
/// staff lists can filter in SQL.
pub(crate) async fn refresh_processable(
    conn: &impl ConnectionTrait,
    household_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let all = consents(conn, household_id).await?;
    let children = child::Entity::find().filter(child::Column::HouseholdId.eq(household_id)).all(conn).await?;
    for c in children {
        let p = c.deleted_at.is_none() && covers(&all, Some(c.id), Purpose::BasicServices);
        if !p && c.processable {
            // Withdrawal stops processing: open requests are withdrawn with that reason.
            request_records::withdraw_for_consent(conn, c.id, now).await?;
        }
        if p != c.processable {
            child::Entity::update_many()
                .col_expr(child::Column::Processable, Expr::value(p))
                .filter(child::Column::Id.eq(c.id))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}

/// Records a consent of the viewer for their household or one of its children.
pub async fn give_consent(
    state: &AppState,
    viewer: &Viewer,
    purpose: Purpose,
    child_id: Option<Uuid>,
    text_version: &str,
) -> AppResult<consent::Model> {
    if text_version.trim() != CONSENT_TEXT_VERSION {
        return Err(AppError::validation("textVersion", "同意书版本不是现行版本", "this is not the current version of the consent text"));
    }
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let household_id = require_household(&txn, viewer).await?;
    if let Some(cid) = child_id {
        let c = child::Entity::find_by_id(cid).one(&txn).await?;
        if !c.is_some_and(|c| c.household_id == Some(household_id) && c.deleted_at.is_none()) {
            return Err(AppError::NotFound);
        }
    }
    let model = consent::Model {
        id: Uuid::now_v7(),
        household_id,
        child_id,
        purpose: purpose.as_str().into(),
        text_version: CONSENT_TEXT_VERSION.into(),
        given_by: viewer.account_id,
        given_at: now,
        withdrawn_by: None,
        withdrawn_at: None,
    };
    consent::Entity::insert(consent::ActiveModel::from(model.clone())).exec_without_returning(&txn).await?;
    refresh_processable(&txn, household_id, now).await?;
    let detail = serde_json::json!({"purpose": purpose.as_str(), "childId": child_id, "textVersion": CONSENT_TEXT_VERSION});
    audit::record(&txn, Some(viewer.account_id), "consent.given", "consent", &model.id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    Ok(model)
}

/// Withdraws a consent of the viewer's household. The data stays (as the law requires), but the
/// children it covered stop being processed unless another consent covers them.
pub async fn withdraw_consent(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<consent::Model> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let household_id = household_of(&txn, viewer.account_id).await?.ok_or(AppError::NotFound)?;
    let c = consent::Entity::find_by_id(id).one(&txn).await?.filter(|c| c.household_id == household_id).ok_or(AppError::NotFound)?;
    if c.withdrawn_at.is_some() {
        return Ok(c);
    }
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(consent::Column::WithdrawnBy, Expr::value(Some(viewer.account_id)))
        .filter(consent::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    refresh_processable(&txn, household_id, now).await?;
    audit::record(&txn, Some(viewer.account_id), "consent.withdrawn", "consent", &id.to_string(), None, now).await?;
    txn.commit().await?;
    tracing::info!(consent_id = %id, "consent withdrawn");
    Ok(consent::Model { withdrawn_at: Some(now), withdrawn_by: Some(viewer.account_id), ..c })
}
