//! Families sign in with WeChat or a phone number (issue 17): an account may have no e-mail, and
//! holds at most one phone number and one WeChat identity. Phone numbers are personal data: only a
//! keyed hash (to find the account) and a sealed copy (to show it masked) are stored. Sign-in codes
//! are stored hashed. The WeChat access token is shared by every server process through
//! `wechat_access_tokens`, whose `refreshing_until` lease lets one process fetch a new one.
use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        email_optional(m).await?;
        m.create_table(
            Table::create()
                .table("account_phones")
                .if_not_exists()
                .col(uuid("account_id").primary_key())
                .col(string_len("phone_hash", 64).unique_key())
                .col(string_len("phone_kid", 32))
                .col(text("phone_sealed"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("account_phones", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("account_wechat")
                .if_not_exists()
                .col(uuid("account_id").primary_key())
                .col(string_len("app_id", 64))
                .col(string_len("openid", 128))
                .col(string_len_null("unionid", 128))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("account_wechat", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_account_wechat_openid")
                .table("account_wechat")
                .col("app_id")
                .col("openid")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("phone_codes")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(string_len("phone_hash", 64))
                .col(string_len("purpose", 16))
                .col(string_len("code_hash", 64))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_phone_codes_phone")
                .table("phone_codes")
                .col("phone_hash")
                .col("created_at")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("wechat_access_tokens")
                .if_not_exists()
                .col(string_len("app_id", 64).primary_key())
                .col(string_len_null("token_kid", 32))
                .col(text_null("token_sealed"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("refreshing_until"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["wechat_access_tokens", "phone_codes", "account_wechat", "account_phones"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// `accounts.email` becomes nullable: a family signing in with WeChat or a phone has none. SQLite
/// cannot drop NOT NULL in place, so the table is rebuilt the documented way (foreign keys off,
/// copy, swap, check) in one batch, which runs on one pooled connection.
async fn email_optional(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() != DbBackend::Sqlite {
        return db.execute_unprepared("ALTER TABLE accounts ALTER COLUMN email DROP NOT NULL").await.map(|_| ());
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'accounts'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("accounts table missing".into()))?;
    let create: String = row.try_get("", "sql")?;
    let email_col = create
        .split(',')
        .find(|c| c.trim_start().starts_with("\"email\""))
        .ok_or_else(|| DbErr::Migration("accounts.email definition not found".into()))?;
    let nullable = email_col.replace(" NOT NULL", "");
    let new_table = create.replacen(email_col, &nullable, 1).replacen("\"accounts\"", "\"accounts_rebuilt\"", 1);
    db.execute_unprepared(&format!(
        "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE; {new_table}; INSERT INTO accounts_rebuilt SELECT * FROM accounts; \
         DROP TABLE accounts; ALTER TABLE accounts_rebuilt RENAME TO accounts; COMMIT; PRAGMA foreign_keys = ON;"
    ))
    .await?;
    let broken = db.query_all_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA foreign_key_check")).await?;
    if broken.is_empty() { Ok(()) } else { Err(DbErr::Migration(format!("{} rows lost their account", broken.len()))) }
}
