//! The schema: every area's queries, mutations and subscriptions merged into the roots, with the
//! document limits.

use async_graphql::{MergedObject, MergedSubscription, Schema, SchemaBuilder};

use super::{
    accounts, bookings, calendar, child_access, children, claims, directory, documents, eligibility, families, key_care,
    limits::{MAX_COMPLEXITY, MAX_DEPTH},
    mail, notifications, organizations, reference, register, requests, signin, statistics, trusted,
};

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
    organizations::OrganizationsQuery,
    bookings::BookingsQuery,
    requests::RequestsQuery,
    child_access::ChildAccessQuery,
    documents::DocumentsQuery,
    register::RegisterQuery,
    key_care::KeyCareQuery,
    statistics::StatisticsQuery,
    mail::MailQuery,
    notifications::NotificationsQuery,
);

/// Every mutation, by domain.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountsMutation,
    families::FamiliesMutation,
    children::ChildrenMutation,
    organizations::OrganizationsMutation,
    directory::DirectoryMutation,
    bookings::BookingsMutation,
    requests::RequestsMutation,
    register::RegisterMutation,
    key_care::KeyCareMutation,
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

/// The SDL written to `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
