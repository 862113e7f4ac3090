//! Claim codes over GraphQL: staff issue the one-time code with which a family takes over a child's
//! record registered in screening (the family passes it to `addChild`).

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{context::state, scalars::parse_id};
use crate::{
    auth::{Role, viewer::require_role},
    error::AppResult,
    services::claims,
};

/// A claim code, shown once: write it on the guardian's copy of the paper consent form.
#[derive(SimpleObject)]
pub struct ClaimCode {
    /// The code (12 characters in groups of four; case, spaces and hyphens do not matter).
    pub code: String,
    /// When it stops working (30 days after issue).
    pub expires_at: DateTime<Utc>,
}

/// Claim-code mutations.
#[derive(Default)]
pub struct ClaimsMutation;

#[Object]
impl ClaimsMutation {
    /// Monitoring staff of the child's area: a new one-time claim code for a child registered in
    /// screening that no household holds yet (else `NOT_FOUND`). Any earlier code stops working.
    /// Only the code's keyed hash is stored.
    async fn issue_claim_code(&self, ctx: &Context<'_>, child_id: ID) -> AppResult<ClaimCode> {
        let v = require_role(ctx, &[Role::CivilAffairs, Role::ChildSupervisor, Role::ChildDirector])?;
        let c = claims::issue(state(ctx), &v, parse_id(&child_id)?).await?;
        Ok(ClaimCode { code: c.code, expires_at: c.expires_at })
    }
}
