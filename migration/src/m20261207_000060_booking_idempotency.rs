//! `bookSession` takes an idempotency key like `submitRequest`: a phone that lost the answer
//! retries with the same key and gets its booking back. Unique per guardian; NULL (no key) is
//! allowed any number of times on both databases.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("bookings").add_column(string_len_null("idempotency_key", 128)).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ux_bookings_idempotency")
                .table("bookings")
                .col("guardian_id")
                .col("idempotency_key")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ux_bookings_idempotency").table("bookings").to_owned()).await?;
        m.alter_table(Table::alter().table("bookings").drop_column("idempotency_key").to_owned()).await
    }
}
