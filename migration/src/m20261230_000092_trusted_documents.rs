//! Trusted documents (persisted operations): the GraphQL documents administrators register, by the
//! SHA-256 hash clients send instead of the text. In the database so every replica serves them.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("trusted_documents")
                .if_not_exists()
                .col(string_len("hash", 64).primary_key())
                .col(text("query"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("trusted_documents").to_owned()).await
    }
}
