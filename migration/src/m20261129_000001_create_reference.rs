//! Regions (GB/T 2260) and the 23 departments that issued the policy.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("regions")
                .if_not_exists()
                .col(string_len("code", 12).primary_key())
                .col(string("name"))
                .col(string_len("level", 16))
                .col(string_len_null("parent_code", 12))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_regions_parent").table("regions").col("parent_code").if_not_exists().to_owned()).await?;
        m.create_table(
            Table::create()
                .table("departments")
                .if_not_exists()
                .col(string_len("code", 32).primary_key())
                .col(string("name_zh"))
                .col(string("name_en"))
                .col(integer("sort_order"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("departments").to_owned()).await?;
        m.drop_table(Table::drop().table("regions").to_owned()).await
    }
}
