//! The public services directory over GraphQL: organizations' locations, services and bookable
//! sessions. The organizations themselves are in `organizations`.

use async_graphql::{
    Context, Enum, ID, InputObject, Object, SimpleObject,
    connection::{Connection, CursorType, Edge},
};
use chrono::{DateTime, Utc};

use super::{
    context::state,
    organizations::Organization,
    pagination::{self, Cursor},
    scalars::parse_id,
};
use crate::{
    auth::viewer::require,
    error::{AppError, AppResult},
    services::directory::{self as svc, Listing},
};

/// Kind of place.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LocationKind {
    /// 童心港湾.
    TongxinHarbor,
    /// 儿童之家.
    ChildrenHome,
    /// 儿童活动中心.
    ActivityCenter,
    /// 社区家长学校.
    ParentSchool,
    /// A school.
    School,
    /// Anything else.
    Other,
}

impl LocationKind {
    fn code(self) -> &'static str {
        svc::LOCATION_KINDS[self as usize]
    }
    fn parse(s: &str) -> Self {
        match s {
            "tongxin_harbor" => Self::TongxinHarbor,
            "children_home" => Self::ChildrenHome,
            "activity_center" => Self::ActivityCenter,
            "parent_school" => Self::ParentSchool,
            "school" => Self::School,
            _ => Self::Other,
        }
    }
}

/// Where services take place.
#[derive(SimpleObject, Clone)]
pub struct Location {
    /// Id.
    pub id: ID,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: LocationKind,
    /// Address.
    pub address: String,
    /// County code.
    pub county_code: String,
    /// Township code.
    pub township_code: Option<String>,
    /// Latitude (WGS-84).
    pub latitude: Option<f64>,
    /// Longitude (WGS-84).
    pub longitude: Option<f64>,
}

impl From<entities::location::Model> for Location {
    fn from(m: entities::location::Model) -> Self {
        Location {
            id: ID(m.id.to_string()),
            kind: LocationKind::parse(&m.kind),
            name: m.name,
            address: m.address,
            county_code: m.county_code,
            township_code: m.township_code,
            latitude: m.latitude,
            longitude: m.longitude,
        }
    }
}

/// Service category.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ServiceCategory {
    /// 心理辅导 (confidential).
    Counselling,
    /// 阅读指导.
    Reading,
    /// 文娱活动、兴趣培训.
    Arts,
    /// 精神陪伴.
    Companionship,
    /// 城市融入.
    CityIntegration,
    /// 家庭教育指导.
    ParentEducation,
    /// 法治安全教育.
    SafetyEducation,
}

impl ServiceCategory {
    fn code(self) -> &'static str {
        svc::CATEGORIES[self as usize]
    }
    fn parse(s: &str) -> Self {
        svc::CATEGORIES
            .iter()
            .position(|c| *c == s)
            .map(|i| {
                [
                    Self::Counselling,
                    Self::Reading,
                    Self::Arts,
                    Self::Companionship,
                    Self::CityIntegration,
                    Self::ParentEducation,
                    Self::SafetyEducation,
                ][i]
            })
            .unwrap_or(Self::Arts)
    }
}

/// One bookable occurrence.
#[derive(SimpleObject, Clone)]
pub struct Session {
    /// Id.
    pub id: ID,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Seats.
    pub capacity: i32,
    /// Seats still free.
    pub seats_left: i32,
    /// Cancelled by the organization.
    pub cancelled: bool,
}

impl From<entities::session::Model> for Session {
    fn from(m: entities::session::Model) -> Self {
        Session {
            id: ID(m.id.to_string()),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            capacity: m.capacity,
            seats_left: (m.capacity - m.booked).max(0),
            cancelled: m.cancelled_at.is_some(),
        }
    }
}

/// A service of the directory.
#[derive(SimpleObject, Clone)]
pub struct Service {
    /// Id.
    pub id: ID,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: ServiceCategory,
    /// Entitlement of the policy it delivers.
    pub entitlement_code: String,
    /// Youngest age admitted.
    pub min_age: i32,
    /// Oldest age admitted.
    pub max_age: i32,
    /// Language tags.
    pub languages: Vec<String>,
    /// Cost in fen.
    pub cost_cents: i32,
    /// Free of charge (public-welfare).
    pub free: bool,
    /// Bookings are confidential (counselling).
    pub confidential: bool,
    /// Cancellation is possible until this many hours before a session.
    pub cancel_cutoff_hours: i32,
    /// Provider.
    pub organization: Option<Organization>,
    /// Place.
    pub location: Option<Location>,
    /// Upcoming sessions.
    pub sessions: Vec<Session>,
}

impl Service {
    fn from_model(m: entities::service::Model) -> Self {
        Service {
            id: ID(m.id.to_string()),
            category: ServiceCategory::parse(&m.category),
            free: m.cost_cents == 0,
            languages: m.languages.split(',').map(str::to_owned).collect(),
            name: m.name,
            description: m.description,
            entitlement_code: m.entitlement_code,
            min_age: m.min_age,
            max_age: m.max_age,
            cost_cents: m.cost_cents,
            confidential: m.confidential,
            cancel_cutoff_hours: m.cancel_cutoff_hours,
            organization: None,
            location: None,
            sessions: Vec::new(),
        }
    }
}

