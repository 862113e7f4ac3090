//! The GraphQL schema: one module per domain, merged here. Resolvers stay thin — they read the
//! viewer and language from the context, call a service, and map the result to API types.

pub mod accounts;
pub mod bookings;
pub mod calendar;
pub mod child_access;
pub mod children;
pub mod claims;
pub mod coverage;
pub mod directory;
pub mod documents;
pub mod eligibility;
pub mod errors;
pub mod families;
pub mod gate;
pub mod input_errors;
pub mod limits;
pub mod mail;
pub mod monitoring;
pub mod notifications;
pub mod pagination;
pub mod persisted;
pub mod plain;
pub mod prevalidated;
pub mod reference;
pub mod requests;
pub mod scalars;
pub mod signin;
pub mod trusted;

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

/// Every query, by domain.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    accounts::AccountsQuery,
    reference::ReferenceQuery,
    calendar::CalendarQuery,
    eligibility::EligibilityQuery,
    families::FamiliesQuery,
    children::ChildrenQuery,
    directory::DirectoryQuery,
    bookings::BookingsQuery,
    requests::RequestsQuery,
    child_access::ChildAccessQuery,
    documents::DocumentsQuery,
    monitoring::MonitoringQuery,
    mail::MailQuery,
    notifications::NotificationsQuery,
);

/// Every mutation, by domain.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountsMutation,
    families::FamiliesMutation,
    children::ChildrenMutation,
    directory::DirectoryMutation,
    bookings::BookingsMutation,
    requests::RequestsMutation,
    monitoring::MonitoringMutation,
    calendar::CalendarMutation,
    trusted::TrustedDocumentMutation,
    reference::ReferenceMutation,
    claims::ClaimsMutation,
    mail::MailMutation,
    signin::SigninMutation,
    documents::DocumentsMutation,
    notifications::NotificationsMutation,
);

/// Every subscription, by domain.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(requests::RequestsSubscription);

/// The executable schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Largest nesting accepted; the standard introspection query needs 13 (checked by a test).
pub const MAX_DEPTH: usize = 15;
/// Largest total field complexity of one operation.
pub const MAX_COMPLEXITY: usize = 2000;

/// Schema with limits but without runtime data, shared by the HTTP endpoint, the SDL export and
/// tests. It has no extension on purpose: with any extension registered, async-graphql wraps the
/// resolution of every single field in the extension chain (a registry lookup and a boxed future
/// per field), which tripled the cost of large results; HTTP responses get their error codes
/// once, in `errors::finish`.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default())
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        .limit_directives(20)
}

/// The schema for WebSocket clients, whose responses do not pass through `errors::finish`: the
/// `ErrorCodes` extension codes their errors (subscription events are few and small).
pub fn ws_schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    schema_builder().extension(errors::ErrorCodes)
}

/// The SDL written to `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
