//! Registering a child found in grassroots screening (摸排) by a child director or supervisor, with
//! the guardian's consent given on paper.
//!
//! Why a screened child has no household: the family may not use the app yet. The guardian's
//! consent was given on paper and is recorded with who recorded it; the household takes the record
//! over later only with the claim code staff issue for the form (`claims`).

use chrono::NaiveDate;
use entities::{child, screening};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    constraints, db,
    error::{AppError, AppResult},
    services::{
        audit,
        child_record::ChildData,
        child_store::{build, duplicate, ensure_unique, filled_fields, record_version},
        child_validation::validate,
        consent::check_sensitive,
        text,
    },
    state::AppState,
};

/// Consent given on paper during screening.
#[derive(Clone, Debug)]
pub struct PaperConsent {
    /// The guardian who signed.
    pub signed_by: String,
    /// Date on the form.
    pub signed_on: NaiveDate,
    /// Version of the consent text on the form.
    pub text_version: String,
}

/// Registers a child found in screening, with the guardian's paper consent.
pub async fn register_screened(state: &AppState, viewer: &Viewer, data: ChildData, consent: PaperConsent) -> AppResult<child::Model> {
    if !matches!(viewer.role, Role::ChildDirector | Role::ChildSupervisor) {
        return Err(AppError::Forbidden);
    }
    let (data, idn) = validate(state, data)?;
    let Some(township) = data.residence_township_code.clone() else {
        return Err(AppError::validation(
            "residenceTownshipCode",
            "请填写儿童所在乡镇（街道）",
            "the township where the child lives is required",
        ));
    };
    if !viewer.region_contains(&township) {
        return Err(AppError::Forbidden);
    }
    let consent = check_consent(state, consent)?;
    check_sensitive(&[], None, &data.details.facts)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let id = Uuid::now_v7();
    let mut model = build(&state.pii, id, None, &data, idn.as_ref(), now)?;
    model.source = "screening".into();
    ensure_unique(&txn, model.id_number_hash.as_deref(), id).await?;
    if let Err(e) = child::Entity::insert(child::ActiveModel::from(model.clone())).exec_without_returning(&txn).await {
        return Err(if constraints::CHILD_ID_NUMBER.broken_by(&e) { duplicate() } else { e.into() });
    }
    screening::Entity::insert(screening::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        recorded_by: Set(viewer.account_id),
        township_code: Set(township.clone()),
        consent_signed_by: Set(consent.signed_by),
        consent_signed_on: Set(consent.signed_on),
        consent_text_version: Set(consent.text_version),
        created_at: Set(now),
        linked_at: Set(None),
        claim_code_hash: Set(None),
        claim_code_expires_at: Set(None),
        claim_code_attempts: Set(0),
    })
    .exec_without_returning(&txn)
    .await?;
    let fields = filled_fields(&state.pii, &model)?;
    record_version(&txn, &state.pii, &model, viewer.account_id, fields, now).await?;
    audit::record(&txn, Some(viewer.account_id), "child.screened", "child", &id.to_string(), Some(json!({"township": township})), now)
        .await?;
    txn.commit().await?;
    tracing::info!(child_id = %id, "child registered in screening");
    Ok(model)
}

fn check_consent(state: &AppState, mut c: PaperConsent) -> AppResult<PaperConsent> {
    c.signed_by = text::line(&c.signed_by, "consent.signedBy", 64)?;
    c.text_version = c.text_version.trim().to_owned();
    if !domain::date_windows::is_plausible_signature(c.signed_on, state.clock.today()) {
        return Err(AppError::validation(
            "consent.signedOn",
            "签字日期不能晚于今天，也不能早于两年前",
            "the consent cannot be signed in the future or more than two years ago",
        ));
    }
    if c.text_version.is_empty() || c.text_version.len() > 32 {
        return Err(AppError::validation("consent.textVersion", "请填写同意书版本", "the version of the consent text is required"));
    }
    Ok(c)
}
