//! Key-check values: for every key that protects stored data, a known text sealed (or hashed)
//! with it. At start the server proves it holds the keys of what is stored, and refuses to start
//! naming the one it lacks, instead of failing later on every row written with it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("key_checks")
                .if_not_exists()
                .col(string_len("name", 64).primary_key())
                .col(text("check_value"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("key_checks").to_owned()).await
    }
}
