//! Social organizations over GraphQL: registration, review by civil affairs, and an
//! organization's own record. What they offer is in `directory`.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use domain::{credit_code::CreditCode, input::Email, regions::GuizhouCounty, text::Line};

use super::{
    context::{client_addr, state},
    scalars::parse_id,
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppResult, OnField},
    services::{accounts::Name, directory as svc},
};

/// Review state of an organization.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrganizationStatus {
    /// Waiting for civil affairs.
    Pending,
    /// Verified: its services are public.
    Verified,
    /// Rejected with a reason.
    Rejected,
}

/// A social organization.
#[derive(SimpleObject, Clone)]
pub struct Organization {
    /// Id.
    pub id: ID,
    /// Registered name.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// County of registration.
    pub county_code: String,
    /// Address.
    pub address: String,
    /// Review state.
    pub status: OrganizationStatus,
    /// Why it was rejected.
    pub rejection_reason: Option<String>,
}

impl From<entities::organization::Model> for Organization {
    fn from(m: entities::organization::Model) -> Self {
        let status = match m.status.as_str() {
            "verified" => OrganizationStatus::Verified,
            "rejected" => OrganizationStatus::Rejected,
            _ => OrganizationStatus::Pending,
        };
        Organization {
            id: ID(m.id.to_string()),
            name: m.name,
            credit_code: m.credit_code,
            county_code: m.county_code,
            address: m.address,
            status,
            rejection_reason: m.rejection_reason,
        }
    }
}

/// Organization registration.
#[derive(InputObject)]
pub struct OrganizationInput {
    /// Registered name.
    pub name: String,
    /// 统一社会信用代码 (18 characters, GB 32100 check character).
    pub credit_code: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Contact e-mail: becomes the organization's first staff login.
    pub email: String,
    /// Password of that login.
    pub password: String,
    /// Address.
    pub address: String,
    /// County of registration (Guizhou).
    pub county_code: String,
}

/// Organization queries.
#[derive(Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// Organizations waiting for review in the civil-affairs caller's region.
    async fn pending_organizations(&self, ctx: &Context<'_>) -> AppResult<Vec<Organization>> {
        let v = require_role(ctx, &[Role::CivilAffairs])?;
        Ok(svc::pending_organizations(state(ctx), &v).await?.into_iter().map(Into::into).collect())
    }

    /// The organization of the signed-in organization staff member.
    async fn my_organization(&self, ctx: &Context<'_>) -> AppResult<Organization> {
        let v = require(ctx)?;
        Ok(svc::own_organization(&state(ctx).db, &v).await?.into())
    }
}

/// Organization mutations.
#[derive(Default)]
pub struct OrganizationsMutation;

#[Object]
impl OrganizationsMutation {
    /// Registers an organization (pending until civil affairs verifies it) and its first staff
    /// login, which must verify its e-mail address.
    async fn register_organization(&self, ctx: &Context<'_>, input: OrganizationInput) -> AppResult<Organization> {
        let new = svc::NewOrganization {
            name: Line::parse(&input.name).on("name")?,
            credit_code: CreditCode::parse(&input.credit_code).on("creditCode")?,
            contact_name: Name::parse(&input.contact_name).on("contactName")?,
            contact_phone: input.contact_phone,
            email: Email::parse(&input.email).on("email")?,
            password: input.password,
            address: Line::parse(&input.address).on("address")?,
            county_code: GuizhouCounty::parse(&input.county_code, &state(ctx).reference.divisions()).on("countyCode")?,
        };
        Ok(svc::register_organization(state(ctx), new, client_addr(ctx)).await?.into())
    }

    /// Civil affairs of the organization's county (or above) verifies it; its services become public.
    async fn verify_organization(&self, ctx: &Context<'_>, id: ID) -> AppResult<Organization> {
        let v = require(ctx)?;
        Ok(svc::review_organization(state(ctx), &v, parse_id(&id)?, true, None).await?.into())
    }

    /// Civil affairs rejects an organization with a reason the organization is told.
    async fn reject_organization(&self, ctx: &Context<'_>, id: ID, reason: String) -> AppResult<Organization> {
        let v = require(ctx)?;
        Ok(svc::review_organization(state(ctx), &v, parse_id(&id)?, false, Some(reason)).await?.into())
    }
}
