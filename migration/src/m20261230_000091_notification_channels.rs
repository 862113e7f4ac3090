//! Families hear back on WeChat, by SMS or by e-mail (issue 17). A notice to a family is an outbox
//! row that names the account, the event and its short template parameters; the worker picks the
//! channel when it delivers. `refused` remembers the channels that refused the notice for good,
//! `channel` marks a notice that already used up a one-time WeChat grant (so a retry does not use
//! a second one), `delivered_via` says which channel took it. Grants of subscribe-message
//! templates and each account's channel order get tables of their own.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            uuid_null("account_id"),
            string_len_null("event", 32),
            text_null("params"),
            string_len_null("channel", 16),
            string_len_null("refused", 64),
            string_len_null("delivered_via", 16),
        ];
        for col in columns {
            m.alter_table(Table::alter().table("outbox").add_column(col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("subscribe_grants")
                .if_not_exists()
                .col(uuid("account_id"))
                .col(string_len("template_id", 128))
                .col(integer("remaining").default(0))
                .col(string_len("last_result", 16))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("account_id").col("template_id"))
                .foreign_key(ForeignKey::create().from("subscribe_grants", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_preferences")
                .if_not_exists()
                .col(uuid("account_id").primary_key())
                .col(string_len("channel_order", 64))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("notification_preferences", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["notification_preferences", "subscribe_grants"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for c in ["delivered_via", "refused", "channel", "params", "event", "account_id"] {
            m.alter_table(Table::alter().table("outbox").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
