//! A child's record. Identity and residence-permit numbers are AES-256-GCM ciphertext with the
//! id of the key that encrypted them; `id_number_hash` (HMAC) finds duplicates without the number.
//! An erased record keeps only a de-identified tombstone (residence county, birth year).
use sea_orm::entity::prelude::*;

/// A child row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "children")]
pub struct Model {
    /// Child id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Household; none once erased.
    pub household_id: Option<Uuid>,
    /// Name; none once erased.
    pub name: Option<String>,
    /// `female` or `male`.
    pub sex: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Birth year, kept in the tombstone for statistics.
    pub birth_year: Option<i32>,
    /// County-level code of the residence (kept in the tombstone).
    pub residence_region_code: String,
    /// Township code of the residence.
    pub residence_township_code: Option<String>,
    /// Base64 nonce + ciphertext of the ID number.
    pub id_number_ct: Option<String>,
    /// Key id that encrypted `id_number_ct`.
    pub id_number_kid: Option<String>,
    /// Hex HMAC-SHA256 of the ID number; unique.
    #[sea_orm(unique)]
    pub id_number_hash: Option<String>,
    /// Base64 nonce + ciphertext of the residence-permit number.
    pub permit_number_ct: Option<String>,
    /// Key id that encrypted `permit_number_ct`.
    pub permit_number_kid: Option<String>,
    /// The other facts (JSON, the server's `ChildDetails`).
    pub details: Option<Json>,
    /// Derived from consents: false when no basic-services consent is in force (hidden from staff).
    pub processable: bool,
    /// Current version number (1 on creation).
    pub version: i32,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// Erasure time.
    pub deleted_at: Option<DateTimeUtc>,
    /// Last six-monthly verification (creation counts as one).
    pub last_verified_at: Option<DateTimeUtc>,
    /// When the responsible child director was told the record is due; cleared by a verification.
    pub due_notified_at: Option<DateTimeUtc>,
    /// `guardian` (added in the app) or `screening` (registered by a child director).
    pub source: String,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
