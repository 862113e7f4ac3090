//! The migrant-children register over GraphQL (measure (一)): children registered in household
//! screening with the guardian's consent on paper, and the six-monthly verification of every
//! record.

use async_graphql::{
    Context, ID, InputObject, Object, SimpleObject,
    connection::{Connection, Edge},
};
use chrono::{DateTime, Duration, Utc};
use domain::monitoring::{leaves_scope_on, verification_due};
use entities::child;

use super::{
    context::state,
    facts_input::ChildInput,
    pagination::{self, Cursor},
    reference::Region,
    scalars::{Date, parse_id},
};
use crate::{
    auth::{Role, viewer::require_role},
    error::{AppError, AppResult},
    services::{
        children::masked,
        register::{self, Corrections, PaperConsent},
    },
    state::AppState,
};

/// Roles that keep the register and the ledger.
pub(super) const MONITOR: [Role; 3] = [Role::CivilAffairs, Role::ChildSupervisor, Role::ChildDirector];

/// A record of the migrant-children register as monitoring staff see it (numbers masked).
#[derive(SimpleObject)]
pub struct RegisterRecord {
    /// Child id.
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// ID number, masked.
    pub id_number_masked: Option<String>,
    /// County of residence.
    pub residence_region: Region,
    /// Township of residence.
    pub residence_township: Option<Region>,
    /// Last verification (registration counts as one).
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Due for the six-monthly verification today.
    pub verification_due: bool,
    /// The day the child turns 16 and leaves the scope.
    pub leaves_scope_on: Option<Date>,
    /// `guardian` (added in the app) or `screening` (registered by a child director).
    pub source: String,
    /// Registered in screening and not yet taken over by a guardian's account.
    pub awaiting_guardian: bool,
}

impl RegisterRecord {
    pub(super) fn build(st: &AppState, c: &child::Model) -> AppResult<RegisterRecord> {
        let d = &st.reference.divisions();
        let today = st.clock.today();
        Ok(RegisterRecord {
            id: ID(c.id.to_string()),
            name: c.name.clone(),
            birth_date: c.birth_date.map(Date),
            id_number_masked: masked(&st.pii, c).id_number,
            residence_region: Region::of(d, &c.residence_region_code),
            residence_township: c.residence_township_code.as_deref().map(|t| Region::of(d, t)),
            last_verified_at: c.last_verified_at,
            verification_due: c.last_verified_at.is_some_and(|v| verification_due((v + Duration::hours(8)).date_naive(), today)),
            leaves_scope_on: c.birth_date.and_then(leaves_scope_on).map(Date),
            source: c.source.clone(),
            awaiting_guardian: register::paper_consent_in_force(c),
        })
    }
}

/// The guardian's consent as given on paper during screening.
#[derive(InputObject)]
pub struct PaperConsentInput {
    /// Name of the guardian who signed.
    pub signed_by: String,
    /// Date on the form.
    pub signed_on: Date,
    /// Version of the consent text on the form.
    pub text_version: String,
}

/// What a verification found different; omitted fields are confirmed as they are.
#[derive(InputObject, Default)]
pub struct VerificationInput {
    /// County of residence now.
    pub residence_region_code: Option<String>,
    /// Township of residence now.
    pub residence_township_code: Option<String>,
    /// Living at the residence since.
    pub residence_since: Option<Date>,
    /// School or kindergarten attended now.
    pub school_name: Option<String>,
    /// Note of the verification.
    pub note: Option<String>,
}

fn cursor_time_id(after: Option<&str>) -> AppResult<Option<(DateTime<Utc>, uuid::Uuid)>> {
    let bad = || AppError::validation("after", "分页游标无效", "invalid cursor");
    match pagination::after(after)? {
        None => Ok(None),
        Some(Cursor(v)) => {
            let at = v.first().and_then(|x| x.as_str()).and_then(|s| DateTime::parse_from_rfc3339(s).ok()).ok_or_else(bad)?;
            let id = v.get(1).and_then(|x| x.as_str()).and_then(|s| uuid::Uuid::parse_str(s).ok()).ok_or_else(bad)?;
            Ok(Some((at.with_timezone(&Utc), id)))
        }
    }
}

/// Register queries.
#[derive(Default)]
pub struct RegisterQuery;

#[Object]
impl RegisterQuery {
    /// Records in `regionCode` not verified for six months (exactly six months is due), oldest
    /// verification first. Children of 16 and over have left the register.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn due_verifications(
        &self,
        ctx: &Context<'_>,
        region_code: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<Cursor, RegisterRecord>> {
        let v = require_role(ctx, &MONITOR)?;
        let n = pagination::clamp(first)?;
        let st = state(ctx);
        let (rows, more) = register::due(st, &v, &region_code, n, cursor_time_id(after.as_deref())?).await?;
        let mut conn = Connection::new(false, more);
        for c in rows {
            let cursor = Cursor(vec![c.last_verified_at.map(|t| t.to_rfc3339()).unwrap_or_default().into(), c.id.to_string().into()]);
            conn.edges.push(Edge::new(cursor, RegisterRecord::build(st, &c)?));
        }
        Ok(conn)
    }
}

/// Register mutations.
#[derive(Default)]
pub struct RegisterMutation;

#[Object]
impl RegisterMutation {
    /// Child directors and supervisors: registers a child found in household screening (摸排),
    /// with the guardian's consent given on paper. The record passes to the guardian's account
    /// when the guardian adds the child with the claim code staff issue for the form
    /// (`issueClaimCode`).
    async fn register_screened_child(&self, ctx: &Context<'_>, input: ChildInput, consent: PaperConsentInput) -> AppResult<RegisterRecord> {
        let v = require_role(ctx, &[Role::ChildDirector, Role::ChildSupervisor])?;
        let st = state(ctx);
        let paper = PaperConsent { signed_by: consent.signed_by, signed_on: consent.signed_on.0, text_version: consent.text_version };
        let c = register::register_screened(st, &v, input.into_data()?, paper).await?;
        RegisterRecord::build(st, &c)
    }

    /// Confirms a record (correcting the residence when it changed) and restarts its six-month
    /// clock. Monitoring staff of the area, or the child's guardian in the app.
    async fn verify_child_record(&self, ctx: &Context<'_>, child_id: ID, input: Option<VerificationInput>) -> AppResult<RegisterRecord> {
        let v = require_role(ctx, &[Role::CivilAffairs, Role::ChildSupervisor, Role::ChildDirector, Role::Guardian])?;
        let st = state(ctx);
        let i = input.unwrap_or_default();
        let fix = Corrections {
            residence_region_code: i.residence_region_code,
            residence_township_code: i.residence_township_code,
            residence_since: i.residence_since.map(|d| d.0),
            school_name: i.school_name,
            note: i.note,
        };
        let c = register::verify(st, &v, parse_id(&child_id)?, fix).await?;
        RegisterRecord::build(st, &c)
    }
}
