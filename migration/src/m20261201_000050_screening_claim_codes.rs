//! Claim codes of screened children (issue 14): a record registered in screening passes to a
//! household only with the one-time code printed for the paper consent form. Only the code's keyed
//! hash is stored, with its expiry and the count of wrong guesses; linking clears it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for col in [
            string_len_null("claim_code_hash", 128),
            timestamp_with_time_zone_null("claim_code_expires_at"),
            integer("claim_code_attempts").default(0).to_owned(),
        ] {
            m.alter_table(Table::alter().table("screenings").add_column(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["claim_code_attempts", "claim_code_expires_at", "claim_code_hash"] {
            m.alter_table(Table::alter().table("screenings").drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
