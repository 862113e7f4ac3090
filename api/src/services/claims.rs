//! How a household takes over a child's record that staff registered in screening (issue 14).
//!
//! Why a code: the ID number and the name are no proof — neighbours, relatives and leaked lists
//! know them — and a screened child may be one without a guardian at hand, whose record says where
//! the child lives. Staff of the child's area issue a one-time code for the paper consent form
//! (`issue`); a guardian's `addChild` with the child's ID number passes the record to the household
//! only with that code (`redeem`). Without a code the answer is the ordinary duplicate `CONFLICT`,
//! which does not say whether the record is held by a household or awaits one. After the link the
//! family sees only what they entered: versions and access-log entries from before the link stay
//! with staff (`visible_from`).

use chrono::{DateTime, Duration, Utc};
use domain::{claim, identity::IdNumber};
use entities::{child, consent, screening};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, prelude::Expr};
use serde_json::json;
use uuid::Uuid;

use super::{
    audit,
    child_record::ChildData,
    child_store::{build, filled_fields, record_version},
    consent::{Purpose, covers, paper_consent_in_force},
    scope::{in_area, require_monitor},
};
use crate::{
    auth::{Role, Viewer},
    db,
    error::{AppError, AppResult},
    state::AppState,
};

/// A code just issued: shown once, to be written on the paper consent form.
pub struct IssuedCode {
    /// The code, in groups of four.
    pub code: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The one answer to every claim that fails: wrong, void, expired or used code, or nothing to claim.
pub fn refused() -> AppError {
    AppError::validation(
        "claimCode",
        "认领码不正确或已失效。请联系为孩子登记的儿童主任重新获取。",
        "the claim code is wrong or no longer valid; ask the child director who registered the child for a new one",
    )
}

/// The screening record of a child, if it was registered in screening.
pub async fn screening_of(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<Option<screening::Model>> {
    Ok(screening::Entity::find().filter(screening::Column::ChildId.eq(child_id)).one(conn).await?)
}

/// The keyed hash stored for a code; bound to the child, so a code fits one record only.
fn digest(state: &AppState, child_id: Uuid, canonical: &str) -> String {
    state.pii.keyed_hash(&format!("claim-code:{child_id}:{canonical}"))
}

/// Monitoring staff of the child's area issue a new code for a screened record that no household
/// holds yet; any earlier code of the record stops working.
pub async fn issue(state: &AppState, viewer: &Viewer, child_id: Uuid) -> AppResult<IssuedCode> {
    require_monitor(viewer)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = child::Entity::find_by_id(child_id)
        .one(&txn)
        .await?
        .filter(|c| paper_consent_in_force(c) && in_area(viewer, c))
        .ok_or(AppError::NotFound)?;
    let s = screening_of(&txn, c.id).await?.filter(|s| s.linked_at.is_none()).ok_or(AppError::NotFound)?;
    let mut bytes = [0u8; claim::LENGTH];
    rand::rng().fill_bytes(&mut bytes);
    let code = claim::from_random(bytes);
    let canonical = claim::normalize(&code).ok_or_else(|| AppError::internal("generated claim code does not read back"))?;
    let expires_at = now + Duration::days(claim::VALID_DAYS);
    screening::Entity::update_many()
        .col_expr(screening::Column::ClaimCodeHash, Expr::value(Some(digest(state, c.id, &canonical))))
        .col_expr(screening::Column::ClaimCodeExpiresAt, Expr::value(Some(expires_at)))
        .col_expr(screening::Column::ClaimCodeAttempts, Expr::value(0))
        .filter(screening::Column::Id.eq(s.id))
        .exec(&txn)
        .await?;
    audit::record(&txn, Some(viewer.account_id), "child.claim_code_issued", "child", &c.id.to_string(), None, now).await?;
    txn.commit().await?;
    tracing::info!(child_id = %c.id, "claim code issued");
    Ok(IssuedCode { code, expires_at })
}

/// The screened record `typed` proves a claim to, found by the ID number's keyed hash. Every
/// guess at a code in force counts, before it is compared, so concurrent guesses cannot exceed
/// `MAX_ATTEMPTS` together. `None` means refused; the caller commits (the count must stay) and
/// answers `refused()`.
pub(crate) async fn redeem(
    state: &AppState,
    txn: &DatabaseTransaction,
    id_hash: Option<&str>,
    typed: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<child::Model>> {
    let Some(hash) = id_hash else { return Ok(None) };
    let Some(found) = unlinked(txn, hash).await? else { return Ok(None) };
    let Some(s) = screening_of(txn, found.id).await? else { return Ok(None) };
    let (Some(stored), Some(expires)) = (s.claim_code_hash.as_deref(), s.claim_code_expires_at) else { return Ok(None) };
    if expires <= now {
        return Ok(None);
    }
    let counted = screening::Entity::update_many()
        .col_expr(screening::Column::ClaimCodeAttempts, Expr::col(screening::Column::ClaimCodeAttempts).add(1))
        .filter(screening::Column::Id.eq(s.id))
        .filter(screening::Column::ClaimCodeAttempts.lt(claim::MAX_ATTEMPTS))
        .filter(screening::Column::ClaimCodeHash.eq(stored))
        .exec(txn)
        .await?;
    if counted.rows_affected != 1 {
        return Ok(None);
    }
    let proven = claim::normalize(typed).is_some_and(|c| digest(state, found.id, &c) == stored);
    Ok(proven.then_some(found))
}

/// A screened record not yet taken over by a household, found by the ID number's keyed hash.
async fn unlinked(conn: &impl ConnectionTrait, hash: &str) -> AppResult<Option<child::Model>> {
    Ok(child::Entity::find()
        .filter(child::Column::IdNumberHash.eq(hash))
        .filter(child::Column::HouseholdId.is_null())
        .filter(child::Column::DeletedAt.is_null())
        .filter(child::Column::Source.eq("screening"))
        .one(conn)
        .await?)
}

/// The guardian's household takes over a screened record whose claim was proven: the guardian's
/// entries replace the record as a new version, the household's consents (not the paper form)
/// govern processing from now on, and the code is spent.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn link(
    state: &AppState,
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    found: child::Model,
    household_id: Uuid,
    data: &ChildData,
    idn: Option<&IdNumber>,
    consents: &[consent::Model],
    now: DateTime<Utc>,
) -> AppResult<child::Model> {
    let mut new = build(&state.pii, found.id, Some(household_id), data, idn, now)?;
    new.created_at = found.created_at;
    new.version = found.version + 1;
    new.source = found.source.clone();
    new.processable = covers(consents, Some(found.id), Purpose::BasicServices);
    // Named like a new record's first version (every field the guardian filled in): naming only
    // the fields that differ would tell the family what staff had recorded.
    let mut changed = filled_fields(&state.pii, &new)?;
    changed.push("household".into());
    let res = child::Entity::update_many()
        .set(child::ActiveModel::from(new.clone()).reset_all())
        .filter(child::Column::Id.eq(found.id))
        .filter(child::Column::Version.eq(found.version))
        .filter(child::Column::HouseholdId.is_null())
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::conflict("记录已被他人修改，请刷新后重试", "the record was changed meanwhile: reload and retry"));
    }
    screening::Entity::update_many()
        .col_expr(screening::Column::LinkedAt, Expr::value(Some(now)))
        .col_expr(screening::Column::ClaimCodeHash, Expr::value(Option::<String>::None))
        .col_expr(screening::Column::ClaimCodeExpiresAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(screening::Column::ChildId.eq(found.id))
        .exec(txn)
        .await?;
    record_version(txn, &state.pii, &new, viewer.account_id, changed, now).await?;
    audit::record(
        txn,
        Some(viewer.account_id),
        "child.linked",
        "child",
        &found.id.to_string(),
        Some(json!({"householdId": household_id})),
        now,
    )
    .await?;
    tracing::info!(child_id = %found.id, "screened child linked to a household");
    Ok(new)
}

/// From when on a viewer may see a record's history: guardians of a record taken over from
/// screening only since the link; staff everything (`None`).
pub async fn visible_from(conn: &impl ConnectionTrait, viewer: &Viewer, child_id: Uuid) -> AppResult<Option<DateTime<Utc>>> {
    if viewer.role != Role::Guardian {
        return Ok(None);
    }
    // A guardian's record that came from screening always has a link time; should it lack one,
    // nothing of the history is shown rather than everything.
    Ok(screening_of(conn, child_id).await?.map(|s| s.linked_at.unwrap_or(DateTime::<Utc>::MAX_UTC)))
}
