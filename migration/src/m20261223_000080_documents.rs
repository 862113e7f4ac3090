//! Documents in the request conversation (issue 18). `document_blobs` holds one encrypted object
//! per distinct content of a household (same bytes uploaded twice are stored once); `documents`
//! is one use of a blob: kept on a child's record for reuse, or attached to a request, with the
//! caseworker's review. Names of uploaded files are never stored.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("document_blobs")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("household_id"))
                .col(string_len("content_hash", 64))
                .col(string_len("object_key", 64))
                .col(string_len("key_id", 32))
                .col(string_len("content_type", 32))
                .col(big_integer("size_bytes"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("document_blobs", "household_id").to("households", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_document_blobs_content")
                .table("document_blobs")
                .col("household_id")
                .col("content_hash")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("documents")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("blob_id"))
                .col(uuid("household_id"))
                .col(uuid("child_id"))
                .col(uuid_null("request_id"))
                .col(string_len("doc_type", 32))
                .col(string_len("status", 32))
                .col(text_null("review_note"))
                .col(uuid_null("reviewed_by"))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("documents", "blob_id").to("document_blobs", "id"))
                .foreign_key(ForeignKey::create().from("documents", "child_id").to("children", "id"))
                .foreign_key(ForeignKey::create().from("documents", "request_id").to("requests", "id"))
                .to_owned(),
        )
        .await?;
        for (name, col) in [("ix_documents_child", "child_id"), ("ix_documents_request", "request_id"), ("ix_documents_blob", "blob_id")] {
            m.create_index(Index::create().name(name).table("documents").col(col).if_not_exists().to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("documents").if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table("document_blobs").if_exists().to_owned()).await
    }
}
