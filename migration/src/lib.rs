//! Schema migrations and reference data. Migrations run at server start and in every test, so the
//! schema in a database is always the one the code was written against.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_reference;
mod m20261129_000002_create_accounts;
mod m20261129_000003_create_outbox_audit;
mod m20261129_000004_seed_reference;
mod m20261129_000010_create_families;
mod m20261129_000020_create_directory;
mod m20261129_000021_create_bookings;
mod m20261129_000030_create_requests;
mod m20261129_000040_create_monitoring;
mod m20261201_000050_screening_claim_codes;
mod m20261206_000050_erasure;
mod m20261207_000060_booking_idempotency;
mod m20261210_000060_key_checks;
mod m20261215_000070_families_signin;
mod m20261223_000080_documents;
mod m20261230_000091_notification_channels;
mod m20261230_000092_session_waitlist_counter;
mod m20261230_000092_trusted_documents;
pub mod reference;

/// The ordered list of every migration of the Tongxin schema.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_reference::Migration),
            Box::new(m20261129_000002_create_accounts::Migration),
            Box::new(m20261129_000003_create_outbox_audit::Migration),
            Box::new(m20261129_000004_seed_reference::Migration),
            Box::new(m20261129_000010_create_families::Migration),
            Box::new(m20261129_000020_create_directory::Migration),
            Box::new(m20261129_000021_create_bookings::Migration),
            Box::new(m20261129_000030_create_requests::Migration),
            Box::new(m20261129_000040_create_monitoring::Migration),
            Box::new(m20261201_000050_screening_claim_codes::Migration),
            Box::new(m20261206_000050_erasure::Migration),
            Box::new(m20261207_000060_booking_idempotency::Migration),
            Box::new(m20261210_000060_key_checks::Migration),
            Box::new(m20261215_000070_families_signin::Migration),
            Box::new(m20261223_000080_documents::Migration),
            Box::new(m20261230_000091_notification_channels::Migration),
            Box::new(m20261230_000092_trusted_documents::Migration),
            Box::new(m20261230_000092_session_waitlist_counter::Migration),
        ]
    }
}
