//! Service requests and their event history. `open_key` is `child:entitlement` while a lead
//! request is open and NULL afterwards, so a unique index enforces "one open request per child
//! and entitlement" on both databases without partial indexes; `(guardian_id, idempotency_key)`
//! makes retried submissions return the first request.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("requests")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string_len("kind", 16))
                .col(uuid_null("parent_id"))
                .col(uuid("child_id"))
                .col(uuid("guardian_id"))
                .col(string_len("entitlement_code", 64))
                .col(string_len("department_code", 32))
                .col(string_len("region_code", 12))
                .col(string_len("status", 24))
                .col(integer("priority"))
                .col(text("details"))
                .col(string_len_null("idempotency_key", 128))
                .col(string_len_null("open_key", 100).unique_key())
                .col(string_len("policy_version", 64))
                .col(string_len("eligibility_outcome", 16))
                .col(json_null("eligibility_trace"))
                .col(boolean("cross_province"))
                .col(uuid_null("assignee_id"))
                .col(timestamp_with_time_zone("first_response_due_at"))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone_null("first_response_at"))
                .col(timestamp_with_time_zone_null("paused_at"))
                .col(timestamp_with_time_zone_null("warned_at"))
                .col(integer("escalation_level"))
                .col(text_null("resolution_reason"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("requests", "guardian_id").to("accounts", "id"))
                .foreign_key(ForeignKey::create().from("requests", "department_code").to("departments", "code"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_requests_idempotency")
                .table("requests")
                .col("guardian_id")
                .col("idempotency_key")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_requests_queue")
                .table("requests")
                .col("department_code")
                .col("region_code")
                .col("due_at")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_requests_child").table("requests").col("child_id").if_not_exists().to_owned()).await?;
        m.create_table(
            Table::create()
                .table("request_events")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("request_id"))
                .col(uuid_null("actor_id"))
                .col(string_len("kind", 32))
                .col(string_len_null("from_status", 24))
                .col(string_len_null("to_status", 24))
                .col(text_null("note"))
                .col(boolean("public"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("request_events", "request_id").to("requests", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_request_events_request")
                .table("request_events")
                .col("request_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("request_events").to_owned()).await?;
        m.drop_table(Table::drop().table("requests").to_owned()).await
    }
}
