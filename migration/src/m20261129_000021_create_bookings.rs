//! Bookings of sessions. One row per child and session (a rebooking after a cancellation reuses
//! it); waiting order is `waitlist_seq`, assigned under the session's lock.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bookings")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("session_id"))
                .col(uuid("child_id"))
                .col(uuid("guardian_id"))
                .col(string_len("status", 16))
                .col(big_integer_null("waitlist_seq"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(timestamp_with_time_zone_null("promoted_at"))
                .col(timestamp_with_time_zone_null("attendance_at"))
                .foreign_key(ForeignKey::create().from("bookings", "session_id").to("sessions", "id"))
                .foreign_key(ForeignKey::create().from("bookings", "guardian_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_bookings_session_child")
                .table("bookings")
                .col("session_id")
                .col("child_id")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_bookings_guardian").table("bookings").col("guardian_id").col("id").if_not_exists().to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bookings_waitlist")
                .table("bookings")
                .col("session_id")
                .col("status")
                .col("waitlist_seq")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("bookings").to_owned()).await
    }
}
