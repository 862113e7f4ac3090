//! A child registered in grassroots screening (摸排) by a child director or supervisor, with the
//! guardian's consent given on paper; `linked_at` is set when the guardian's account takes the record over.
use sea_orm::entity::prelude::*;

/// A screening row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "screenings")]
pub struct Model {
    /// Screening id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The child registered.
    pub child_id: Uuid,
    /// Director or supervisor who recorded it.
    pub recorded_by: Uuid,
    /// Township where the child was found.
    pub township_code: String,
    /// Who signed the paper consent.
    pub consent_signed_by: String,
    /// Date on the paper consent.
    pub consent_signed_on: Date,
    /// Version of the consent text signed.
    pub consent_text_version: String,
    /// When it was recorded.
    pub created_at: DateTimeUtc,
    /// When a guardian's household took the record over.
    pub linked_at: Option<DateTimeUtc>,
    /// Keyed hash of the claim code printed for the paper consent form (none: no code in force).
    pub claim_code_hash: Option<String>,
    /// When the claim code expires.
    pub claim_code_expires_at: Option<DateTimeUtc>,
    /// Wrong guesses of the current claim code.
    pub claim_code_attempts: i32,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