impl From<Listing> for Service {
    fn from(l: Listing) -> Self {
        Service {
            organization: Some(l.organization.into()),
            location: Some(l.location.into()),
            sessions: l.sessions.into_iter().map(Into::into).collect(),
            ..Service::from_model(l.service)
        }
    }
}

/// A new location.
#[derive(InputObject)]
pub struct LocationInput {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: LocationKind,
    /// Address.
    pub address: String,
    /// County (Guizhou).
    pub county_code: String,
    /// Township in that county.
    pub township_code: Option<String>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
}

/// A new service.
#[derive(InputObject)]
pub struct ServiceInput {
    /// Location of the organization.
    pub location_id: ID,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: ServiceCategory,
    /// Bookable entitlement code.
    pub entitlement_code: String,
    /// Youngest age admitted.
    pub min_age: i32,
    /// Oldest age admitted.
    pub max_age: i32,
    /// Language tags (default `zh`).
    #[graphql(default_with = "vec![\"zh\".to_owned()]")]
    pub languages: Vec<String>,
    /// Cost in fen (default free).
    #[graphql(default)]
    pub cost_cents: i32,
    /// Cancellation cutoff in hours before a session (default 24).
    #[graphql(default = 24)]
    pub cancel_cutoff_hours: i32,
}

/// A new session.
#[derive(InputObject)]
pub struct SessionInput {
    /// Service of the organization.
    pub service_id: ID,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Seats.
    pub capacity: i32,
}

/// Directory filter.
#[derive(InputObject, Default)]
pub struct ServiceFilter {
    /// County, prefecture or province code.
    pub region_code: Option<String>,
    /// Entitlement code.
    pub entitlement_code: Option<String>,
    /// Category.
    pub category: Option<ServiceCategory>,
    /// Age of the child.
    pub age: Option<i32>,
    /// Sessions starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only services with a free seat in an upcoming session.
    #[graphql(default)]
    pub seats_available: bool,
}

/// Directory queries.
#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Services of verified organizations (public), in a stable order; keyset-paginated.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn services(
        &self,
        ctx: &Context<'_>,
        filter: Option<ServiceFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<String, Service>> {
        let limit = pagination::clamp(first)?;
        let after = pagination::after_uuid(after.as_deref())?;
        let f = filter.unwrap_or_default();
        if let Some(r) = &f.region_code
            && !(r.len() == 6 && r.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(AppError::validation("regionCode", "行政区划代码须为 6 位数字", "region codes have 6 digits"));
        }
        let filter = svc::ServiceFilter {
            region_code: f.region_code,
            entitlement_code: f.entitlement_code,
            category: f.category.map(|c| c.code().to_owned()),
            age: f.age,
            from: f.from,
            to: f.to,
            seats_available: f.seats_available,
        };
        let mut rows = svc::search(state(ctx), &filter, after, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let mut conn = Connection::new(after.is_some(), has_next);
        conn.edges.extend(rows.into_iter().map(|l| Edge::new(Cursor::of_uuid(l.service.id).encode_cursor(), Service::from(l))));
        Ok(conn)
    }
}

/// Directory mutations.
#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Adds a location of the caller's organization.
    async fn create_location(&self, ctx: &Context<'_>, input: LocationInput) -> AppResult<Location> {
        let v = require(ctx)?;
        let new = svc::NewLocation {
            name: input.name,
            kind: input.kind.code().to_owned(),
            address: input.address,
            county_code: input.county_code,
            township_code: input.township_code,
            latitude: input.latitude,
            longitude: input.longitude,
        };
        Ok(svc::create_location(state(ctx), &v, new).await?.into())
    }

    /// Adds a service of the caller's organization.
    async fn create_service(&self, ctx: &Context<'_>, input: ServiceInput) -> AppResult<Service> {
        let v = require(ctx)?;
        let new = svc::NewService {
            location_id: parse_id(&input.location_id)?,
            name: input.name,
            description: input.description,
            category: input.category.code().to_owned(),
            entitlement_code: input.entitlement_code,
            min_age: input.min_age,
            max_age: input.max_age,
            languages: input.languages,
            cost_cents: input.cost_cents,
            cancel_cutoff_hours: input.cancel_cutoff_hours,
        };
        Ok(Service::from_model(svc::create_service(state(ctx), &v, new).await?))
    }

    /// Adds a session of one of the caller's organization's services.
    async fn create_session(&self, ctx: &Context<'_>, input: SessionInput) -> AppResult<Session> {
        let v = require(ctx)?;
        Ok(svc::create_session(state(ctx), &v, parse_id(&input.service_id)?, input.starts_at, input.ends_at, input.capacity).await?.into())
    }
}
