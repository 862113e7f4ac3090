//! Households, their guardians and invitations, children's records with versions, consents and
//! the log of staff reads. ID and residence-permit numbers are stored only as AES-GCM ciphertext
//! (with the key id, so keys can rotate) and, for duplicate detection, a keyed hash.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("households")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("households", "created_by").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("household_members")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("household_id"))
                // A guardian belongs to one household: the unique key is the invariant.
                .col(uuid("account_id").unique_key())
                .col(timestamp_with_time_zone("joined_at"))
                .foreign_key(ForeignKey::create().from("household_members", "household_id").to("households", "id"))
                .foreign_key(ForeignKey::create().from("household_members", "account_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_household_members_household")
                .table("household_members")
                .col("household_id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("household_invitations")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("household_id"))
                .col(string_len("email", 254))
                .col(string_len("token_hash", 64).unique_key())
                .col(uuid("invited_by"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(uuid_null("accepted_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("household_invitations", "household_id").to("households", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("children")
                .if_not_exists()
                .col(uuid("id").primary_key())
                // Null once the record is erased: the tombstone must not point at the family.
                .col(uuid_null("household_id"))
                .col(string_len_null("name", 100))
                .col(string_len_null("sex", 8))
                .col(date_null("birth_date"))
                .col(integer_null("birth_year"))
                .col(string_len("residence_region_code", 12))
                .col(string_len_null("residence_township_code", 12))
                .col(text_null("id_number_ct"))
                .col(string_len_null("id_number_kid", 32))
                .col(string_len_null("id_number_hash", 64).unique_key())
                .col(text_null("permit_number_ct"))
                .col(string_len_null("permit_number_kid", 32))
                .col(json_null("details"))
                .col(boolean("processable"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("deleted_at"))
                .foreign_key(ForeignKey::create().from("children", "household_id").to("households", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_children_household").table("children").col("household_id").if_not_exists().to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("ix_children_residence")
                .table("children")
                .col("residence_region_code")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("child_versions")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("child_id"))
                .col(integer("version"))
                .col(uuid_null("changed_by"))
                .col(timestamp_with_time_zone("changed_at"))
                .col(json("changed_fields"))
                .col(json_null("snapshot"))
                .foreign_key(ForeignKey::create().from("child_versions", "child_id").to("children", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_child_versions_child_version")
                .table("child_versions")
                .col("child_id")
                .col("version")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("consents")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("household_id"))
                .col(uuid_null("child_id"))
                .col(string_len("purpose", 32))
                .col(string_len("text_version", 32))
                .col(uuid("given_by"))
                .col(timestamp_with_time_zone("given_at"))
                .col(uuid_null("withdrawn_by"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .foreign_key(ForeignKey::create().from("consents", "household_id").to("households", "id"))
                .foreign_key(ForeignKey::create().from("consents", "child_id").to("children", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("ix_consents_household").table("consents").col("household_id").if_not_exists().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("child_access_log")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("child_id"))
                .col(uuid("actor_id"))
                .col(string_len("actor_role", 32))
                .col(json("fields"))
                .col(string_len("purpose", 32))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("child_access_log", "child_id").to("children", "id"))
                .foreign_key(ForeignKey::create().from("child_access_log", "actor_id").to("accounts", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_child_access_log_child")
                .table("child_access_log")
                .col("child_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["child_access_log", "consents", "child_versions", "children", "household_invitations", "household_members", "households"]
        {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
