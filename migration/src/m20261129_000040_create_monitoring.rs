//! Monitoring for civil affairs, measures (一)(二): when each child record was last verified, the
//! grassroots screening that registered a child with the guardian's consent on paper, the key-care
//! ledger with its risk assessments, care measures and follow-ups, and the mark on open requests of
//! a child who turned 16. An entry's `version` makes concurrent edits conflict instead of
//! overwriting each other.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for col in [
            timestamp_with_time_zone_null("last_verified_at"),
            timestamp_with_time_zone_null("due_notified_at"),
            string_len("source", 16).default("guardian").to_owned(),
        ] {
            m.alter_table(Table::alter().table("children").add_column(col).to_owned()).await?;
        }
        m.get_connection().execute_unprepared("UPDATE children SET last_verified_at = created_at WHERE last_verified_at IS NULL").await?;
        m.create_index(
            Index::create()
                .name("ix_children_verification")
                .table("children")
                .col("residence_region_code")
                .col("last_verified_at")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("requests").add_column(date_null("child_aged_out_on")).to_owned()).await?;

        m.create_table(
            Table::create()
                .table("child_verifications")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("child_id"))
                .col(uuid("actor_id"))
                .col(string_len("actor_role", 24))
                .col(json_null("changes"))
                .col(text_null("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("child_verifications", "child_id").to("children", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_child_verifications_child")
                .table("child_verifications")
                .col("child_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("screenings")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("child_id").unique_key())
                .col(uuid("recorded_by"))
                .col(string_len("township_code", 12))
                .col(string_len("consent_signed_by", 64))
                .col(date("consent_signed_on"))
                .col(string_len("consent_text_version", 32))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("linked_at"))
                .foreign_key(ForeignKey::create().from("screenings", "child_id").to("children", "id"))
                .foreign_key(ForeignKey::create().from("screenings", "recorded_by").to("accounts", "id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("key_care_entries")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("child_id").unique_key())
                .col(string_len("county_code", 12))
                .col(string_len_null("township_code", 12))
                .col(json("reasons"))
                .col(boolean("in_scope"))
                .col(string_len_null("risk_level", 8))
                .col(integer_null("risk_score"))
                .col(integer("version"))
                .col(uuid("added_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("key_care_entries", "child_id").to("children", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_key_care_county").table("key_care_entries").col("county_code").col("id").if_not_exists().to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("risk_assessments")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("entry_id"))
                .col(string_len("rubric_version", 32))
                .col(json("answers"))
                .col(integer("score"))
                .col(string_len("level", 8))
                .col(text_null("note"))
                .col(uuid("assessed_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("risk_assessments", "entry_id").to("key_care_entries", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_risk_assessments_entry")
                .table("risk_assessments")
                .col("entry_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("care_measures")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("entry_id"))
                .col(uuid("child_id"))
                .col(string_len("department_code", 32))
                .col(string_len("township_code", 12))
                .col(string_len("region_code", 12))
                .col(text("description"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("due_at"))
                .col(integer("escalation_level"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(ForeignKey::create().from("care_measures", "entry_id").to("key_care_entries", "id"))
                .foreign_key(ForeignKey::create().from("care_measures", "department_code").to("departments", "code"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_care_measures_due").table("care_measures").col("status").col("due_at").if_not_exists().to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("care_follow_ups")
                .if_not_exists()
                .col(uuid("id").primary_key())
                .col(uuid("measure_id"))
                .col(uuid_null("actor_id"))
                .col(string_len("kind", 16))
                .col(text("note"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("care_follow_ups", "measure_id").to("care_measures", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_care_follow_ups_measure")
                .table("care_follow_ups")
                .col("measure_id")
                .col("id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["care_follow_ups", "care_measures", "risk_assessments", "key_care_entries", "screenings", "child_verifications"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("requests").drop_column("child_aged_out_on").to_owned()).await?;
        for c in ["source", "due_notified_at", "last_verified_at"] {
            m.alter_table(Table::alter().table("children").drop_column(c).to_owned()).await?;
        }
        Ok(())
    }
}
