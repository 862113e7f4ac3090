//! The GraphQL schema: one module per domain, merged here. Resolvers stay thin — they read the
//! viewer and language from the context, call a service, and map the result to API types.

pub mod accounts;
pub mod bookings;
pub mod calendar;
pub mod care_measure;
pub mod catalogue;
pub mod child_access;
pub mod children;
pub mod claims;
pub mod context;
pub mod coverage;
pub mod directory;
pub mod documents;
pub mod eligibility;
pub mod entitlement_result;
pub mod errors;
pub mod facts_input;
pub mod families;
pub mod gate;
pub mod input_errors;
pub mod key_care;
pub mod limits;
pub mod mail;
pub mod notifications;
pub mod organizations;
pub mod page;
pub mod pagination;
pub mod persisted;
pub mod plain;
pub mod prevalidated;
pub mod reference;
pub mod register;
pub mod requests;
pub mod risk;
pub mod scalars;
pub mod schema;
pub mod service_request;
pub mod session;
pub mod signin;
pub mod statistics;
pub mod trusted;
pub mod verdict;

pub use errors::ws_schema_builder;
pub use limits::{MAX_COMPLEXITY, MAX_DEPTH};
pub use schema::{AppSchema, MutationRoot, QueryRoot, SubscriptionRoot, schema_builder, sdl};
