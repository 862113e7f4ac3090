//! A booking is one short transaction: a full session hands out its next waiting place by one
//! conditional `UPDATE sessions SET waitlist_last = waitlist_last + 1 … RETURNING`, which also
//! locks the row, instead of locking the row first and reading `MAX(waitlist_seq)`. The counter
//! starts at the highest place each session has handed out so far, so the order stays exact.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("sessions").add_column(big_integer("waitlist_last").default(0)).to_owned()).await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE sessions SET waitlist_last = COALESCE((SELECT MAX(b.waitlist_seq) FROM bookings b WHERE b.session_id = sessions.id), 0)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("sessions").drop_column("waitlist_last").to_owned()).await
    }
}
