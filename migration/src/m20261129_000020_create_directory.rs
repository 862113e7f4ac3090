//! Social organizations, their locations and services (shaped after Open Referral HSDS), and the
//! sessions families book. A session's `booked` count can never exceed its capacity: the CHECK
//! constraint holds on both databases whatever the application does.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organizations")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string_len("name", 200))
                .col(string_len("credit_code", 18).unique_key())
                .col(string_len("contact_name", 100))
                .col(string_len("contact_phone", 32))
                .col(string_len("contact_email", 254))
                .col(string_len("address", 300))
                .col(string_len("county_code", 12))
                .col(string_len("status", 16))
                .col(string_len_null("rejection_reason", 500))
                .col(uuid_null("reviewed_by"))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("organizations", "county_code").to("regions", "code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("locations")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("organization_id"))
                .col(string_len("name", 200))
                .col(string_len("kind", 32))
                .col(string_len("address", 300))
                .col(string_len("county_code", 12))
                .col(string_len_null("township_code", 12))
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("locations", "organization_id").to("organizations", "id"))
                .foreign_key(ForeignKey::create().from("locations", "county_code").to("regions", "code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("services")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("organization_id"))
                .col(uuid("location_id"))
                .col(string_len("name", 200))
                .col(text("description"))
                .col(string_len("category", 32))
                .col(string_len("entitlement_code", 64))
                .col(integer("min_age"))
                .col(integer("max_age"))
                .col(string_len("languages", 100))
                .col(integer("cost_cents"))
                .col(boolean("confidential"))
                .col(integer("cancel_cutoff_hours"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("services", "organization_id").to("organizations", "id"))
                .foreign_key(ForeignKey::create().from("services", "location_id").to("locations", "id"))
                .check(Expr::col("min_age").lte(Expr::col("max_age")))
                .check(Expr::col("cost_cents").gte(0))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_services_org").table("services").col("organization_id").if_not_exists().to_owned()).await?;
        m.create_table(
            Table::create()
                .table("sessions")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("service_id"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(integer("capacity"))
                .col(integer("booked"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(timestamp_with_time_zone_null("reminder_sent_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("sessions", "service_id").to("services", "id"))
                .check(Expr::col("booked").gte(0))
                .check(Expr::col("booked").lte(Expr::col("capacity")))
                .check(Expr::col("capacity").gt(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_sessions_service").table("sessions").col("service_id").col("starts_at").if_not_exists().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["sessions", "services", "locations", "organizations"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
