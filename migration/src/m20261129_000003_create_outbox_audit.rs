//! The mail outbox (written in the same transaction as the change that causes an e-mail) and the
//! audit log of security-relevant actions.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbox")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string_len("recipient", 254))
                .col(string("subject"))
                .col(text("body"))
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_outbox_due").table("outbox").col("status").col("next_attempt_at").if_not_exists().to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_log")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid_null("actor_id"))
                .col(string_len("action", 64))
                .col(string_len("subject_type", 32))
                .col(string_len("subject_id", 64))
                .col(json_null("detail"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_audit_subject").table("audit_log").col("subject_type").col("subject_id").if_not_exists().to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_log").to_owned()).await?;
        m.drop_table(Table::drop().table("outbox").to_owned()).await
    }
}
