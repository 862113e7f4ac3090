//! What erasure needs to find and hide: e-mails written about a child carry the child's id, so
//! their texts (and delivered copies on disk) can be purged; a request of an erased child is
//! marked, so staff queues and lookups leave it out while statistics still count it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("outbox").add_column(uuid_null("child_id")).to_owned()).await?;
        m.create_index(Index::create().name("ix_outbox_child").table("outbox").col("child_id").if_not_exists().to_owned()).await?;
        m.alter_table(Table::alter().table("requests").add_column(timestamp_with_time_zone_null("erased_at")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("requests").drop_column("erased_at").to_owned()).await?;
        m.drop_index(Index::drop().name("ix_outbox_child").table("outbox").to_owned()).await?;
        m.alter_table(Table::alter().table("outbox").drop_column("child_id").to_owned()).await
    }
}
