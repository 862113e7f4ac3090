//! Social organizations and the services directory: registration with a validated credit code,
//! verification by civil affairs of the organization's county (or above) (`organizations`);
//! locations, services and sessions (`offer`); the public search (`search`). Nothing of an
//! unverified organization is ever public.
//!
//! This module only declares and re-exports; the pieces import each other by their full path.

pub mod offer;
pub mod organizations;
pub mod search;

pub use self::{
    offer::{CATEGORIES, LOCATION_KINDS, NewLocation, NewService, create_location, create_service, create_session},
    organizations::{NewOrganization, guizhou_county, own_organization, pending_organizations, register_organization, review_organization},
    search::{Listing, ServiceFilter, search},
};
