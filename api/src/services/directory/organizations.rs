//! Social organizations: registration with a validated credit code and a first staff login, and
//! verification by civil affairs of the organization's county (or above).

use std::net::IpAddr;

use domain::{credit_code::CreditCode, input::Email, regions::GuizhouCounty, text::Line};
use entities::organization;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer, password},
    constraints, db,
    error::{AppError, AppResult, OnField},
    mail::{outbox, templates},
    services::{
        accounts::{self, Name, NewLogin},
        audit, text,
    },
    state::AppState,
};

/// Organization registration input, parsed where the input is read (the phone number and the
/// password's strength, which reads the e-mail, are checked here).
#[derive(Debug, Clone)]
pub struct NewOrganization {
    /// Registered name.
    pub name: Line<200>,
    /// 统一社会信用代码.
    pub credit_code: CreditCode,
    /// Contact person.
    pub contact_name: Name,
    /// Contact phone.
    pub contact_phone: String,
    /// Contact e-mail, also the first staff login.
    pub email: Email,
    /// Password of that login.
    pub password: String,
    /// Address.
    pub address: Line<300>,
    /// County of registration (Guizhou).
    pub county_code: GuizhouCounty,
}

/// A Guizhou county code known to the divisions table, or `VALIDATION` on `field`.
pub fn guizhou_county(state: &AppState, code: &str, field: &str) -> AppResult<GuizhouCounty> {
    GuizhouCounty::parse(code, &state.reference.divisions()).on(field)
}

/// Registers an organization (pending verification) and its first staff login; the login must
/// verify its e-mail address before signing in. Counts as a self-registration of the caller's
/// client address `from` (None: demo data).
pub async fn register_organization(state: &AppState, input: NewOrganization, from: Option<IpAddr>) -> AppResult<organization::Model> {
    let phone = input.contact_phone.trim().replace([' ', '-'], "");
    if !(7..=20).contains(&phone.len()) || !phone.trim_start_matches('+').chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::validation("contactPhone", "联系电话格式不正确", "malformed phone number"));
    }
    let email = input.email.into_string();
    password::check_strength(&input.password, &email)?;
    let (name, contact_name) = (input.name.into_string(), input.contact_name.into_string());
    let (address, county_code) = (input.address.into_string(), input.county_code.into_string());
    state.limits.registration(&email, from)?;
    let hash = password::hash(input.password.clone()).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let model = organization::Model {
        id: Uuid::now_v7(),
        name,
        credit_code: input.credit_code.into_string(),
        contact_name: contact_name.clone(),
        contact_phone: phone,
        contact_email: email.clone(),
        address,
        county_code,
        status: "pending".into(),
        rejection_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        created_at: now,
    };
    if let Err(e) = organization::Entity::insert(organization::ActiveModel::from(model.clone())).exec_without_returning(&txn).await {
        return Err(if constraints::ORGANIZATION_CREDIT_CODE.broken_by(&e) {
            AppError::conflict("该统一社会信用代码已登记", "an organization with this credit code is already registered")
        } else {
            e.into()
        });
    }
    let new = NewLogin { email, password_hash: hash, display_name: contact_name, role: Role::OrgStaff, organization_id: Some(model.id) };
    let account_id = accounts::insert_unverified(state, &txn, new, now).await?;
    audit::record(&txn, Some(account_id), "organization.registered", "organization", &model.id.to_string(), None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    tracing::info!(organization_id = %model.id, "organization registered");
    Ok(model)
}

/// An organization the civil-affairs viewer may review (its county inside the viewer's region).
async fn reviewable(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<organization::Model> {
    let org = organization::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    if viewer.role != Role::CivilAffairs || !viewer.region_contains(&org.county_code) {
        return Err(AppError::NotFound);
    }
    Ok(org)
}

/// Civil affairs verifies (or, with a reason, rejects) a pending organization; the contact is told.
pub async fn review_organization(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    approve: bool,
    reason: Option<String>,
) -> AppResult<organization::Model> {
    if viewer.role != Role::CivilAffairs {
        return Err(AppError::Forbidden);
    }
    let reason = if approve { None } else { Some(text::paragraph(reason.as_deref().unwrap_or_default(), "reason", 500)?) };
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let org = reviewable(&txn, viewer, id).await?;
    if org.status != "pending" {
        return Err(AppError::conflict("该组织已审核", "the organization was already reviewed"));
    }
    let status = if approve { "verified" } else { "rejected" };
    organization::Entity::update_many()
        .col_expr(organization::Column::Status, Expr::value(status))
        .col_expr(organization::Column::RejectionReason, Expr::value(reason.clone()))
        .col_expr(organization::Column::ReviewedBy, Expr::value(Some(viewer.account_id)))
        .col_expr(organization::Column::ReviewedAt, Expr::value(Some(now)))
        .filter(organization::Column::Id.eq(id))
        .filter(organization::Column::Status.eq("pending"))
        .exec(&txn)
        .await?;
    let mail = if approve {
        templates::notice(
            "组织审核已通过",
            "Organization verified",
            format!("“{}”已通过民政部门审核，服务现已公开。", org.name),
            format!("\"{}\" was verified by civil affairs; its services are now public.", org.name),
        )
    } else {
        let r = reason.clone().unwrap_or_default();
        templates::notice(
            "组织审核未通过",
            "Organization not verified",
            format!("“{}”未通过审核。原因：{r}", org.name),
            format!("\"{}\" was not verified. Reason: {r}", org.name),
        )
    };
    outbox::enqueue(&txn, &org.contact_email, mail, now).await?;
    audit::record(&txn, Some(viewer.account_id), &format!("organization.{status}"), "organization", &id.to_string(), None, now).await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(organization::Model {
        status: status.into(),
        rejection_reason: reason,
        reviewed_by: Some(viewer.account_id),
        reviewed_at: Some(now),
        ..org
    })
}

/// Organizations waiting for review in the civil-affairs viewer's region.
pub async fn pending_organizations(state: &AppState, viewer: &Viewer) -> AppResult<Vec<organization::Model>> {
    if viewer.role != Role::CivilAffairs {
        return Err(AppError::Forbidden);
    }
    let rows = organization::Entity::find()
        .filter(organization::Column::Status.eq("pending"))
        .order_by_asc(organization::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().filter(|o| viewer.region_contains(&o.county_code)).collect())
}

/// The organization of an organization-staff viewer.
pub async fn own_organization(conn: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<organization::Model> {
    let id = match (viewer.role, viewer.organization_id) {
        (Role::OrgStaff, Some(id)) => id,
        _ => return Err(AppError::Forbidden),
    };
    organization::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)
}
