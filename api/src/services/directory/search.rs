//! The public directory: verified organizations' services with their upcoming sessions. Nothing
//! of an unverified organization is ever public.

use chrono::{DateTime, Utc};
use entities::{location, organization, service, session};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{error::AppResult, services::scope::within, state::AppState};

/// Public directory filter.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// Location in this region (county, prefecture or province code).
    pub region_code: Option<String>,
    /// Delivers this entitlement.
    pub entitlement_code: Option<String>,
    /// Of this category.
    pub category: Option<String>,
    /// Admits a child of this age.
    pub age: Option<i32>,
    /// Has a session starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Has a session starting before.
    pub to: Option<DateTime<Utc>>,
    /// Has an upcoming session with a free seat.
    pub seats_available: bool,
}

/// A directory entry with everything a listing shows.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The service.
    pub service: service::Model,
    /// Its organization (always verified).
    pub organization: organization::Model,
    /// Its location.
    pub location: location::Model,
    /// Upcoming, not cancelled sessions in start order.
    pub sessions: Vec<session::Model>,
}

/// A page of verified organizations' services after `after` (service id order), with their
/// organization, location and upcoming sessions loaded in three batched queries.
pub async fn search(state: &AppState, filter: &ServiceFilter, after: Option<Uuid>, limit: usize) -> AppResult<Vec<Listing>> {
    let now = state.clock.now();
    let mut q = service::Entity::find()
        .filter(
            service::Column::OrganizationId.in_subquery(
                Query::select()
                    .column(organization::Column::Id)
                    .from(organization::Entity)
                    .and_where(organization::Column::Status.eq("verified"))
                    .to_owned(),
            ),
        )
        .order_by_asc(service::Column::Id)
        .limit(limit as u64);
    if let Some(a) = after {
        q = q.filter(service::Column::Id.gt(a));
    }
    if let Some(e) = &filter.entitlement_code {
        q = q.filter(service::Column::EntitlementCode.eq(e.as_str()));
    }
    if let Some(c) = &filter.category {
        q = q.filter(service::Column::Category.eq(c.as_str()));
    }
    if let Some(age) = filter.age {
        q = q.filter(service::Column::MinAge.lte(age)).filter(service::Column::MaxAge.gte(age));
    }
    if let Some(r) = &filter.region_code {
        q = q.filter(
            service::Column::LocationId.in_subquery(
                Query::select()
                    .column(location::Column::Id)
                    .from(location::Entity)
                    .and_where(within(location::Column::CountyCode, r))
                    .to_owned(),
            ),
        );
    }
    if filter.from.is_some() || filter.to.is_some() || filter.seats_available {
        let mut cond = Condition::all().add(session::Column::CancelledAt.is_null()).add(session::Column::StartsAt.gt(now));
        if let Some(f) = filter.from {
            cond = cond.add(session::Column::StartsAt.gte(f));
        }
        if let Some(t) = filter.to {
            cond = cond.add(session::Column::StartsAt.lt(t));
        }
        if filter.seats_available {
            cond = cond.add(Expr::col(session::Column::Booked).lt(Expr::col(session::Column::Capacity)));
        }
        q = q.filter(
            service::Column::Id
                .in_subquery(Query::select().column(session::Column::ServiceId).from(session::Entity).cond_where(cond).to_owned()),
        );
    }
    let services = q.all(&state.db).await?;
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let org_ids: Vec<Uuid> = services.iter().map(|s| s.organization_id).collect();
    let loc_ids: Vec<Uuid> = services.iter().map(|s| s.location_id).collect();
    let svc_ids: Vec<Uuid> = services.iter().map(|s| s.id).collect();
    let (orgs, locs, sessions) = tokio::try_join!(
        organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(&state.db),
        location::Entity::find().filter(location::Column::Id.is_in(loc_ids)).all(&state.db),
        session::Entity::find()
            .filter(session::Column::ServiceId.is_in(svc_ids))
            .filter(session::Column::CancelledAt.is_null())
            .filter(session::Column::StartsAt.gt(now))
            .order_by_asc(session::Column::StartsAt)
            .all(&state.db),
    )?;
    Ok(services
        .into_iter()
        .filter_map(|s| {
            let organization = orgs.iter().find(|o| o.id == s.organization_id)?.clone();
            let location = locs.iter().find(|l| l.id == s.location_id)?.clone();
            let sessions = sessions.iter().filter(|x| x.service_id == s.id).cloned().collect();
            Some(Listing { service: s, organization, location, sessions })
        })
        .collect())
}
