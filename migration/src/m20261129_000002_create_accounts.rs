//! Accounts, login sessions (one per login, the unit a stolen refresh token revokes), rotating
//! refresh tokens and one-time e-mail tokens.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("accounts")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string_len("email", 254).unique_key())
                .col(string_null("password_hash"))
                .col(string_len("display_name", 100))
                .col(string_len("role", 32))
                .col(string_len_null("department_code", 32))
                .col(string_len_null("region_code", 12))
                .col(uuid_null("organization_id"))
                .col(timestamp_with_time_zone_null("email_verified_at"))
                .col(timestamp_with_time_zone_null("disabled_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("accounts", "department_code").to("departments", "code"))
                .foreign_key(ForeignKey::create().from("accounts", "region_code").to("regions", "code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("login_sessions")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_len_null("revoked_reason", 32))
                .foreign_key(ForeignKey::create().from("login_sessions", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_login_sessions_account").table("login_sessions").col("account_id").if_not_exists().to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("refresh_tokens")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("session_id"))
                .col(string_len("token_hash", 64).unique_key())
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("refresh_tokens", "session_id").to("login_sessions", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("email_tokens")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string_len("purpose", 32))
                .col(string_len("token_hash", 64).unique_key())
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("email_tokens", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["email_tokens", "refresh_tokens", "login_sessions", "accounts"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
