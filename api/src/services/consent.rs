//! Consent rules (PIPL), in one place: what a consent allows, whether one in force covers a child,
//! which facts are sensitive and need their own consent, and whether a child may be processed at
//! all. A leaf: it reads rows and decides, and imports no other use case.
//!
//! A consent is given for one purpose, either for one child or — child left empty — for every
//! child of the household, present and future. A child found in screening without a household is
//! processed under the guardian's paper consent until a household takes the record over.

use domain::{eligibility::Facts, facts::FactId};
use entities::{child, consent};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Version of the consent texts the clients show; a consent names the version it was given for.
pub const CONSENT_TEXT_VERSION: &str = "2026-11";

/// What a consent allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Keeping the child's record to screen entitlements, file requests and book services.
    BasicServices,
    /// Processing sensitive facts: disability, health, mental health.
    SensitiveData,
}

impl Purpose {
    /// Storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::BasicServices => "basic_services",
            Purpose::SensitiveData => "sensitive_data",
        }
    }

    /// Parses the storage form.
    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "basic_services" => Some(Purpose::BasicServices),
            "sensitive_data" => Some(Purpose::SensitiveData),
            _ => None,
        }
    }
}

/// The first sensitive fact (`FactId::is_sensitive`, the one table) that is filled in, by its
/// input name.
pub(crate) fn first_sensitive(f: &Facts) -> Option<&'static str> {
    FactId::sensitive().find(|id| f.get(*id).is_known()).map(FactId::api_name)
}

/// Removes every sensitive fact.
pub(crate) fn strip_sensitive(f: &mut Facts) {
    for id in FactId::sensitive() {
        f.clear(id);
    }
}

/// Every consent of a household, given and withdrawn, oldest first.
pub async fn consents(conn: &impl ConnectionTrait, household_id: Uuid) -> AppResult<Vec<consent::Model>> {
    Ok(consent::Entity::find().filter(consent::Column::HouseholdId.eq(household_id)).order_by_asc(consent::Column::Id).all(conn).await?)
}

/// Whether a consent in force covers `purpose` for `child` (`None`: a child not yet created, so
/// only household-wide consents count).
pub fn covers(consents: &[consent::Model], child: Option<Uuid>, purpose: Purpose) -> bool {
    consents.iter().any(|c| {
        c.withdrawn_at.is_none() && c.purpose == purpose.as_str() && (c.child_id.is_none() || (child.is_some() && c.child_id == child))
    })
}

/// Sensitive facts may be entered only under a sensitive-data consent: `VALIDATION` on the first
/// sensitive fact filled in otherwise.
pub(crate) fn check_sensitive(consents: &[consent::Model], child: Option<Uuid>, f: &Facts) -> AppResult<()> {
    if let Some(field) = first_sensitive(f)
        && !covers(consents, child, Purpose::SensitiveData)
    {
        return Err(AppError::validation(
            field,
            "残疾、健康、心理健康等敏感信息须另行同意后才能填写",
            "sensitive facts (disability, health, mental health) need a separate consent (SENSITIVE_DATA)",
        ));
    }
    Ok(())
}

/// The answer to a change of a child whose basic-services consent was withdrawn.
pub(crate) fn withdrawn() -> AppError {
    AppError::conflict(
        "该孩子信息的处理同意已撤回；如需继续办理，请重新同意",
        "consent for this child was withdrawn; give consent again to continue",
    )
}

/// Whether a screened child's paper consent still governs processing (no household yet).
pub fn paper_consent_in_force(c: &child::Model) -> bool {
    c.household_id.is_none() && c.deleted_at.is_none() && c.source == "screening"
}

/// Consents governing a child: the household's, or none for a screened child on paper consent.
pub async fn governing_consents(conn: &impl ConnectionTrait, c: &child::Model) -> AppResult<Option<Vec<consent::Model>>> {
    match c.household_id {
        Some(h) => Ok(Some(consents(conn, h).await?)),
        None if paper_consent_in_force(c) => Ok(None),
        None => Err(AppError::NotFound),
    }
}

/// Whether the child may be processed: the record exists, is not erased, and a basic-services
/// consent is in force. Every capability that acts on a child (requests, bookings, staff views)
/// must call this first; after a withdrawal the data is kept but nothing new may happen.
pub async fn child_processable(conn: &impl ConnectionTrait, child_id: Uuid) -> AppResult<bool> {
    let Some(c) = child::Entity::find_by_id(child_id).one(conn).await? else { return Ok(false) };
    if paper_consent_in_force(&c) {
        return Ok(true);
    }
    let (Some(household_id), None) = (c.household_id, c.deleted_at) else { return Ok(false) };
    Ok(processable(&c, &consents(conn, household_id).await?))
}

/// `child_processable` for a child already read with its household's consents, so a write path
/// that needs both (a submission) reads neither twice.
pub fn processable(c: &child::Model, consents: &[consent::Model]) -> bool {
    paper_consent_in_force(c)
        || (c.household_id.is_some() && c.deleted_at.is_none() && covers(consents, Some(c.id), Purpose::BasicServices))
}
